import { access } from 'node:fs/promises';
import { join } from 'node:path';
import { listBackends } from '@wsp/resnet-graph';
import { defaultModelCacheDir, loadOptionalBackends } from '@wsp/speaker';
import type { AscendReport } from '@wsp/backend-ascend';
import type { Args, CommandSpec, Io } from '../args.js';
import { machineFacts } from '../machine.js';
import { jsonLine } from '../output.js';

const exists = (p: string) =>
  access(p).then(
    () => true,
    () => false,
  );

/** Signs of a CANN install: the environment set by its set_env.sh, or the default install folders. */
async function cannSigns() {
  const env = Object.fromEntries(['ASCEND_HOME_PATH', 'ASCEND_TOOLKIT_HOME', 'ASCEND_OPP_PATH'].filter((k) => process.env[k]).map((k) => [k, process.env[k]!]));
  const folders: string[] = [];
  for (const d of ['/usr/local/Ascend/ascend-toolkit/latest', '/usr/local/Ascend/cann', '/usr/local/Ascend']) if (await exists(d)) folders.push(d);
  return { env, folders };
}

/** `describeAscend()` of @wsp/backend-ascend (CANN version, libraries, devices), when it is installed. */
async function ascendReport(): Promise<AscendReport | { available: false; reason: string }> {
  try {
    const ascend = await import('@wsp/backend-ascend');
    return ascend.describeAscend();
  } catch (e) {
    return { available: false, reason: `@wsp/backend-ascend cannot be loaded (${(e as Error).message.split('\n')[0]}); npm install @wsp/backend-ascend` };
  }
}

function cannLine(report: Awaited<ReturnType<typeof ascendReport>>, signs: Awaited<ReturnType<typeof cannSigns>>): string[] {
  const where = [...Object.entries(signs.env).map(([k, v]) => `${k}=${v}`), ...signs.folders].join(', ') || 'no ASCEND_HOME_PATH, no /usr/local/Ascend';
  if (!('cannVersion' in report)) return [`CANN: ${where}`, `  ${report.reason}`];
  if (!report.available) return [`CANN: ${report.cannVersion ? `version ${report.cannVersion}, ` : ''}${where}`, `  not usable: ${report.reason ?? report.code}`];
  return [
    `CANN: version ${report.cannVersion ?? 'unknown'} (ACL ${report.aclVersion ?? 'unknown'}) from ${report.libraryDirectory}`,
    `  ${report.deviceCount} device${report.deviceCount === 1 ? '' : 's'}: ${report.devices.map((d) => `${d.id}: ${d.socName ?? 'unknown'}${d.memoryTotal ? `, ${(d.memoryTotal / 2 ** 30).toFixed(1)} GiB` : ''}${d.error ? ` (${d.error})` : ''}`).join('; ')}`,
  ];
}

export const doctor: CommandSpec = {
  name: 'doctor',
  summary: 'what this machine can run: backends (or why not), CPU features, CANN and Ascend devices, the model cache',
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
      backends,
      optionalPackages: optional,
      cann: { ...(await cannSigns()), ascend: await ascendReport() },
      model: { cacheDir: modelDir, present: (await exists(join(modelDir, 'config.json'))) && (await exists(join(modelDir, 'model.safetensors'))) },
    };
    if (args.flag('json')) {
      jsonLine(io, report);
      return;
    }
    const m = report.machine;
    const lines = [
      `node ${m.node} on ${m.platform}, ${m.cores} cores (${m.cpuModel}), ${m.memoryGiB} GiB`,
      `CPU features: ${m.cpuFeatures.length ? m.cpuFeatures.join(' ') : 'unknown'}`,
      '',
      "backends ('auto' takes the first available, top to bottom):",
      ...backends.map((b) => `  ${b.available ? 'yes' : 'no '} ${b.name.padEnd(14)} priority ${String(b.priority).padStart(3)}  ${b.available ? (b.description ?? '') : (b.reason ?? 'unavailable')}`),
      ...optional.filter((o) => !o.loaded).map((o) => `  no  ${o.package}: ${o.reason}`),
      '',
      ...cannLine(report.cann.ascend, report.cann),
      `model: ${report.model.present ? `present in ${modelDir}` : `not downloaded (wsp download puts it in ${modelDir}; or pass --model DIR)`}`,
      '',
    ];
    io.out(lines.join('\n'));
  },
};
