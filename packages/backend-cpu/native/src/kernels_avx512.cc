// The kernels of kernels_impl.h compiled for avx512 (built with -mavx512f -mavx512bw -mavx512dq -mavx512vl -mfma).
#define WSP_ISA_AVX512 1
#define WSP_ISA_NS isa_avx512
#include "kernels_impl.h"

namespace wsp {
namespace {
const KernelTable kTable = {"avx512", isa_avx512::W, isa_avx512::NR, isa_avx512::MR, isa_avx512::conv, isa_avx512::linear, isa_avx512::fmaProbe,
                            isa_avx512::kFmaProbeFlopsPerIteration, false};
}
const KernelTable* kernelsAvx512() { return &kTable; }
}  // namespace wsp
