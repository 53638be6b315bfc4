// Finds and opens the CANN libraries at run time and fills the function table.
//
// Order (docs/ascend-cann.md §1.3): libascendcl.so, then libnnopbase.so, then libopapi.so with a
// per-symbol fallback to libopapi_nn.so / libopapi_math.so. Each library is looked for in
// $ASCEND_HOME_PATH/lib64, $ASCEND_TOOLKIT_HOME/lib64, the standard install paths, then the default
// search path. The attempt happens once per process (like LD_LIBRARY_PATH, which the dynamic linker
// reads only at start-up) and its outcome is kept, success or not.
#pragma once

#include <string>
#include <vector>

#include "cann_api.h"

namespace wsp::cann {

enum class LoadStatus {
  kOk,
  kLibraryNotFound,    // no file of that name in any searched place
  kLibraryLoadFailed,  // found, but dlopen failed (usually a dependency: set_env.sh not sourced)
  kSymbolMissing,      // a required entry point is absent (CANN too old or incomplete)
};

struct LoadReport {
  LoadStatus status = LoadStatus::kLibraryNotFound;
  std::string message;                 // one paragraph a user can act on
  std::string library;                 // the library concerned (failures)
  std::string symbol;                  // the missing entry point (kSymbolMissing)
  std::vector<std::string> searched;   // directories looked in, in order
  std::string libraryDirectory;        // where libascendcl.so was found
  std::vector<std::string> loaded;     // paths of the libraries opened
};

// Loads once; later calls return the same report.
const LoadReport& loadCann();

// The filled table, or null when loadCann() did not succeed.
const Api* api();

// Looks up an extra symbol in libascendcl.so (test hooks of the fake CANN); null when absent.
void* findRuntimeSymbol(const char* name);

}  // namespace wsp::cann
