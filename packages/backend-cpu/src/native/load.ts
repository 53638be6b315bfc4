// Loads the compiled addon through node-gyp-build (prebuilds/<platform>-<arch>/ inside the
// package, or a local build/Release) and, when that fails, explains why and what to do, so the
// backend registry can say why `cpu` is unavailable instead of failing at import.
import { existsSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { NativeAddon } from './addon-types.js';

export type NativeLoadResult =
  | { ok: true; addon: NativeAddon; path: string }
  | { ok: false; reason: string; error: unknown };

const PACKAGE_NAME = '@wsp/backend-cpu';
const ADDON_ABI = 'wsp-cpu-native/1';
/** Node-API version the addon is built for (binding.gyp NAPI_VERSION). */
export const NAPI_VERSION = 8;

let cached: NativeLoadResult | undefined;

/** The package root: the nearest folder upwards with our package.json (works from src/ and dist/). */
export function packageRoot(from: string = dirname(fileURLToPath(import.meta.url))): string {
  for (let dir = from; ; dir = dirname(dir)) {
    const manifest = join(dir, 'package.json');
    if (existsSync(manifest)) {
      try {
        if ((JSON.parse(readFileSync(manifest, 'utf8')) as { name?: string }).name === PACKAGE_NAME) return dir;
      } catch {
        // unreadable package.json: keep walking
      }
    }
    if (dirname(dir) === dir) throw new Error(`cannot find the ${PACKAGE_NAME} package root above ${from}`);
  }
}

/** Loads the addon once per JS realm (main thread or worker); never throws. */
export function loadNativeAddon(): NativeLoadResult {
  if (!cached) cached = tryLoad();
  return cached;
}

function tryLoad(): NativeLoadResult {
  const napi = Number(process.versions.napi ?? 0);
  if (napi < NAPI_VERSION) {
    const error = new Error(`Node-API ${napi} < ${NAPI_VERSION}`);
    return { ok: false, error, reason: `the native addon needs Node-API ${NAPI_VERSION} (Node >= 20); this Node (${process.version}) has ${napi}. Upgrade Node, or use the cpu-portable backend.` };
  }
  try {
    const require = createRequire(import.meta.url);
    const nodeGypBuild = require('node-gyp-build') as { (dir: string): unknown; resolve(dir: string): string };
    const root = packageRoot();
    const path = nodeGypBuild.resolve(root);
    const addon = require(path) as NativeAddon;
    if (addon.abi !== ADDON_ABI) throw new Error(`addon at ${path} speaks ${String(addon.abi)}, expected ${ADDON_ABI} (stale build: rebuild the package)`);
    return { ok: true, addon, path };
  } catch (error) {
    return { ok: false, error, reason: explainLoadError(error) };
  }
}

/** A message that names the failure and the fix. Exported for tests. */
export function explainLoadError(error: unknown): string {
  const message = error instanceof Error ? error.message : String(error);
  const code = (error as { code?: string } | null)?.code;
  const first = message.split('\n')[0];
  const where = `${process.platform}-${process.arch}`;
  let fix: string;
  if (code === 'ERR_DLOPEN_DISABLED' || /--no-addons/.test(message)) {
    fix = 'Node was started with --no-addons; drop that flag, or use the cpu-portable backend.';
  } else if (/No native build was found/.test(message)) {
    fix = `${PACKAGE_NAME} ships prebuilt binaries for linux-x64 and linux-arm64 only; on ${where} build it from source with a C++17 compiler and python3 (\`npm rebuild ${PACKAGE_NAME}\`, which runs node-gyp), or use the cpu-portable backend.`;
  } else if (/GLIBC|GLIBCXX|CXXABI/.test(message)) {
    fix = 'the C/C++ runtime of this system is older than the one the prebuilt binary needs (glibc >= 2.28, libstdc++ from GCC >= 9); rebuild from source (`npm rebuild ' + PACKAGE_NAME + '`) or use the cpu-portable backend.';
  } else if (/invalid ELF header|wrong ELF class|cannot open shared object|Exec format error/.test(message)) {
    fix = `the binary does not match this platform (${where}); reinstall the package on this machine so the matching prebuild is used.`;
  } else {
    fix = `reinstall ${PACKAGE_NAME}; if it persists, rebuild from source (\`npm rebuild ${PACKAGE_NAME}\`) or use the cpu-portable backend.`;
  }
  return `the native CPU addon could not be loaded (${first.trim()}): ${fix}`;
}
