import { access } from 'node:fs/promises';
import { join } from 'node:path';
import { listBackends } from '@wsp/resnet-graph';
import { defaultModelCacheDir, loadOptionalBackends } from '@wsp/speaker';
import type { Args, CommandSpec, Io } from '../args.js';
import { cpuFeatures, machineFacts } from '../machine.js';
import { jsonLine } from '../output.js';

const exists = (p: string) =>
  access(p).then(
    () => true,
    () => false,
  );

/** Signs of a CANN install: the environment set by its set_env.sh, or the default install folder. */
async function cannInstall() {
  const env = Object.fromEntries(['ASCEND_HOME_PATH', 'ASCEND_TOOLKIT_HOME', 'ASCEND_OPP_PATH'].filter((k) => process.env[k]).map((k) => [k, process.env[k]!]));
  const defaults = ['/usr/local/Ascend/ascend-toolkit/latest', '/usr/local/Ascend/cann', '/usr/local/Ascend'];
  const found: string[] = [];
  for (const d of defaults) if (await exists(d)) found.push(d);
  return { env, folders: found, detected: Object.keys(env).length > 0 || found.length > 0 };
}

export const doctor: CommandSpec = {
  name: 'doctor',
  summary: 'what this machine can run: backends (or why not), CPU features, CANN, the model cache',
  usage: 'wsp doctor [--json]',
  positionals: { min: 0, max: 0 },
  options: { json: { type: 'boolean', description: 'The report as JSON' } },
  examples: ['wsp doctor', 'wsp doctor --json'],
  async run(args: Args, io: Io) {
    const optional = await loadOptionalBackends();
    const backends = await listBackends();
    const modelDir = defaultModelCacheDir();
    const report = {
      machine: machineFacts(),
      cpuFeatures: cpuFeatures(),
      backends,
      optionalPackages: optional,
      cann: await cannInstall(),
      model: { cacheDir: modelDir, present: (await exists(join(modelDir, 'config.json'))) && (await exists(join(modelDir, 'model.safetensors'))) },
    };
    if (args.flag('json')) {
      jsonLine(io, report);
      return;
    }
    const m = report.machine;
    const lines = [
      `node ${m.node} on ${m.platform}, ${m.cores} cores (${m.cpuModel}), ${m.memoryGiB} GiB`,
      `CPU features: ${report.cpuFeatures.length ? report.cpuFeatures.join(' ') : 'unknown'}`,
      '',
      "backends ('auto' takes the first available, top to bottom):",
      ...backends.map((b) => `  ${b.available ? 'yes' : 'no '} ${b.name.padEnd(14)} priority ${String(b.priority).padStart(3)}  ${b.available ? (b.description ?? '') : (b.reason ?? 'unavailable')}`),
      ...optional.filter((o) => !o.loaded).map((o) => `  no  ${o.package}: ${o.reason}`),
      '',
      `CANN: ${report.cann.detected ? `found (${[...Object.entries(report.cann.env).map(([k, v]) => `${k}=${v}`), ...report.cann.folders].join(', ')})` : 'not found (no ASCEND_HOME_PATH, no /usr/local/Ascend)'}`,
      `model: ${report.model.present ? `present in ${modelDir}` : `not downloaded (wsp download puts it in ${modelDir}; or pass --model DIR)`}`,
      '',
    ];
    io.out(lines.join('\n'));
  },
};
