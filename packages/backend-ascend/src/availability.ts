// Whether this process can use an Ascend NPU, and if not, exactly why.
import { existsSync, readFileSync, realpathSync } from 'node:fs';
import { arch } from 'node:os';
import { dirname, join } from 'node:path';
import { fromNativeError } from './errors.js';
import { loadNative } from './native.js';

export type UnavailableCode =
  | 'ADDON_NOT_LOADED'
  | 'CANN_NOT_FOUND'
  | 'CANN_LOAD_FAILED'
  | 'CANN_SYMBOL_MISSING'
  | 'ASCEND_OPP_PATH_UNSET'
  | 'ACL_INIT_FAILED'
  | 'DRIVER_ERROR'
  | 'NO_DEVICE';

export type AscendAvailability =
  | {
      available: true;
      deviceCount: number;
      /** Where libascendcl.so was found. */
      libraryDirectory: string;
    }
  | {
      available: false;
      code: UnavailableCode;
      /** What is wrong and what to do about it. */
      reason: string;
      /** The CANN error text (aclGetRecentErrMsg), when CANN gave one. */
      cannMessage?: string;
    };

const SET_ENV = 'source /usr/local/Ascend/ascend-toolkit/set_env.sh (or /usr/local/Ascend/cann/set_env.sh)';

/**
 * Checks, in order: the native addon, the CANN libraries and every entry point we call,
 * ASCEND_OPP_PATH, AscendCL initialisation, and the device count. The library check runs once per
 * process (the dynamic linker's search path is fixed at start-up); the device check runs each time.
 */
export function isAvailable(): AscendAvailability {
  const load = loadNative();
  if (!load.ok) {
    return {
      available: false,
      code: 'ADDON_NOT_LOADED',
      reason:
        `the @wsp/backend-ascend native addon could not be loaded for ${process.platform}-${process.arch} ` +
        `(${load.error.message.split('\n')[0]}). Prebuilt addons exist for linux-x64 and linux-arm64; elsewhere ` +
        'reinstall with a C++17 compiler available.',
    };
  }
  const addon = load.addon;
  const report = addon.loaderReport();
  if (report.status !== 'ok') {
    const code: UnavailableCode =
      report.status === 'symbol-missing'
        ? 'CANN_SYMBOL_MISSING'
        : report.status === 'library-load-failed'
          ? 'CANN_LOAD_FAILED'
          : 'CANN_NOT_FOUND';
    return { available: false, code, reason: report.message };
  }
  if (!process.env.ASCEND_OPP_PATH) {
    return {
      available: false,
      code: 'ASCEND_OPP_PATH_UNSET',
      reason:
        `CANN was found in ${report.libraryDirectory}, but ASCEND_OPP_PATH is not set, so aclnn operators cannot ` +
        `find their kernels. Run \`${SET_ENV}\` in the shell before starting Node.`,
    };
  }
  let count: number;
  try {
    count = addon.countDevices();
  } catch (e) {
    const err = fromNativeError(e) as Error & { api?: string; cannMessage?: string };
    const initFailed = err.api === 'aclInit';
    return {
      available: false,
      code: initFailed ? 'ACL_INIT_FAILED' : 'DRIVER_ERROR',
      reason: initFailed
        ? `AscendCL failed to initialise: ${err.message}`
        : `the Ascend driver could not list devices: ${err.message}. Check that the driver is installed ` +
          '(/usr/local/Ascend/driver) and that `npu-smi info` works for this user.',
      cannMessage: err.cannMessage,
    };
  }
  if (count === 0) {
    return {
      available: false,
      code: 'NO_DEVICE',
      reason:
        'CANN is installed but no Ascend device is visible (aclrtGetDeviceCount returned 0). Check `npu-smi info`, ' +
        'ASCEND_RT_VISIBLE_DEVICES and, in a container, that /dev/davinci* are passed through.',
    };
  }
  return { available: true, deviceCount: count, libraryDirectory: report.libraryDirectory };
}

/**
 * The CANN toolkit version from `<arch>-linux/ascend_toolkit_install.info` next to the loaded
 * libraries (`lib64` is `<arch>-linux/lib64` in an installed toolkit), or null if none is readable.
 */
export function cannVersion(libraryDirectory: string): string | null {
  const candidates: string[] = [];
  try {
    candidates.push(join(dirname(realpathSync(libraryDirectory)), 'ascend_toolkit_install.info'));
  } catch {
    // the directory vanished; try the environment below
  }
  const machine = arch() === 'arm64' ? 'aarch64' : 'x86_64';
  for (const home of [process.env.ASCEND_HOME_PATH, process.env.ASCEND_TOOLKIT_HOME]) {
    if (home) candidates.push(join(home, `${machine}-linux`, 'ascend_toolkit_install.info'));
  }
  for (const file of candidates) {
    if (!existsSync(file)) continue;
    const match = /^version=(.+)$/m.exec(readFileSync(file, 'utf8'));
    if (match) return match[1].trim();
  }
  return null;
}
