/**
 * The backend registry. Backend packages register on import; `resolveBackend('auto')` walks by
 * priority and records why each candidate was skipped; an explicitly named backend that cannot
 * start is an error, never a silent fallback. The registry lives on
 * `globalThis[Symbol.for('@wsp/backend-registry')]`, so duplicated package copies share it.
 */
import { BackendUnavailableError, WspError } from './errors.js';
import type { BackendSkipReason } from './errors.js';
import { BACKEND_SPEC_VERSION } from './spi.js';
import type { Backend } from './spi.js';

export interface Availability {
  available: boolean;
  /** Why not (and how to fix it), when unavailable. */
  reason?: string;
}

/** Options handed to `create()`; each backend documents the keys it reads and ignores the rest. */
export interface BackendCreateOptions {
  /** Worker threads for CPU backends. */
  threads?: number;
  /** Device index for accelerator backends. */
  device?: number;
  [option: string]: unknown;
}

export interface BackendRegistration {
  /** Higher wins under `'auto'`: ascend 100, cpu 50, cpu-portable 10. Negative: never chosen by `'auto'`. */
  priority: number;
  isAvailable(): Availability | Promise<Availability>;
  create(options?: BackendCreateOptions): Backend | Promise<Backend>;
  /** One line for `listBackends()` and `wsp doctor`. */
  description?: string;
}

export interface BackendInfo {
  name: string;
  priority: number;
  available: boolean;
  reason?: string;
  description?: string;
}

export type BackendChoice = 'auto' | string | readonly string[] | Backend;

export interface ResolvedBackend {
  backend: Backend;
  /** Registered name, or the object's `name` when a Backend object was passed. */
  name: string;
  /** Candidates tried before it, with the reason each was skipped. */
  skipped: BackendSkipReason[];
}

interface RegistryState {
  version: 1;
  entries: Map<string, BackendRegistration & { order: number }>;
  counter: number;
}

const REGISTRY_KEY = Symbol.for('@wsp/backend-registry');

function state(): RegistryState {
  const g = globalThis as Record<symbol, RegistryState | undefined>;
  let s = g[REGISTRY_KEY];
  if (!s) {
    s = { version: 1, entries: new Map(), counter: 0 };
    Object.defineProperty(globalThis, REGISTRY_KEY, { value: s, enumerable: false, configurable: true });
  }
  return s;
}

/** Registers (or replaces) a backend under `name`. */
export function registerBackend(name: string, registration: BackendRegistration): void {
  if (typeof name !== 'string' || name.length === 0 || name === 'auto') {
    throw new WspError(`backend name must be a non-empty string other than 'auto', got ${JSON.stringify(name)}`, {
      code: 'INVALID_REGISTRATION',
    });
  }
  const r = registration as Partial<BackendRegistration> | undefined;
  if (!r || !Number.isFinite(r.priority) || typeof r.isAvailable !== 'function' || typeof r.create !== 'function') {
    throw new WspError(`backend '${name}' registration needs { priority: number, isAvailable(), create() }`, {
      code: 'INVALID_REGISTRATION',
    });
  }
  const s = state();
  s.entries.set(name, { ...registration, order: s.counter++ });
}

/** Removes a registration; true when there was one. */
export function unregisterBackend(name: string): boolean {
  return state().entries.delete(name);
}

function byPriority(): [string, BackendRegistration][] {
  return [...state().entries.entries()]
    .sort(([, a], [, b]) => b.priority - a.priority || a.order - b.order)
    .map(([name, r]) => [name, r]);
}

const messageOf = (e: unknown) => (e instanceof Error ? e.message : String(e));

async function availability(registration: BackendRegistration): Promise<Availability> {
  try {
    const a = await registration.isAvailable();
    return a && typeof a.available === 'boolean' ? a : { available: false, reason: 'isAvailable() returned no { available }' };
  } catch (e) {
    return { available: false, reason: `isAvailable() threw: ${messageOf(e)}` };
  }
}

/** Every registered backend by priority, with whether it can start here and why not. */
export async function listBackends(): Promise<BackendInfo[]> {
  return Promise.all(
    byPriority().map(async ([name, r]) => {
      const a = await availability(r);
      return {
        name,
        priority: r.priority,
        available: a.available,
        ...(a.reason === undefined ? {} : { reason: a.reason }),
        ...(r.description === undefined ? {} : { description: r.description }),
      };
    }),
  );
}

/** A reason string when `value` does not look like a `wsp-backend/1` backend, else undefined. */
export function backendShapeProblem(value: unknown): string | undefined {
  const b = value as Partial<Backend> | null;
  if (typeof b !== 'object' || b === null) return 'not an object';
  const version = b.capabilities?.specVersion;
  if (version !== BACKEND_SPEC_VERSION) {
    return `capabilities.specVersion is ${JSON.stringify(version)}, this @wsp/resnet-graph speaks ${BACKEND_SPEC_VERSION}`;
  }
  const methods = ['upload', 'download', 'prepareConv2d', 'prepareLinear', 'conv2d', 'statsPool', 'linear', 'l2Normalize', 'memory', 'dispose'] as const;
  const missing = methods.filter((m) => typeof b[m] !== 'function');
  if (typeof b.name !== 'string') return 'it has no name';
  return missing.length > 0 ? `it lacks ${missing.join(', ')}` : undefined;
}

/** Tries one registered backend: `{ backend }` or `{ reason }`. */
async function tryStart(name: string, options: BackendCreateOptions | undefined): Promise<{ backend?: Backend; reason?: string }> {
  const registration = state().entries.get(name);
  if (!registration) return { reason: 'not registered (import the package that provides it, e.g. @wsp/backend-cpu)' };
  const a = await availability(registration);
  if (!a.available) return { reason: a.reason ?? 'unavailable' };
  let backend: Backend;
  try {
    backend = await registration.create(options);
  } catch (e) {
    return { reason: `failed to start: ${messageOf(e)}` };
  }
  const problem = backendShapeProblem(backend);
  if (problem) {
    (backend as Partial<Backend> | undefined)?.dispose?.();
    return { reason: `create() returned an unusable backend: ${problem}` };
  }
  return { backend };
}

function summary(reasons: readonly BackendSkipReason[]): string {
  return reasons.map((r) => `${r.name}: ${r.reason}`).join('; ');
}

/**
 * Resolves a backend choice:
 * - `'auto'`: registered backends with priority ≥ 0, highest first; the first that starts wins;
 * - a name: that backend or `BackendUnavailableError` with the reason (and which names would work);
 * - a list of names: tried in the given order, the first that starts wins;
 * - a `Backend` object: checked for the SPI version and used as is.
 */
export async function resolveBackend(choice: BackendChoice = 'auto', options?: BackendCreateOptions): Promise<ResolvedBackend> {
  if (typeof choice === 'object' && choice !== null && !Array.isArray(choice)) {
    const problem = backendShapeProblem(choice);
    const name = typeof (choice as Backend).name === 'string' ? (choice as Backend).name : '(backend object)';
    if (problem) throw new BackendUnavailableError(`the backend object given is not usable: ${problem}`, [{ name, reason: problem }]);
    return { backend: choice as Backend, name, skipped: [] };
  }
  const auto = choice === 'auto';
  const candidates = auto
    ? byPriority()
        .filter(([, r]) => r.priority >= 0)
        .map(([name]) => name)
    : typeof choice === 'string'
      ? [choice]
      : [...(choice as readonly string[])];
  if (!auto && candidates.length === 0) throw new BackendUnavailableError('the list of backends to try is empty', []);
  const skipped: BackendSkipReason[] = [];
  for (const name of candidates) {
    const { backend, reason } = await tryStart(name, options);
    if (backend) return { backend, name, skipped };
    skipped.push({ name, reason: reason! });
  }
  if (auto) {
    const message =
      candidates.length === 0
        ? "no backend is registered; import a backend package such as '@wsp/backend-cpu'"
        : `no backend could start: ${summary(skipped)}`;
    throw new BackendUnavailableError(message, skipped);
  }
  const others = (await listBackends()).filter((b) => b.available && !candidates.includes(b.name)).map((b) => `'${b.name}'`);
  const wayOut = others.length > 0 ? ` Available instead: ${others.join(', ')} (or 'auto').` : '';
  const what = candidates.length === 1 ? `backend '${candidates[0]}' is unavailable` : `none of the backends ${candidates.map((c) => `'${c}'`).join(', ')} could start`;
  throw new BackendUnavailableError(`${what}: ${summary(skipped)}.${wayOut}`, skipped);
}
