import { describe, expect, it } from 'vitest';
import {
  PickleObject,
  RESNET34_LM_CONFIG,
  TorchTensorRef,
  loadWeSpeakerWeights,
  openTorchCheckpoint,
  parseConfig,
  readSafetensors,
  readTorchStateDict,
} from '../src/index.js';
import { expectSameTensors, fixturePath, manifest, readFixture } from './helpers.js';

// Every case was written by torch.save (tools/reference/weights_fixtures.py); the expected tensors
// are torch's own float32 BatchNorm fusion + permute of the same weights.
describe('PyTorch checkpoints written by torch 1.13', () => {
  const { cases, config } = manifest();

  for (const c of cases) {
    it(`${c.file} (${c.description}) loads to torch's fused tensors, bit for bit`, async () => {
      const loaded = await loadWeSpeakerWeights(fixturePath(c.file));
      const expected = readSafetensors(readFixture(c.expected)).tensors;
      expectSameTensors(loaded.tensors, expected);
      expect(loaded.format).toBe('pytorch');
      expect(loaded.source.naming).toBe(c.naming);
      expect(loaded.source.layout).toBe('oihw');
      expect(loaded.source.batchNormFused).toBe(c.naming === 'mlx');
      expect(loaded.configSource).toBe('inferred');
      expect(loaded.config).toEqual(parseConfig({ ...config, model_type: 'wespeaker-resnet' }));
      for (const t of loaded.tensors.values()) expect(t.data.length).toBe(t.size); // contiguous, own length
    });
  }

  it('reads the WeSpeaker state dict under its own names, ignoring nothing', () => {
    const raw = readTorchStateDict(readFixture('wespeaker-tiny.pt'));
    expect(raw.get('layer2.0.shortcut.0.weight')!.shape).toEqual([8, 4, 1, 1]);
    expect(raw.get('layer2.0.shortcut.1.running_var')!.shape).toEqual([8]);
    expect(raw.get('projection.weight')!.shape).toEqual([7, 16]);
    // int64 storages convert too: the fixture sets num_batches_tracked to 1234
    expect(raw.get('bn1.num_batches_tracked')!.data[0]).toBe(1234);
  });

  it('skips the ArcMargin head and the BatchNorm counters on purpose, and says so', async () => {
    const loaded = await loadWeSpeakerWeights(readFixture('wespeaker-tiny.pt'));
    expect(loaded.ignored).toContain('projection.weight');
    expect(loaded.ignored).toContain('layer1.0.bn2.num_batches_tracked');
    expect(loaded.ignored.every((n) => n === 'projection.weight' || n.endsWith('.num_batches_tracked'))).toBe(true);
    expect(loaded.notes.join(' ')).toMatch(/inferred.*n_mels 80 \(any n_mels from 73 to 80/);
  });

  it('finds the state dict of a Lightning checkpoint behind the resnet. prefix and keeps pyannote objects inert', async () => {
    const loaded = await loadWeSpeakerWeights(readFixture('pyannote-tiny.bin'));
    expect(loaded.source.prefix).toBe('resnet.');
    expect(loaded.source.stateDictPath).toBe('state_dict');
    const checkpoint = openTorchCheckpoint(readFixture('pyannote-tiny.bin'));
    const root = checkpoint.root as Map<string, unknown>;
    expect(root.get('epoch')).toBe(3);
    const pyannote = root.get('pyannote.audio') as Map<string, unknown>;
    const spec = pyannote.get('specifications');
    expect(spec).toBeInstanceOf(PickleObject);
    expect((spec as PickleObject).callee).toBe('pyannote.audio.core.task.Specifications');
    const versions = pyannote.get('versions') as Map<string, unknown>;
    expect((versions.get('torch') as PickleObject).callee).toBe('torch.torch_version.TorchVersion');
    expect(pyannote.get('blob')).toEqual(new Uint8Array([0, 1, ...new TextEncoder().encode('raw bytes'), 0xff]));
    expect(pyannote.get('labels')).toEqual(new Set(['a', 'b']));
    // Tensors outside the state dict (optimizer state) are rebuilt as references too.
    const optimizer = (root.get('optimizer_states') as unknown[])[0] as Map<string, Map<number, Map<string, unknown>>>;
    const expAvg = optimizer.get('state')!.get(0)!.get('exp_avg');
    expect(expAvg).toBeInstanceOf(TorchTensorRef);
    expect(checkpoint.float32(expAvg as TorchTensorRef).shape).toEqual([3, 3]);
  });

  it('honours strides and storage offsets of views saved as they are', () => {
    const checkpoint = openTorchCheckpoint(readFixture('noncontiguous-tiny.pt'));
    const refs = checkpoint.stateDict().tensors;
    const conv = refs.get('layer1.0.conv1.weight')!;
    expect(conv.isContiguous).toBe(false);
    expect(conv.stride).toEqual([36, 1, 12, 4]); // a permute(0, 3, 1, 2) of a [4, 3, 3, 4] tensor
    const biases = [...refs].filter(([n]) => n.endsWith('.bias')).map(([, r]) => r);
    expect(new Set(biases.map((r) => r.storage.key)).size).toBe(1); // one shared storage
    expect(Math.max(...biases.map((r) => r.storageOffset))).toBeGreaterThan(0);
    expect(refs.get('embedding.weight')!.stride).toEqual([1, 16]);
  });

  it('reads what config.json says over what it would infer', async () => {
    const bytes = readFixture('wespeaker-tiny.pt');
    const given = parseConfig({ ...manifest().config, model_type: 'from-options' });
    const loaded = await loadWeSpeakerWeights(bytes, { config: given });
    expect(loaded.configSource).toBe('options');
    expect(loaded.config.model_type).toBe('from-options');
    await expect(loadWeSpeakerWeights(bytes, { config: RESNET34_LM_CONFIG })).rejects.toThrow(/WEIGHTS_MISMATCH|do not match/);
  });
});
