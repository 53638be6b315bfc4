// The kernels of kernels_impl.h compiled for generic (base instruction set, runs everywhere).
#define WSP_ISA_GENERIC 1
#define WSP_ISA_NS isa_generic
#include "kernels_impl.h"

namespace wsp {
namespace {
const KernelTable kTable = {"generic", isa_generic::W, isa_generic::NR, isa_generic::MR, isa_generic::conv, isa_generic::linear, isa_generic::fmaProbe,
                            isa_generic::kFmaProbeFlopsPerIteration, false};
}
const KernelTable* kernelsGeneric() { return &kTable; }
}  // namespace wsp
