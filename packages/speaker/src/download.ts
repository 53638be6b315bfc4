/**
 * Downloads the published model files from the Hugging Face hub (or a mirror) into a local cache.
 *
 * Per file: a finished file in the cache is used as is (no network); otherwise the bytes go to
 * `<file>.part`, resuming an existing `.part` with an HTTP Range request, retrying dropped
 * connections, and checking the size (Content-Length / `x-linked-size`) and the sha256 (given by
 * the caller, or the hub's `x-linked-etag` for LFS files) before an atomic rename to the final
 * name. Every failure is a `ModelDownloadError` whose message says what to download by hand,
 * from where, and where to put it.
 */
import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { mkdir, open, rename, stat, unlink } from 'node:fs/promises';
import { homedir } from 'node:os';
import { dirname, join } from 'node:path';
import { ModelDownloadError } from './errors.js';

export const DEFAULT_MODEL_REPO = 'aufklarer/WeSpeaker-ResNet34-LM-MLX';
export const DEFAULT_MODEL_FILES: readonly string[] = ['config.json', 'model.safetensors'];

export interface DownloadProgress {
  file: string;
  /** Bytes of this file on disk so far (including a resumed part). */
  bytes: number;
  /** Expected size, when the server said. */
  total: number | undefined;
}

export interface DownloadModelOptions {
  /** Hub repository, `owner/name` (default `aufklarer/WeSpeaker-ResNet34-LM-MLX`). */
  repo?: string;
  /** Branch, tag or commit (default `main`). */
  revision?: string;
  /** Folder for the files (default: see `defaultModelCacheDir`). */
  cacheDir?: string;
  files?: readonly string[];
  onProgress?: (progress: DownloadProgress) => void;
  /** `fetch` to use (default: the global one). */
  fetch?: typeof globalThis.fetch;
  /** Hub address (default `$HF_ENDPOINT` or `https://huggingface.co`). */
  endpoint?: string;
  /** Known sha256 (hex) per file name; checked in addition to the hub's own hash. */
  expectedSha256?: Readonly<Record<string, string>>;
  /** Access token for private or gated repositories (default `$HF_TOKEN`); sent to the hub only. */
  token?: string;
  /** Attempts after a dropped connection, a 5xx/429 answer or a network error (default 3). */
  retries?: number;
  /** Wait before the first retry, doubled each time (default 1000 ms). */
  retryDelayMs?: number;
  /** Abort a transfer that receives nothing for this long, then retry (default 60 s). */
  idleTimeoutMs?: number;
  /** Download again even when the file is cached. */
  force?: boolean;
  signal?: AbortSignal;
}

export interface DownloadedFile {
  name: string;
  path: string;
  size: number;
  /** The sha256 that was verified, when one was known. */
  sha256: string | undefined;
  /** True when the file was already in the cache and nothing was downloaded. */
  cached: boolean;
}

export interface DownloadResult {
  /** The model folder (pass it to the model loader). */
  dir: string;
  files: DownloadedFile[];
}

/**
 * `$WSP_CACHE_DIR/models/<repo>` or `${XDG_CACHE_HOME:-~/.cache}/wsp/models/<repo>`; a revision
 * other than `main` gets its own folder `<repo>@<revision>`.
 */
export function defaultModelCacheDir(repo: string = DEFAULT_MODEL_REPO, revision = 'main'): string {
  const root = process.env.WSP_CACHE_DIR || join(process.env.XDG_CACHE_HOME || join(homedir(), '.cache'), 'wsp');
  const folder = revision === 'main' ? repo : `${repo}@${revision.replace(/[\\/]/g, '_')}`;
  return join(root, 'models', ...folder.split('/'));
}

interface Context {
  repo: string;
  revision: string;
  endpoint: string;
  dir: string;
  files: readonly string[];
}

export function fileUrl(endpoint: string, repo: string, revision: string, file: string): string {
  return `${endpoint.replace(/\/+$/, '')}/${repo}/resolve/${encodeURIComponent(revision)}/${file.split('/').map(encodeURIComponent).join('/')}`;
}

/** The "do it by hand" sentence every error ends with. */
function manualSteps(ctx: Context): string {
  const urls = ctx.files.map((f) => fileUrl(ctx.endpoint, ctx.repo, ctx.revision, f)).join(' and ');
  return `To install the model by hand, download ${urls} and put the files in ${ctx.dir} (or in any folder you then pass as the model directory).`;
}

export async function downloadModel(options: DownloadModelOptions = {}): Promise<DownloadResult> {
  const repo = options.repo ?? DEFAULT_MODEL_REPO;
  const revision = options.revision ?? 'main';
  const endpoint = options.endpoint ?? (process.env.HF_ENDPOINT || 'https://huggingface.co');
  const files = options.files ?? DEFAULT_MODEL_FILES;
  const dir = options.cacheDir ?? defaultModelCacheDir(repo, revision);
  const ctx: Context = { repo, revision, endpoint, dir, files };
  const invalid = (message: string): never => {
    throw new ModelDownloadError(message, { code: 'INVALID_OPTION' });
  };
  if (!/^[\w.-]+\/[\w.-]+$/.test(repo)) invalid(`repo must look like "owner/name", got "${repo}"`);
  if (!revision || revision.includes('..')) invalid(`invalid revision "${revision}"`);
  if (files.length === 0) invalid('no files to download');
  for (const f of files) {
    if (!f || f.startsWith('/') || f.split(/[\\/]/).some((part) => part === '..' || part === '')) invalid(`invalid file name "${f}"`);
  }
  for (const [name, hash] of Object.entries(options.expectedSha256 ?? {})) {
    if (!/^[0-9a-f]{64}$/i.test(hash)) invalid(`expectedSha256["${name}"] is not a 64-digit hex sha256`);
  }
  const fetchImpl = options.fetch ?? globalThis.fetch;
  const settings: TransferSettings = {
    fetch: fetchImpl,
    token: options.token ?? process.env.HF_TOKEN,
    retries: options.retries ?? 3,
    retryDelayMs: options.retryDelayMs ?? 1000,
    idleTimeoutMs: options.idleTimeoutMs ?? 60_000,
    signal: options.signal,
    onProgress: options.onProgress,
  };
  const result: DownloadedFile[] = [];
  for (const name of files) {
    result.push(await downloadFile(ctx, name, options.expectedSha256?.[name]?.toLowerCase(), options.force ?? false, settings));
  }
  return { dir, files: result };
}

interface TransferSettings {
  fetch: typeof globalThis.fetch;
  token: string | undefined;
  retries: number;
  retryDelayMs: number;
  idleTimeoutMs: number;
  signal: AbortSignal | undefined;
  onProgress: ((progress: DownloadProgress) => void) | undefined;
}

async function downloadFile(ctx: Context, name: string, expectedSha: string | undefined, force: boolean, s: TransferSettings): Promise<DownloadedFile> {
  const path = join(ctx.dir, ...name.split('/'));
  const part = `${path}.part`;
  const fail = (code: string, message: string, cause?: unknown): never => {
    throw new ModelDownloadError(`${message}. ${manualSteps(ctx)}`, { code, file: path, cause });
  };
  const existing = await sizeOf(path);
  if (existing !== undefined && !force) {
    if (expectedSha === undefined) return { name, path, size: existing, sha256: undefined, cached: true };
    if ((await sha256File(path)) === expectedSha) return { name, path, size: existing, sha256: expectedSha, cached: true };
    await unlink(path); // a cached file with the wrong hash is replaced
  }
  try {
    await mkdir(dirname(path), { recursive: true });
  } catch (cause) {
    fail('WRITE_FAILED', `cannot create the folder ${dirname(path)}: ${(cause as Error).message}`, cause);
  }
  if (force) await unlink(part).catch(() => undefined);

  const url = fileUrl(ctx.endpoint, ctx.repo, ctx.revision, name);
  let failures = 0;
  let meta: FileMeta;
  while (true) {
    if (s.signal?.aborted) fail('ABORTED', `download of ${url} was aborted`);
    const have = (await sizeOf(part)) ?? 0;
    let outcome: TransferOutcome;
    try {
      outcome = await transfer(url, part, have, name, ctx.endpoint, s);
    } catch (cause) {
      if (cause instanceof ModelDownloadError) throw cause;
      outcome = { kind: 'retry', reason: describeNetworkError(cause), network: isConnectionError(cause), cause };
    }
    if (outcome.kind === 'done') {
      meta = outcome.meta;
      break;
    }
    if (outcome.kind === 'fatal') fail(outcome.code, outcome.reason);
    if (outcome.kind === 'retry') {
      const lastError = outcome.reason;
      if (s.signal?.aborted) fail('ABORTED', `download of ${url} was aborted`);
      if (failures++ >= s.retries) {
        if (outcome.network && have === 0 && !lastError.startsWith('connection lost')) {
          fail('OFFLINE', `cannot reach ${new URL(url).origin} to download ${name} (${lastError}), so this machine looks offline`, outcome.cause);
        }
        fail('HTTP_ERROR', `download of ${url} failed after ${failures} attempt(s): ${lastError}`, outcome.cause);
      }
      await delay(s.retryDelayMs * 2 ** (failures - 1), s.signal);
    }
    // 'restart' (the server ignored or refused our range): loop again from the current part size.
  }

  const size = (await sizeOf(part)) ?? 0;
  if (meta.size !== undefined && size !== meta.size) {
    await unlink(part).catch(() => undefined);
    fail('SIZE_MISMATCH', `${url} gave ${size} bytes but the server announced ${meta.size}`);
  }
  let verified: string | undefined;
  for (const [expected, source] of [
    [expectedSha, 'the expected'],
    [meta.sha256, "the hub's"],
  ] as const) {
    if (expected === undefined) continue;
    verified ??= await sha256File(part);
    if (verified !== expected) {
      await unlink(part).catch(() => undefined);
      fail('HASH_MISMATCH', `${url} has sha256 ${verified}, not ${source} ${expected} (the corrupt download was deleted)`);
    }
  }
  try {
    await rename(part, path);
  } catch (cause) {
    fail('WRITE_FAILED', `cannot move ${part} to ${path}: ${(cause as Error).message}`, cause);
  }
  return { name, path, size, sha256: verified, cached: false };
}

interface FileMeta {
  /** Size of the whole file. */
  size: number | undefined;
  /** sha256 announced by the hub (LFS files), lower-case hex. */
  sha256: string | undefined;
}

type TransferOutcome =
  | { kind: 'done'; meta: FileMeta }
  | { kind: 'restart' }
  | { kind: 'retry'; reason: string; network: boolean; cause?: unknown }
  | { kind: 'fatal'; code: string; reason: string };

const MAX_REDIRECTS = 5;

/** One GET (following redirects by hand to keep the hub's headers), appending to `part`. */
async function transfer(url: string, part: string, have: number, name: string, endpoint: string, s: TransferSettings): Promise<TransferOutcome> {
  const idle = new AbortController();
  const signal = s.signal ? AbortSignal.any([s.signal, idle.signal]) : idle.signal;
  let timer: NodeJS.Timeout | undefined;
  const armIdleTimer = () => {
    clearTimeout(timer);
    timer = setTimeout(() => idle.abort(new Error(`no data for ${s.idleTimeoutMs} ms`)), s.idleTimeoutMs);
  };
  armIdleTimer();
  try {
    const hubOrigin = new URL(endpoint).origin;
    const meta: FileMeta = { size: undefined, sha256: undefined };
    let current = url;
    let response: Response | undefined;
    for (let hop = 0; hop <= MAX_REDIRECTS; hop++) {
      const headers: Record<string, string> = { 'user-agent': '@wsp/speaker' };
      if (have > 0) headers.range = `bytes=${have}-`;
      if (s.token && new URL(current).origin === hubOrigin) headers.authorization = `Bearer ${s.token}`;
      response = await s.fetch(current, { headers, redirect: 'manual', signal });
      readHubHeaders(response, meta);
      const location = response.headers.get('location');
      if (response.status >= 300 && response.status < 400 && location) {
        await response.body?.cancel();
        current = new URL(location, current).href;
        continue;
      }
      break;
    }
    if (!response) return { kind: 'fatal', code: 'HTTP_ERROR', reason: `no response from ${url}` };
    const status = response.status;
    if (status >= 300 && status < 400) return { kind: 'fatal', code: 'HTTP_ERROR', reason: `too many redirects from ${url}` };
    if (status === 404) {
      const hubCode = response.headers.get('x-error-code');
      return { kind: 'fatal', code: 'NOT_FOUND', reason: `${url} does not exist (HTTP 404${hubCode ? ` ${hubCode}` : ''}): check the repo, revision and file name` };
    }
    if (status === 401 || status === 403) {
      return { kind: 'fatal', code: 'HTTP_ERROR', reason: `${url} refused access (HTTP ${status}); for a private or gated repository set HF_TOKEN` };
    }
    if (status === 416) {
      // Our part is at least as long as the file: let the size check decide, or start over.
      await response.body?.cancel();
      const total = parseContentRangeTotal(response.headers.get('content-range'));
      if (total !== undefined && total === have) return { kind: 'done', meta: { ...meta, size: meta.size ?? total } };
      await unlink(part).catch(() => undefined);
      return { kind: 'restart' };
    }
    if (status === 429 || status >= 500) {
      await response.body?.cancel();
      return { kind: 'retry', reason: `HTTP ${status}`, network: false };
    }
    if (status !== 200 && status !== 206) {
      await response.body?.cancel();
      return { kind: 'fatal', code: 'HTTP_ERROR', reason: `${url} answered HTTP ${status}` };
    }
    let offset = 0;
    if (status === 206) {
      const range = /^bytes (\d+)-(\d+)\/(\d+|\*)$/.exec(response.headers.get('content-range') ?? '');
      if (!range || Number(range[1]) !== have) {
        // A range we did not ask for: drop what we have and start clean.
        await response.body?.cancel();
        await unlink(part).catch(() => undefined);
        return { kind: 'restart' };
      }
      offset = have;
      if (range[3] !== '*') meta.size ??= Number(range[3]);
    } else {
      const length = Number(response.headers.get('content-length') ?? NaN);
      if (Number.isSafeInteger(length)) meta.size ??= length;
    }
    return await appendBody(response, part, offset, name, meta, s.onProgress, armIdleTimer);
  } finally {
    clearTimeout(timer);
  }
}

function readHubHeaders(response: Response, meta: FileMeta): void {
  const linkedSize = Number(response.headers.get('x-linked-size') ?? NaN);
  if (meta.size === undefined && Number.isSafeInteger(linkedSize)) meta.size = linkedSize;
  // LFS files carry their sha256 as (x-linked-)etag; small git files have a 40-digit sha1 instead.
  const etag = (response.headers.get('x-linked-etag') ?? response.headers.get('etag') ?? '').replace(/^W\//, '').replace(/"/g, '');
  if (meta.sha256 === undefined && /^[0-9a-f]{64}$/i.test(etag)) meta.sha256 = etag.toLowerCase();
}

async function appendBody(
  response: Response,
  part: string,
  offset: number,
  name: string,
  meta: FileMeta,
  onProgress: TransferSettings['onProgress'],
  onData: () => void,
): Promise<TransferOutcome> {
  // 'r+' at a fixed position overwrites any stale tail; 'w' when starting from zero.
  const handle = await open(part, offset > 0 ? 'r+' : 'w');
  let position = offset;
  try {
    onProgress?.({ file: name, bytes: position, total: meta.size });
    if (response.body) {
      for await (const chunk of response.body as unknown as AsyncIterable<Uint8Array>) {
        onData();
        await handle.write(chunk, 0, chunk.length, position);
        position += chunk.length;
        onProgress?.({ file: name, bytes: position, total: meta.size });
      }
    }
    await handle.truncate(position);
    await handle.sync();
  } catch (cause) {
    // Keep what arrived: the next attempt resumes from here.
    await handle.truncate(position).catch(() => undefined);
    if ((cause as NodeJS.ErrnoException).code && !isConnectionError(cause)) {
      throw new ModelDownloadError(`cannot write ${part}: ${(cause as Error).message}`, { code: 'WRITE_FAILED', file: part, cause });
    }
    return { kind: 'retry', reason: `connection lost after ${position} bytes (${describeNetworkError(cause)})`, network: true, cause };
  } finally {
    await handle.close();
  }
  if (meta.size !== undefined && position < meta.size) {
    return { kind: 'retry', reason: `connection closed after ${position} of ${meta.size} bytes`, network: true };
  }
  return { kind: 'done', meta };
}

function parseContentRangeTotal(header: string | null): number | undefined {
  const m = /\/(\d+)$/.exec(header ?? '');
  return m ? Number(m[1]) : undefined;
}

const CONNECTION_CODES = new Set(['ECONNREFUSED', 'ENOTFOUND', 'EAI_AGAIN', 'ECONNRESET', 'ETIMEDOUT', 'EHOSTUNREACH', 'ENETUNREACH', 'EPIPE', 'UND_ERR_SOCKET', 'UND_ERR_CONNECT_TIMEOUT']);

function errorCodes(e: unknown): string[] {
  const codes: string[] = [];
  for (let c = e as { code?: unknown; cause?: unknown } | undefined, depth = 0; c && depth < 5; c = c.cause as typeof c, depth++) {
    if (typeof c.code === 'string') codes.push(c.code);
  }
  return codes;
}

function isConnectionError(e: unknown): boolean {
  if (e instanceof TypeError && e.message === 'fetch failed') return true;
  if (e instanceof TypeError && /terminated/.test(e.message)) return true;
  if ((e as Error)?.name === 'AbortError' || (e as Error)?.name === 'TimeoutError') return true;
  return errorCodes(e).some((c) => CONNECTION_CODES.has(c));
}

function describeNetworkError(e: unknown): string {
  const codes = errorCodes(e);
  const message = e instanceof Error ? e.message : String(e);
  const inner = (e as { cause?: { message?: string } })?.cause?.message;
  return [codes[codes.length - 1], inner ?? message].filter(Boolean).join(': ');
}

async function sizeOf(path: string): Promise<number | undefined> {
  try {
    return (await stat(path)).size;
  } catch {
    return undefined;
  }
}

async function sha256File(path: string): Promise<string> {
  const hash = createHash('sha256');
  for await (const chunk of createReadStream(path)) hash.update(chunk as Buffer);
  return hash.digest('hex');
}

function delay(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    const timer = setTimeout(resolve, ms);
    signal?.addEventListener('abort', () => {
      clearTimeout(timer);
      resolve();
    }, { once: true });
  });
}
