// The kernels of kernels_impl.h compiled for neon (arm64 only).
#define WSP_ISA_NEON 1
#define WSP_ISA_NS isa_neon
#include "kernels_impl.h"

namespace wsp {
namespace {
const KernelTable kTable = {"neon", isa_neon::W, isa_neon::NR, isa_neon::MR, isa_neon::conv, isa_neon::linear, isa_neon::fmaProbe,
                            isa_neon::kFmaProbeFlopsPerIteration, false};
}
const KernelTable* kernelsNeon() { return &kTable; }
}  // namespace wsp
