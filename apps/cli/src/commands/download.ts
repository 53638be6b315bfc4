import { DEFAULT_MODEL_REPO, defaultModelCacheDir, downloadModel } from '@wsp/speaker';
import type { Args, CommandSpec, Io } from '../args.js';
import { jsonLine } from '../output.js';
import { createProgress } from '../progress.js';

export const download: CommandSpec = {
  name: 'download',
  summary: 'fetch the published model (config.json + model.safetensors) from the Hugging Face hub into the cache',
  usage: 'wsp download [--repo owner/name] [--revision main] [--dir DIR] [--endpoint URL] [--force]',
  description:
    `Downloads ${DEFAULT_MODEL_REPO} into ${defaultModelCacheDir()} (or --dir), resuming interrupted\n` +
    'transfers and checking sizes and sha256. Files already there are used without network. $HF_ENDPOINT points at a\n' +
    'mirror, $HF_TOKEN authenticates, $WSP_CACHE_DIR moves the cache. Offline, the error names the URLs to fetch by hand\n' +
    'and the folder to put them in. The other commands find the model there without --model.',
  positionals: { min: 0, max: 0 },
  options: {
    repo: { type: 'string', value: 'REPO', description: `Hub repository [${DEFAULT_MODEL_REPO}]` },
    revision: { type: 'string', value: 'REV', description: 'Branch, tag or commit [main]' },
    dir: { type: 'string', value: 'DIR', description: 'Folder to download into [the cache folder above]' },
    endpoint: { type: 'string', value: 'URL', description: 'Hub address [$HF_ENDPOINT or https://huggingface.co]' },
    retries: { type: 'string', value: 'N', description: 'Retries after a dropped connection or a 5xx answer [3]' },
    force: { type: 'boolean', description: 'Download again even when the files are there' },
    json: { type: 'boolean', description: 'A JSON summary on stdout' },
  },
  examples: ['wsp download', 'HF_ENDPOINT=https://hf-mirror.com wsp download --dir ./model'],
  async run(args: Args, io: Io) {
    const progress = createProgress(io, 'downloading', { bytes: true });
    let current = '';
    const result = await downloadModel({
      repo: args.string('repo'),
      revision: args.string('revision'),
      cacheDir: args.string('dir'),
      endpoint: args.string('endpoint'),
      retries: args.number('retries', { min: 0, integer: true }),
      force: args.flag('force'),
      onProgress: ({ file, bytes, total }) => {
        if (file !== current) {
          progress.done();
          current = file;
        }
        progress.update(bytes, total, file);
      },
    });
    progress.done();
    if (args.flag('json')) {
      jsonLine(io, result);
      return;
    }
    for (const f of result.files) io.out(`${f.cached ? 'cached' : 'downloaded'} ${f.path} (${f.size.toLocaleString('en-US')} bytes${f.sha256 ? `, sha256 ${f.sha256}` : ''})\n`);
    io.out(`model folder: ${result.dir}\n`);
  },
};
