import { convertWeights } from '@wsp/weights';
import type { Args, CommandSpec, Io } from '../args.js';
import { jsonLine } from '../output.js';

export const convert: CommandSpec = {
  name: 'convert',
  summary: 'convert weights between MLX safetensors and PyTorch (the Python port\'s convert_weights.py)',
  usage: 'wsp convert --input <weights> --output <file.bin|file.safetensors> [--layout oihw|ohwi] [--dtype F32|F16|BF16]',
  description:
    'Reads any supported source (a model folder, MLX or PyTorch-layout safetensors, torch.save checkpoints incl. pyannote\n' +
    "and WeSpeaker's avg_model.pt with BatchNorm fused) and writes the canonical tensors. The output extension picks the\n" +
    'format (.bin/.pt/.pth: PyTorch, loadable with torch.load(weights_only=True); .safetensors). Default layout: OIHW for\n' +
    'PyTorch output (what convert_weights.py writes), OHWI (MLX) for safetensors.',
  positionals: { min: 0, max: 0 },
  options: {
    input: { type: 'string', value: 'PATH', description: 'Model folder or weights file to read (required)' },
    output: { type: 'string', value: 'FILE', description: 'File to write: .bin, .pt, .pth or .safetensors (required)' },
    layout: { type: 'string', value: 'LAYOUT', description: 'Convolution layout: oihw (PyTorch) or ohwi (MLX)' },
    dtype: { type: 'string', value: 'DTYPE', description: 'Stored element type: F32, F16 or BF16 [F32]' },
    json: { type: 'boolean', description: 'The conversion summary as JSON' },
  },
  examples: [
    'wsp convert --input model.safetensors --output pytorch_model.bin',
    'wsp convert --input avg_model.pt --output model.safetensors --layout ohwi',
  ],
  async run(args: Args, io: Io) {
    const summary = await convertWeights({
      input: args.required('input'),
      output: args.required('output'),
      layout: args.choice('layout', ['oihw', 'ohwi'] as const),
      dtype: args.choice('dtype', ['F32', 'F16', 'BF16'] as const),
    });
    if (args.flag('json')) {
      jsonLine(io, summary);
      return;
    }
    const s = summary.source;
    io.out(
      `read ${summary.input}: ${s.format}, ${s.naming} names, ${s.layout.toUpperCase()} convs${s.batchNormFused ? '' : ', BatchNorm fused on load'} (config ${summary.configSource === 'inferred' ? 'inferred from the shapes' : `from ${summary.configSource}`})\n` +
        `wrote ${summary.output}: ${summary.format}, ${summary.layout.toUpperCase()}, ${summary.dtype}, ${summary.tensorCount} tensors, ` +
        `${summary.parameterCount.toLocaleString('en-US')} parameters, ${summary.bytesWritten.toLocaleString('en-US')} bytes\n`,
    );
    for (const note of summary.notes) io.err(`wsp: note: ${note}\n`);
  },
};
