// A local imitation of the Hugging Face hub for download tests (@wsp/speaker, the wsp CLI), on 127.0.0.1 only:
// - /<repo>/resolve/<rev>/<small file>: 200 with an ETag holding a git sha1 (like config.json);
// - /<repo>/resolve/<rev>/<lfs file>: 302 to /cdn/<file> with x-linked-size and x-linked-etag
//   (the sha256), like LFS files on the hub;
// - /cdn/<file>: the bytes, with Range support, and faults a test can switch on;
// - anything else: 404 with x-error-code EntryNotFound.
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { createServer } from 'node:http';
import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';

export interface HubFile {
  bytes: Uint8Array;
  lfs: boolean;
}

export interface Faults {
  /** Close the connection after this many body bytes, for the next `dropTimes` CDN responses. */
  dropAfterBytes?: number;
  dropTimes?: number;
  /** Serve these bytes instead of the real ones (the announced hash stays the real one). */
  corruptWith?: Uint8Array;
  /** Answer 200 with the whole file even when a Range is asked for. */
  ignoreRange?: boolean;
  /** Answer 503 this many times first. */
  unavailableTimes?: number;
  /** Announce this size in x-linked-size instead of the real one. */
  announceSize?: number;
}

export interface RecordedRequest {
  method: string;
  url: string;
  range: string | undefined;
  authorization: string | undefined;
}

export interface FakeHub {
  endpoint: string;
  requests: RecordedRequest[];
  faults: Faults;
  close(): Promise<void>;
}

export const sha256 = (bytes: Uint8Array) => createHash('sha256').update(bytes).digest('hex');
const sha1 = (bytes: Uint8Array) => createHash('sha1').update(bytes).digest('hex');

export interface FakeHubOptions {
  revision?: string;
  /** Where LFS redirects point (another fake hub's endpoint); default: this server. */
  cdnEndpoint?: string;
}

export async function startFakeHub(repo: string, files: Record<string, HubFile>, options: FakeHubOptions = {}): Promise<FakeHub> {
  const { revision = 'main', cdnEndpoint = '' } = options;
  const requests: RecordedRequest[] = [];
  const faults: Faults = {};
  const handler = (req: IncomingMessage, res: ServerResponse) => {
    const url = new URL(req.url ?? '/', 'http://127.0.0.1');
    requests.push({ method: req.method ?? 'GET', url: url.pathname, range: req.headers.range, authorization: req.headers.authorization });
    const prefix = `/${repo}/resolve/${encodeURIComponent(revision)}/`;
    if (url.pathname.startsWith(prefix)) {
      const name = decodeURIComponent(url.pathname.slice(prefix.length));
      const file = files[name];
      if (!file) return notFound(res);
      if (file.lfs) {
        res.writeHead(302, {
          location: `${cdnEndpoint}/cdn/${encodeURIComponent(name)}?signature=abc`,
          'x-linked-size': String(faults.announceSize ?? file.bytes.length),
          'x-linked-etag': `"${sha256(file.bytes)}"`,
          etag: `"${sha256(file.bytes)}"`,
        });
        return res.end();
      }
      res.writeHead(200, { 'content-length': String(file.bytes.length), etag: `"${sha1(file.bytes)}"` });
      return res.end(file.bytes);
    }
    if (url.pathname.startsWith('/cdn/')) {
      const file = files[decodeURIComponent(url.pathname.slice(5))];
      if (!file) return notFound(res);
      if (faults.unavailableTimes) {
        faults.unavailableTimes--;
        res.writeHead(503);
        return res.end('try later');
      }
      const bytes = faults.corruptWith ?? file.bytes;
      const range = /^bytes=(\d+)-$/.exec(req.headers.range ?? '');
      let start = 0;
      if (range && !faults.ignoreRange) {
        start = Number(range[1]);
        if (start >= bytes.length) {
          res.writeHead(416, { 'content-range': `bytes */${bytes.length}` });
          return res.end();
        }
        res.writeHead(206, { 'content-range': `bytes ${start}-${bytes.length - 1}/${bytes.length}`, 'content-length': String(bytes.length - start) });
      } else {
        res.writeHead(200, { 'content-length': String(bytes.length) });
      }
      const body = bytes.subarray(start);
      if (faults.dropTimes && faults.dropAfterBytes !== undefined) {
        faults.dropTimes--;
        res.write(body.subarray(0, faults.dropAfterBytes), () => {
          // Drop the connection mid-body, as a flaky network would.
          setTimeout(() => res.socket?.destroy(), 20);
        });
        return;
      }
      return res.end(body);
    }
    notFound(res);
  };
  const server: Server = createServer(handler);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    endpoint: `http://127.0.0.1:${port}`,
    requests,
    faults,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections(); // fetch keeps connections alive
      }),
  };
}

function notFound(res: ServerResponse): void {
  res.writeHead(404, { 'x-error-code': 'EntryNotFound' });
  res.end('Entry not found');
}

/** An address on this machine where nothing listens (a refused connection = offline). */
export async function refusedEndpoint(): Promise<string> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return `http://127.0.0.1:${port}`;
}

/**
 * A hub serving a model folder as the published repository: `config.json` as a small git file,
 * `model.safetensors` as an LFS file (redirect + sha256), under `aufklarer/WeSpeaker-ResNet34-LM-MLX`.
 */
export function startModelHub(modelDir: string, repo = 'aufklarer/WeSpeaker-ResNet34-LM-MLX'): Promise<FakeHub> {
  const read = (name: string) => new Uint8Array(readFileSync(join(modelDir, name)));
  return startFakeHub(repo, {
    'config.json': { bytes: read('config.json'), lfs: false },
    'model.safetensors': { bytes: read('model.safetensors'), lfs: true },
  });
}
