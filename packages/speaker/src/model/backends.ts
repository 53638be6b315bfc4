/**
 * Makes the backends known to the registry: `@wsp/backend-cpu` is a dependency and registers on
 * import (`cpu-portable`, and the native `cpu` where its addon loads); `@wsp/backend-ascend` is
 * optional and imported when installed, so `'auto'` picks the NPU where there is one.
 */
import '@wsp/backend-cpu';

/** Optional backend packages, imported by name when present. */
export const OPTIONAL_BACKEND_PACKAGES: readonly string[] = ['@wsp/backend-ascend'];

export interface OptionalBackendStatus {
  package: string;
  loaded: boolean;
  /** Why not, when it was not loaded (not installed, or its import failed). */
  reason?: string;
}

let loading: Promise<OptionalBackendStatus[]> | undefined;

/** Imports the optional backend packages once; never throws (the status says what happened). */
export function loadOptionalBackends(): Promise<OptionalBackendStatus[]> {
  loading ??= Promise.all(
    OPTIONAL_BACKEND_PACKAGES.map(async (name): Promise<OptionalBackendStatus> => {
      try {
        await import(/* @vite-ignore */ name);
        return { package: name, loaded: true };
      } catch (e) {
        const code = (e as { code?: string }).code;
        const reason = code === 'ERR_MODULE_NOT_FOUND' || code === 'MODULE_NOT_FOUND' ? 'not installed' : `import failed: ${(e as Error).message}`;
        return { package: name, loaded: false, reason };
      }
    }),
  );
  return loading;
}
