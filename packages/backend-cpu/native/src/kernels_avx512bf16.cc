// The kernels of kernels_impl.h for AVX-512 with bf16 Winograd products (AVX512_BF16; built with
// -mavx512f -mavx512bw -mavx512dq -mavx512vl -mavx512bf16 -mfma). Everything but the Winograd
// products (transforms, direct convolutions, linear) stays fp32.
#define WSP_ISA_AVX512 1
#define WSP_BF16 1
#define WSP_ISA_NS isa_avx512bf16
#include "kernels_impl.h"

namespace wsp {
namespace {
const KernelTable kTable = {"avx512-bf16", isa_avx512bf16::W, isa_avx512bf16::NR, isa_avx512bf16::MR,
                            isa_avx512bf16::conv, isa_avx512bf16::linear, isa_avx512bf16::fmaProbe,
                            isa_avx512bf16::kFmaProbeFlopsPerIteration, true};
}
const KernelTable* kernelsAvx512Bf16() { return &kTable; }
}  // namespace wsp
