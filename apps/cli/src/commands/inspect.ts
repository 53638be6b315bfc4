import { inspectWeights } from '@wsp/weights';
import type { WeightsInspection } from '@wsp/weights';
import type { Args, CommandSpec, Io } from '../args.js';
import { InputError } from '../exit-codes.js';
import { jsonLine, markdownTable } from '../output.js';

function report(r: WeightsInspection): string {
  const lines = [
    `file: ${r.file ?? '(bytes)'}`,
    `format: ${r.format}${r.stateDictPath ? ` (state dict at '${r.stateDictPath}')` : ''}, ${r.byteLength.toLocaleString('en-US')} bytes`,
    `tensors: ${r.tensorCount}, parameters: ${r.parameterCount.toLocaleString('en-US')}, dtypes: ${Object.entries(r.dtypes)
      .map(([d, n]) => `${d} x${n}`)
      .join(', ')}`,
  ];
  if (r.metadata && Object.keys(r.metadata).length) lines.push(`metadata: ${JSON.stringify(r.metadata)}`);
  if (r.model) {
    const m = r.model;
    lines.push(
      `model: layers [${m.config.layers}], channels [${m.config.channels}], embedding ${m.config.embedding_dim}, n_mels ${m.config.n_mels} ` +
        `(config ${m.configSource === 'inferred' ? 'inferred from the shapes' : `from ${m.configSource}`}); ${m.naming} names, ${m.layout.toUpperCase()} convs, BatchNorm ${m.batchNormFused ? 'fused' : 'not fused (fused on load)'}; ` +
        `${m.parameterCount.toLocaleString('en-US')} parameters after fusion`,
    );
  }
  const v = r.validation;
  lines.push(`validation: ${v.ok ? 'ok' : `FAILED: ${v.message ?? 'tensors do not fit the model'}`}`);
  if (v.ignored.length) lines.push(`ignored (not needed for inference): ${v.ignored.join(', ')}`);
  for (const note of r.notes) lines.push(`note: ${note}`);
  lines.push('', markdownTable(['name', 'dtype', 'shape', 'parameters'], r.tensors.map((t) => [t.name, t.dtype, `[${t.shape.join(', ')}]`, String(t.parameters)])));
  return lines.join('\n');
}

export const inspect: CommandSpec = {
  name: 'inspect',
  summary: 'what a weights file holds: format, tensors, dtypes, shapes, parameter count, validation',
  usage: 'wsp inspect <weights> [--json]',
  description:
    'Reads only the safetensors header or the PyTorch pickle (never the tensor data). Exit 0 when the tensors fit the\n' +
    'WeSpeaker ResNet, 2 when they do not (the report says which are missing, unexpected or mis-shaped).',
  positionals: { min: 1, max: 1 },
  options: { json: { type: 'boolean', description: 'The report as JSON' } },
  examples: ['wsp inspect ./WeSpeaker-ResNet34-LM-MLX', 'wsp inspect pytorch_model.bin --json'],
  async run(args: Args, io: Io) {
    const r = await inspectWeights(args.positionals[0]);
    if (args.flag('json')) jsonLine(io, r);
    else io.out(report(r));
    if (!r.validation.ok) throw new InputError(`${r.file ?? args.positionals[0]}: ${r.validation.message ?? 'the tensors do not fit the WeSpeaker ResNet'}`);
  },
};
