import type * as NodeFsModule from 'node:fs';
import { useNativeCrc32 } from './crc32.js';
import { WeightsError } from './errors.js';
import type { RandomAccess } from './random-access.js';

/**
 * File access for the functions that take paths. `node:fs` is imported on first use, never at
 * module load, so the package's bytes-based API bundles and runs in browsers. The specifier is a
 * variable and carries the webpack/vite "ignore" comments so that bundlers leave it alone.
 */
type NodeFs = typeof NodeFsModule;
type NodeZlib = { crc32?: (data: Uint8Array, value: number) => number };

const NODE_FS = 'node:fs';
const NODE_ZLIB = 'node:zlib';
let fsPromise: Promise<NodeFs> | undefined;

function nodeFs(): Promise<NodeFs> {
  fsPromise ??= loadNodeModules();
  return fsPromise;
}

async function loadNodeModules(): Promise<NodeFs> {
  try {
    const fs = (await import(/* webpackIgnore: true */ /* @vite-ignore */ NODE_FS)) as NodeFs;
    // While we are in Node anyway: zlib's native CRC-32 is much faster than ours for big archives.
    const zlib = (await import(/* webpackIgnore: true */ /* @vite-ignore */ NODE_ZLIB)) as NodeZlib;
    if (typeof zlib.crc32 === 'function') useNativeCrc32(zlib.crc32);
    return fs;
  } catch (e) {
    fsPromise = undefined;
    throw new WeightsError('file paths need Node.js (node:fs is unavailable here); pass the file contents as bytes instead', {
      code: 'NODE_FS_UNAVAILABLE',
      cause: e,
    });
  }
}

/** Default ceiling for reading a whole weights file into memory. */
export const DEFAULT_MAX_FILE_BYTES = 2 ** 31 - 1;

const ioError = (path: string, e: unknown): WeightsError =>
  new WeightsError(`cannot read: ${(e as Error).message}`, { code: 'FILE_READ_FAILED', file: path, cause: e });

export async function pathKind(path: string): Promise<'file' | 'directory' | 'missing'> {
  const fs = await nodeFs();
  try {
    const stat = await fs.promises.stat(path);
    return stat.isDirectory() ? 'directory' : 'file';
  } catch {
    return 'missing';
  }
}

export async function listDirectory(path: string): Promise<string[]> {
  const fs = await nodeFs();
  try {
    return await fs.promises.readdir(path);
  } catch (e) {
    throw ioError(path, e);
  }
}

/** The whole file; refuses files larger than `maxBytes` before reading them. */
export async function readFileBytes(path: string, maxBytes = DEFAULT_MAX_FILE_BYTES): Promise<Uint8Array> {
  const fs = await nodeFs();
  try {
    const { size } = await fs.promises.stat(path);
    if (size > maxBytes) {
      throw new WeightsError(`file of ${size} bytes exceeds the ${maxBytes}-byte limit`, { code: 'FILE_TOO_LARGE', file: path });
    }
    return await fs.promises.readFile(path);
  } catch (e) {
    if (WeightsError.isInstance(e)) throw e;
    throw ioError(path, e);
  }
}

/** Runs `fn` with random access to the file (reads only what `fn` asks for), then closes it. */
export async function withFileAccess<T>(path: string, fn: (access: RandomAccess) => T): Promise<T> {
  const fs = await nodeFs();
  let fd: number;
  let size: number;
  try {
    fd = fs.openSync(path, 'r');
    size = fs.fstatSync(fd).size;
  } catch (e) {
    throw ioError(path, e);
  }
  try {
    return fn({
      byteLength: size,
      read(offset, length) {
        const out = new Uint8Array(length);
        let done = 0;
        while (done < length) {
          const n = fs.readSync(fd, out, done, length - done, offset + done);
          if (n === 0) throw new WeightsError('file shrank while being read', { code: 'FILE_READ_FAILED', file: path });
          done += n;
        }
        return out;
      },
    });
  } finally {
    fs.closeSync(fd);
  }
}

export async function writeFileBytes(path: string, data: Uint8Array | string): Promise<void> {
  const fs = await nodeFs();
  try {
    await fs.promises.writeFile(path, data);
  } catch (e) {
    throw new WeightsError(`cannot write: ${(e as Error).message}`, { code: 'FILE_WRITE_FAILED', file: path, cause: e });
  }
}

export async function makeDirectory(path: string): Promise<void> {
  const fs = await nodeFs();
  try {
    await fs.promises.mkdir(path, { recursive: true });
  } catch (e) {
    throw new WeightsError(`cannot create directory: ${(e as Error).message}`, { code: 'FILE_WRITE_FAILED', file: path, cause: e });
  }
}

/** `dir/name` without node:path ('/' works on every platform Node runs on). */
export const joinPath = (dir: string, name: string): string => `${dir.replace(/[\\/]+$/, '')}/${name}`;

export const baseName = (path: string): string => path.split(/[\\/]/).pop() ?? path;
