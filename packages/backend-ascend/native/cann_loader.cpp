#include "cann_loader.h"

#include <dlfcn.h>
#include <sys/stat.h>

#include <cstdlib>
#include <mutex>

namespace wsp::cann {
namespace {

constexpr const char* kSetEnvHint =
    "Install the CANN toolkit and run `source /usr/local/Ascend/ascend-toolkit/set_env.sh` (CANN 8.x) or "
    "`source /usr/local/Ascend/cann/set_env.sh` (CANN >= 8.5) in the shell before starting Node: the dynamic "
    "linker reads LD_LIBRARY_PATH only when the process starts, so setting it from JavaScript does not help.";

struct Library {
  void* handle = nullptr;
  std::string path;
};

struct LoaderState {
  LoadReport report;
  Api table;
  Library ascendcl, nnopbase, opapi, opapiNn, opapiMath;
  bool ok = false;
};

LoaderState& state() {
  static LoaderState s;
  return s;
}

bool isFile(const std::string& path) {
  struct stat st {};
  return stat(path.c_str(), &st) == 0 && S_ISREG(st.st_mode);
}

std::vector<std::string> candidateDirectories() {
  std::vector<std::string> dirs;
  auto add = [&](const std::string& d) {
    if (d.empty()) return;
    for (const auto& existing : dirs)
      if (existing == d) return;
    dirs.push_back(d);
  };
  if (const char* home = std::getenv("ASCEND_HOME_PATH"); home && *home) add(std::string(home) + "/lib64");
  if (const char* tk = std::getenv("ASCEND_TOOLKIT_HOME"); tk && *tk) add(std::string(tk) + "/lib64");
  add("/usr/local/Ascend/cann/lib64");
  add("/usr/local/Ascend/ascend-toolkit/latest/lib64");
  return dirs;
}

// Opens `name` from the first directory holding it (`preferred` first), else by bare name through
// the default search path. Sets `error` to the dlopen message when a file was found but failed.
Library openLibrary(const std::string& name, const std::string& preferred, const std::vector<std::string>& dirs,
                    std::string& error) {
  std::vector<std::string> order;
  if (!preferred.empty()) order.push_back(preferred);
  for (const auto& d : dirs)
    if (d != preferred) order.push_back(d);
  for (const auto& dir : order) {
    const std::string path = dir + "/" + name;
    if (!isFile(path)) continue;
    if (void* h = dlopen(path.c_str(), RTLD_LAZY | RTLD_LOCAL)) return {h, path};
    const char* e = dlerror();
    if (error.empty()) error = path + ": " + (e ? e : "dlopen failed");
  }
  if (void* h = dlopen(name.c_str(), RTLD_LAZY | RTLD_LOCAL)) return {h, name + " (default search path)"};
  const char* e = dlerror();
  // "cannot open shared object file" for the bare name only means "not on the search path".
  if (error.empty() && e && std::string(e).find("cannot open shared object file") == std::string::npos) error = e;
  return {};
}

std::string directoryOf(const std::string& path) {
  const auto slash = path.rfind('/');
  return slash == std::string::npos ? std::string() : path.substr(0, slash);
}

std::string joinDirs(const std::vector<std::string>& dirs) {
  std::string out;
  for (const auto& d : dirs) out += (out.empty() ? "" : ", ") + d;
  return out + (out.empty() ? "" : ", ") + "the default library search path";
}

void fail(LoaderState& s, LoadStatus status, const std::string& library, const std::string& symbol,
          const std::string& message) {
  s.report.status = status;
  s.report.library = library;
  s.report.symbol = symbol;
  s.report.message = message;
}

template <typename Fn>
bool bind(LoaderState& s, const Library& lib, const char* name, Fn& slot, bool required) {
  slot = reinterpret_cast<Fn>(dlsym(lib.handle, name));
  if (slot || !required) return true;
  fail(s, LoadStatus::kSymbolMissing, lib.path, name,
       std::string("The CANN library ") + lib.path + " has no symbol " + name +
           ". This CANN installation is too old or incomplete; CANN 8.0 or newer is required.");
  return false;
}

// Opens the split operator libraries on first need (newer CANN packaging, ops-nn / ops-math).
Library* splitLibrary(LoaderState& s, Library& lib, const char* name, const std::vector<std::string>& dirs) {
  if (!lib.handle && lib.path.empty()) {
    std::string ignored;
    lib = openLibrary(name, s.report.libraryDirectory, dirs, ignored);
    if (!lib.handle) lib.path = "-";  // remember that it is absent
    else s.report.loaded.push_back(lib.path);
  }
  return lib.handle ? &lib : nullptr;
}

template <typename Prepare>
bool bindOperator(LoaderState& s, AclnnOp<Prepare>& op, const char* name, const std::vector<std::string>& dirs) {
  const std::string prepareName = std::string(name) + "GetWorkspaceSize";
  std::vector<Library*> libs;
  if (s.opapi.handle) libs.push_back(&s.opapi);
  if (auto* nn = splitLibrary(s, s.opapiNn, "libopapi_nn.so", dirs)) libs.push_back(nn);
  if (auto* math = splitLibrary(s, s.opapiMath, "libopapi_math.so", dirs)) libs.push_back(math);
  for (Library* lib : libs) {
    auto prepare = reinterpret_cast<Prepare>(dlsym(lib->handle, prepareName.c_str()));
    auto launch = reinterpret_cast<FnAclnnLaunch>(dlsym(lib->handle, name));
    if (prepare && launch) {
      op = {name, prepare, launch};
      return true;
    }
  }
  std::string where;
  for (Library* lib : libs) where += (where.empty() ? "" : ", ") + lib->path;
  fail(s, LoadStatus::kSymbolMissing, where, prepareName,
       "The aclnn operator " + std::string(name) + " (" + prepareName + " + " + name + ") was not found in " +
           (where.empty() ? std::string("any operator library") : where) +
           ". Install the CANN operator package (Ascend-cann-kernels / Ascend-cann-<soc>-ops) that matches the "
           "toolkit.");
  return false;
}

bool bindAll(LoaderState& s, const std::vector<std::string>& dirs) {
  Api& a = s.table;
  const Library& rt = s.ascendcl;
  const Library& nn = s.nnopbase;
  bool ok = bind(s, rt, "aclInit", a.aclInit, true) && bind(s, rt, "aclFinalize", a.aclFinalize, true) &&
            bind(s, rt, "aclGetRecentErrMsg", a.aclGetRecentErrMsg, true) &&
            bind(s, rt, "aclrtGetSocName", a.aclrtGetSocName, true) &&
            bind(s, rt, "aclrtGetDeviceCount", a.aclrtGetDeviceCount, true) &&
            bind(s, rt, "aclrtSetDevice", a.aclrtSetDevice, true) &&
            bind(s, rt, "aclrtResetDevice", a.aclrtResetDevice, true) &&
            bind(s, rt, "aclrtCreateContext", a.aclrtCreateContext, true) &&
            bind(s, rt, "aclrtDestroyContext", a.aclrtDestroyContext, true) &&
            bind(s, rt, "aclrtSetCurrentContext", a.aclrtSetCurrentContext, true) &&
            bind(s, rt, "aclrtCreateStream", a.aclrtCreateStream, true) &&
            bind(s, rt, "aclrtDestroyStream", a.aclrtDestroyStream, true) &&
            bind(s, rt, "aclrtSynchronizeStream", a.aclrtSynchronizeStream, true) &&
            bind(s, rt, "aclrtMalloc", a.aclrtMalloc, true) && bind(s, rt, "aclrtFree", a.aclrtFree, true) &&
            bind(s, rt, "aclrtMallocHost", a.aclrtMallocHost, true) &&
            bind(s, rt, "aclrtFreeHost", a.aclrtFreeHost, true) && bind(s, rt, "aclrtMemcpy", a.aclrtMemcpy, true) &&
            bind(s, rt, "aclrtMemcpyAsync", a.aclrtMemcpyAsync, true) &&
            bind(s, rt, "aclrtGetMemInfo", a.aclrtGetMemInfo, true) &&
            bind(s, rt, "aclrtCtxSetSysParamOpt", a.aclrtCtxSetSysParamOpt, false) &&
            bind(s, rt, "aclrtGetVersion", a.aclrtGetVersion, false) &&
            bind(s, rt, "aclmdlRICaptureBegin", a.aclmdlRICaptureBegin, false) &&
            bind(s, rt, "aclmdlRICaptureEnd", a.aclmdlRICaptureEnd, false) &&
            bind(s, rt, "aclmdlRIExecuteAsync", a.aclmdlRIExecuteAsync, false) &&
            bind(s, rt, "aclmdlRIDestroy", a.aclmdlRIDestroy, false);
  ok = ok && bind(s, nn, "aclCreateTensor", a.aclCreateTensor, true) &&
       bind(s, nn, "aclDestroyTensor", a.aclDestroyTensor, true) &&
       bind(s, nn, "aclCreateIntArray", a.aclCreateIntArray, true) &&
       bind(s, nn, "aclDestroyIntArray", a.aclDestroyIntArray, true) &&
       bind(s, nn, "aclCreateScalar", a.aclCreateScalar, true) &&
       bind(s, nn, "aclDestroyScalar", a.aclDestroyScalar, true) &&
       bind(s, nn, "aclCreateTensorList", a.aclCreateTensorList, true) &&
       bind(s, nn, "aclDestroyTensorList", a.aclDestroyTensorList, true) &&
       bind(s, nn, "aclDestroyAclOpExecutor", a.aclDestroyAclOpExecutor, false);
  return ok && bindOperator(s, a.convolution, "aclnnConvolution", dirs) &&
         bindOperator(s, a.inplaceAdd, "aclnnInplaceAdd", dirs) &&
         bindOperator(s, a.inplaceAdds, "aclnnInplaceAdds", dirs) &&
         bindOperator(s, a.inplaceRelu, "aclnnInplaceRelu", dirs) &&
         bindOperator(s, a.inplaceSqrt, "aclnnInplaceSqrt", dirs) &&
         bindOperator(s, a.varMean, "aclnnVarMean", dirs) && bindOperator(s, a.cat, "aclnnCat", dirs) &&
         bindOperator(s, a.addmm, "aclnnAddmm", dirs) &&
         bindOperator(s, a.linalgVectorNorm, "aclnnLinalgVectorNorm", dirs) &&
         bindOperator(s, a.clampMin, "aclnnClampMin", dirs) && bindOperator(s, a.div, "aclnnDiv", dirs);
}

void load(LoaderState& s) {
  const auto dirs = candidateDirectories();
  s.report.searched = dirs;

  std::string error;
  s.ascendcl = openLibrary("libascendcl.so", "", dirs, error);
  if (!s.ascendcl.handle) {
    if (error.empty()) {
      fail(s, LoadStatus::kLibraryNotFound, "libascendcl.so", "",
           "CANN is not installed or not set up: libascendcl.so was not found (looked in " + joinDirs(dirs) + "). " +
               kSetEnvHint);
    } else {
      fail(s, LoadStatus::kLibraryLoadFailed, "libascendcl.so", "",
           "libascendcl.so was found but could not be loaded: " + error + ". " + kSetEnvHint +
               " The Ascend driver (/usr/local/Ascend/driver) must be installed as well.");
    }
    return;
  }
  s.report.loaded.push_back(s.ascendcl.path);
  s.report.libraryDirectory = directoryOf(s.ascendcl.path);

  error.clear();
  s.nnopbase = openLibrary("libnnopbase.so", s.report.libraryDirectory, dirs, error);
  if (!s.nnopbase.handle) {
    fail(s, error.empty() ? LoadStatus::kLibraryNotFound : LoadStatus::kLibraryLoadFailed, "libnnopbase.so", "",
         error.empty() ? "libnnopbase.so (aclnn tensor descriptors) was not found next to " + s.ascendcl.path +
                             " or in " + joinDirs(dirs) + ". The CANN toolkit is incomplete. " + kSetEnvHint
                       : "libnnopbase.so could not be loaded: " + error + ". " + kSetEnvHint);
    return;
  }
  s.report.loaded.push_back(s.nnopbase.path);

  error.clear();
  s.opapi = openLibrary("libopapi.so", s.report.libraryDirectory, dirs, error);
  if (s.opapi.handle) s.report.loaded.push_back(s.opapi.path);
  if (!s.opapi.handle && !error.empty()) {
    fail(s, LoadStatus::kLibraryLoadFailed, "libopapi.so", "", "libopapi.so could not be loaded: " + error + ". " +
                                                                   kSetEnvHint);
    return;
  }
  if (!s.opapi.handle && !splitLibrary(s, s.opapiNn, "libopapi_nn.so", dirs) &&
      !splitLibrary(s, s.opapiMath, "libopapi_math.so", dirs)) {
    fail(s, LoadStatus::kLibraryNotFound, "libopapi.so", "",
         "No aclnn operator library was found (libopapi.so, libopapi_nn.so or libopapi_math.so) in " +
             joinDirs(dirs) + ". Install the CANN operator package. " + kSetEnvHint);
    return;
  }
  if (!bindAll(s, dirs)) return;
  s.report.status = LoadStatus::kOk;
  s.report.message = "CANN libraries loaded from " + s.report.libraryDirectory;
  s.ok = true;
}

}  // namespace

const LoadReport& loadCann() {
  static std::once_flag once;
  std::call_once(once, [] { load(state()); });
  return state().report;
}

const Api* api() {
  return loadCann().status == LoadStatus::kOk ? &state().table : nullptr;
}

void* findRuntimeSymbol(const char* name) {
  loadCann();
  return state().ascendcl.handle ? dlsym(state().ascendcl.handle, name) : nullptr;
}

}  // namespace wsp::cann
