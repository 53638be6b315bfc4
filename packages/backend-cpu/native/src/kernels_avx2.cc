// The kernels of kernels_impl.h compiled for avx2 (built with -mavx2 -mfma).
#define WSP_ISA_AVX2 1
#define WSP_ISA_NS isa_avx2
#include "kernels_impl.h"

namespace wsp {
namespace {
const KernelTable kTable = {"avx2", isa_avx2::W, isa_avx2::NR, isa_avx2::MR, isa_avx2::conv, isa_avx2::linear, isa_avx2::fmaProbe,
                            isa_avx2::kFmaProbeFlopsPerIteration, false};
}
const KernelTable* kernelsAvx2() { return &kTable; }
}  // namespace wsp
