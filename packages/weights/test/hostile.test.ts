import { deflateRawSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import {
  encodeSafetensors,
  encodeTorchStateDict,
  encodeZip,
  float32Tensor,
  generateSyntheticModel,
  inspectWeightsBytes,
  loadWeSpeakerWeightsFromBytes,
  openSafetensors,
  openTorchCheckpoint,
  openZip,
  tinyConfig,
} from '../src/index.js';
import { readFixture, weightsErrorOf } from './helpers.js';

/** Runs `fn`, expects a WeightsError with `code`, within `ms` milliseconds. */
async function expectCode(fn: () => unknown, code: string, ms = 1000): Promise<void> {
  const t0 = performance.now();
  const e = await weightsErrorOf(fn);
  expect(e.code, e.message).toBe(code);
  expect(performance.now() - t0).toBeLessThan(ms);
}

const enc = new TextEncoder();

/** A safetensors file from a header (object or raw text) and a data section. */
function safetensors(header: unknown, data: Uint8Array = new Uint8Array(0), lengthField?: bigint): Uint8Array {
  const text = enc.encode(typeof header === 'string' ? header : JSON.stringify(header));
  const out = new Uint8Array(8 + text.length + data.length);
  new DataView(out.buffer).setBigUint64(0, lengthField ?? BigInt(text.length), true);
  out.set(text, 8);
  out.set(data, 8 + text.length);
  return out;
}

const f32 = (name: string, shape: number[], begin: number, end: number) => ({ [name]: { dtype: 'F32', shape, data_offsets: [begin, end] } });

describe('hostile safetensors', () => {
  const valid = encodeSafetensors(generateSyntheticModel(tinyConfig()).tensors);

  it('truncated anywhere', async () => {
    for (const cut of [0, 3, 7]) await expectCode(() => openSafetensors(valid.subarray(0, cut)), 'SAFETENSORS_TRUNCATED');
    await expectCode(() => openSafetensors(valid.subarray(0, 40)), 'SAFETENSORS_TRUNCATED');
    await expectCode(() => openSafetensors(valid.subarray(0, valid.length - 1)), 'SAFETENSORS_OFFSETS_INVALID');
  });

  it('header length beyond the file, or absurd', async () => {
    await expectCode(() => openSafetensors(safetensors({}, new Uint8Array(0), 1000n)), 'SAFETENSORS_TRUNCATED');
    await expectCode(() => openSafetensors(safetensors({}, new Uint8Array(0), 2n ** 63n)), 'SAFETENSORS_HEADER_TOO_LARGE');
    await expectCode(() => openSafetensors(safetensors({}, new Uint8Array(0), 100_000_001n)), 'SAFETENSORS_HEADER_TOO_LARGE');
  });

  it('header that is not a JSON object of entries', async () => {
    await expectCode(() => openSafetensors(safetensors('{"a": ')), 'SAFETENSORS_HEADER_INVALID');
    await expectCode(() => openSafetensors(safetensors('[1, 2]')), 'SAFETENSORS_HEADER_INVALID');
    const bad = safetensors('{"\xff": 1}');
    bad[10] = 0xff; // invalid UTF-8 inside the key
    await expectCode(() => openSafetensors(bad), 'SAFETENSORS_HEADER_INVALID');
    await expectCode(() => openSafetensors(safetensors({ a: 5 })), 'SAFETENSORS_HEADER_INVALID');
    await expectCode(() => openSafetensors(safetensors({ __metadata__: { a: 1 } })), 'SAFETENSORS_METADATA_INVALID');
  });

  it('unknown dtypes, bad or overflowing shapes, sizes that disagree', async () => {
    await expectCode(() => openSafetensors(safetensors({ a: { dtype: 'F8_E9', shape: [1], data_offsets: [0, 1] } }, new Uint8Array(1))), 'SAFETENSORS_DTYPE_UNKNOWN');
    await expectCode(() => openSafetensors(safetensors(f32('a', [2 ** 40, 2 ** 40], 0, 4), new Uint8Array(4))), 'SAFETENSORS_SHAPE_INVALID');
    await expectCode(() => openSafetensors(safetensors(f32('a', [-1], 0, 4), new Uint8Array(4))), 'SAFETENSORS_SHAPE_INVALID');
    await expectCode(() => openSafetensors(safetensors(f32('a', [1.5], 0, 4), new Uint8Array(4))), 'SAFETENSORS_SHAPE_INVALID');
    await expectCode(() => openSafetensors(safetensors(f32('a', [3], 0, 8), new Uint8Array(8))), 'SAFETENSORS_SIZE_MISMATCH');
  });

  it('offsets out of range, overlapping, leaving gaps, or naming a tensor twice', async () => {
    await expectCode(() => openSafetensors(safetensors(f32('a', [2], 0, 8), new Uint8Array(4))), 'SAFETENSORS_OFFSETS_INVALID');
    await expectCode(() => openSafetensors(safetensors(f32('a', [1], 8, 4), new Uint8Array(8))), 'SAFETENSORS_OFFSETS_INVALID');
    await expectCode(() => openSafetensors(safetensors(f32('a', [1], 2 ** 60, 2 ** 60 + 4), new Uint8Array(8))), 'SAFETENSORS_OFFSETS_INVALID');
    await expectCode(() => openSafetensors(safetensors({ ...f32('a', [2], 0, 8), ...f32('b', [2], 4, 12) }, new Uint8Array(12))), 'SAFETENSORS_OVERLAP');
    await expectCode(() => openSafetensors(safetensors({ ...f32('a', [1], 0, 4), ...f32('b', [1], 8, 12) }, new Uint8Array(12))), 'SAFETENSORS_OFFSETS_INVALID');
    await expectCode(() => openSafetensors(safetensors(f32('a', [1], 0, 4), new Uint8Array(8))), 'SAFETENSORS_OFFSETS_INVALID');
    const twice = '{"a": {"dtype": "F32", "shape": [1], "data_offsets": [0, 4]}, "a": {"dtype": "F32", "shape": [1], "data_offsets": [4, 8]}}';
    await expectCode(() => openSafetensors(safetensors(twice, new Uint8Array(8))), 'SAFETENSORS_DUPLICATE_NAME');
  });
});

/** A torch-like archive around a hand-written protocol 2 pickle of {name: tensor}. */
function torchArchive(pickle: string, storages: Record<string, Uint8Array>, extra: Record<string, string> = {}): Uint8Array {
  return encodeZip([
    { name: 'archive/data.pkl', data: new Uint8Array(Buffer.from(pickle, 'latin1')) },
    ...Object.entries(storages).map(([key, data]) => ({ name: `archive/data/${key}`, data })),
    ...Object.entries(extra).map(([name, text]) => ({ name: `archive/${name}`, data: enc.encode(text) })),
    { name: 'archive/version', data: enc.encode('3\n') },
  ]);
}

const u32 = (v: number) => String.fromCharCode(v & 0xff, (v >>> 8) & 0xff, (v >>> 16) & 0xff, (v >>> 24) & 0xff);
const str = (s: string) => `X${u32(s.length)}${s}`;
const int = (v: number) => `J${u32(v)}`;
/** {'w': _rebuild_tensor_v2(storage(type, '0', numel), offset, size, stride, False, OrderedDict())} */
function tensorPickle(opts: { type?: string; numel: number; offset?: number; size: number[]; stride: number[] }): string {
  const tuple = (xs: number[]) => `(${xs.map(int).join('')}t`;
  const storage = `(${str('storage')}ctorch\n${opts.type ?? 'FloatStorage'}\n${str('0')}${str('cpu')}${int(opts.numel)}tQ`;
  const args = `(${storage}${int(opts.offset ?? 0)}${tuple(opts.size)}${tuple(opts.stride)}\x89ccollections\nOrderedDict\n)Rt`;
  return `\x80\x02}${str('w')}ctorch._utils\n_rebuild_tensor_v2\n${args}Rs.`;
}

describe('hostile PyTorch archives', () => {
  const storage = new Uint8Array(24); // 6 float32

  it('a well-formed hand-made archive reads (the baseline for the cases below)', () => {
    const checkpoint = openTorchCheckpoint(torchArchive(tensorPickle({ numel: 6, size: [2, 3], stride: [3, 1] }), { 0: storage }));
    expect(checkpoint.float32(checkpoint.stateDict().tensors.get('w')!).shape).toEqual([2, 3]);
  });

  it('tensors reaching beyond their storage, storages of the wrong size, missing or of unsupported type', async () => {
    await expectCode(() => openTorchCheckpoint(torchArchive(tensorPickle({ numel: 6, size: [2, 3], stride: [4, 1] }), { 0: storage })), 'TORCH_TENSOR_INVALID');
    await expectCode(() => openTorchCheckpoint(torchArchive(tensorPickle({ numel: 6, offset: 1, size: [2, 3], stride: [3, 1] }), { 0: storage })), 'TORCH_TENSOR_INVALID');
    await expectCode(() => openTorchCheckpoint(torchArchive(tensorPickle({ numel: 6, size: [2 ** 31 - 1, 2 ** 31 - 1, 2 ** 31 - 1], stride: [0, 0, 0] }), { 0: storage })), 'TORCH_TENSOR_INVALID');
    await expectCode(() => openTorchCheckpoint(torchArchive(tensorPickle({ numel: 7, size: [6], stride: [1] }), { 0: storage })), 'TORCH_TENSOR_INVALID');
    await expectCode(() => openTorchCheckpoint(torchArchive(tensorPickle({ numel: 6, size: [6], stride: [1] }), {})), 'ZIP_ENTRY_MISSING');
    await expectCode(() => openTorchCheckpoint(torchArchive(tensorPickle({ type: 'ComplexFloatStorage', numel: 3, size: [3], stride: [1] }), { 0: storage })), 'TORCH_DTYPE_UNSUPPORTED');
  });

  it('pickles that would run code, or hold no state dict', async () => {
    const evil = `\x80\x02}${str('w')}cposix\nsystem\n${str('touch /tmp/pwned')}\x85Rs.`;
    await expectCode(() => loadWeSpeakerWeightsFromBytes(torchArchive(evil, {})), 'PICKLE_GLOBAL_FORBIDDEN');
    await expectCode(() => inspectWeightsBytes(torchArchive(evil, {})), 'PICKLE_GLOBAL_FORBIDDEN');
    await expectCode(() => openTorchCheckpoint(torchArchive(`\x80\x02}${str('epoch')}K\x03s.`, {})).stateDict(), 'TORCH_STATE_DICT_NOT_FOUND');
  });

  it('big-endian archives, TorchScript archives, legacy and unknown formats', async () => {
    const pickle = tensorPickle({ numel: 6, size: [6], stride: [1] });
    await expectCode(() => openTorchCheckpoint(torchArchive(pickle, { 0: storage }, { byteorder: 'big' })), 'TORCH_UNSUPPORTED');
    await expectCode(() => openTorchCheckpoint(torchArchive(pickle, { 0: storage }, { 'constants.pkl': '' })), 'TORCH_UNSUPPORTED');
    await expectCode(() => openTorchCheckpoint(encodeZip([{ name: 'readme.txt', data: enc.encode('hi') }])), 'TORCH_NOT_A_CHECKPOINT');
    const legacy = new Uint8Array([0x80, 0x02, 0x8a, 0x0a, 0x6c, 0xfc, 0x9c, 0x46, 0xf9, 0x20, 0x6a, 0xa8, 0x50, 0x19, 0x2e]);
    await expectCode(() => loadWeSpeakerWeightsFromBytes(legacy), 'FORMAT_LEGACY_TORCH');
    await expectCode(() => loadWeSpeakerWeightsFromBytes(enc.encode('#!/bin/sh\nrm -rf /\n')), 'FORMAT_UNKNOWN');
    await expectCode(() => loadWeSpeakerWeightsFromBytes(new Uint8Array(0)), 'FORMAT_UNKNOWN');
  });
});

describe('hostile zip structures', () => {
  const model = generateSyntheticModel(tinyConfig());
  const valid = encodeTorchStateDict(model.tensors);
  const view = (b: Uint8Array) => new DataView(b.buffer, b.byteOffset, b.byteLength);
  const endRecord = (b: Uint8Array) => b.length - 22;
  const centralDirectory = (b: Uint8Array) => view(b).getUint32(endRecord(b) + 16, true);

  it('truncated archives and corrupt central directories', async () => {
    await expectCode(() => openZip(valid.subarray(0, valid.length - 30)), 'ZIP_INVALID');
    await expectCode(() => openZip(valid.subarray(0, 10)), 'ZIP_INVALID');
    const badSignature = valid.slice();
    view(badSignature).setUint32(centralDirectory(valid), 0xdeadbeef, true);
    await expectCode(() => openZip(badSignature), 'ZIP_INVALID');
    const badOffset = valid.slice();
    view(badOffset).setUint32(endRecord(valid) + 16, valid.length + 100, true);
    await expectCode(() => openZip(badOffset), 'ZIP_INVALID');
    const tooMany = valid.slice();
    view(tooMany).setUint16(endRecord(valid) + 10, 0xfff0, true);
    await expectCode(() => openZip(tooMany), 'ZIP_INVALID');
    const badLocal = valid.slice();
    view(badLocal).setUint32(view(valid).getUint32(centralDirectory(valid) + 42, true), 0, true);
    await expectCode(() => openZip(badLocal), 'ZIP_INVALID');
  });

  it('corrupted data fails the CRC; encrypted and unknown methods are refused; duplicate names too', async () => {
    const corrupt = valid.slice();
    corrupt[corrupt.length - 2000] ^= 0x40;
    await expectCode(() => loadWeSpeakerWeightsFromBytes(corrupt), 'ZIP_CRC_MISMATCH');
    const encrypted = valid.slice();
    view(encrypted).setUint16(centralDirectory(valid) + 8, 1, true);
    await expectCode(() => openZip(encrypted), 'ZIP_UNSUPPORTED');
    const bzip2 = valid.slice();
    view(bzip2).setUint16(centralDirectory(valid) + 10, 12, true);
    await expectCode(() => openZip(bzip2), 'ZIP_UNSUPPORTED');
    const twice = encodeZip([
      { name: 'a', data: enc.encode('1') },
      { name: 'a', data: enc.encode('2') },
    ]);
    await expectCode(() => openZip(twice), 'ZIP_DUPLICATE_ENTRY');
  });

  it('entries sharing bytes (overlapping-entry bombs)', async () => {
    const zip = encodeZip([
      { name: 'a', data: new Uint8Array(100) },
      { name: 'b', data: new Uint8Array(100) },
    ]);
    const cd = centralDirectory(zip);
    view(zip).setUint32(cd + 20, 150, true); // entry a now claims 150 bytes, into b's header
    view(zip).setUint32(cd + 24, 150, true);
    await expectCode(() => openZip(zip), 'ZIP_OVERLAP');
  });

  it('zip bombs: impossible declared sizes are refused before inflating; lies stop at the declared size', async () => {
    // 128 MiB of zeros deflated (level 1: ~0.6 MB), stored in an entry that claims otherwise.
    const deflated = new Uint8Array(deflateRawSync(new Uint8Array(128 * 2 ** 20), { level: 1 }));
    const bomb = encodeZip([{ name: 'archive/data.pkl', data: deflated }]);
    const cd = centralDirectory(bomb);
    view(bomb).setUint16(cd + 10, 8, true); // method: deflated

    const huge = bomb.slice();
    view(huge).setUint32(cd + 24, 0xfffffff0, true); // declares ~4 GiB: more than DEFLATE can expand to
    await expectCode(() => openZip(huge), 'ZIP_BOMB');

    const lying = bomb.slice();
    view(lying).setUint32(cd + 24, 1000, true); // declares 1000 bytes
    const archive = openZip(lying);
    const before = process.memoryUsage().arrayBuffers;
    await expectCode(() => archive.read(archive.entries[0]), 'ZIP_SIZE_MISMATCH', 500);
    expect(process.memoryUsage().arrayBuffers - before).toBeLessThan(48 * 2 ** 20); // not 128 MiB

    // the sum of the declared sizes is capped too
    const e = await weightsErrorOf(() => openZip(valid, { limits: { maxTotalBytes: 10_000 } }));
    expect([e.code, e.message]).toEqual(['ZIP_BOMB', expect.stringContaining('in total')]);
  });

  it('a real fixture truncated at every 997th byte fails cleanly', async () => {
    const bytes = readFixture('pyannote-tiny.bin');
    for (let cut = 0; cut < bytes.length; cut += 997) {
      const e = await weightsErrorOf(() => loadWeSpeakerWeightsFromBytes(bytes.subarray(0, cut), { file: 'cut.bin' }));
      expect(e.code).toMatch(/^(ZIP_|FORMAT_)/);
    }
  });
});

describe('limits keep memory bounded', () => {
  it('a header declaring a 100 TB tensor allocates nothing', async () => {
    const header = f32('a', [2 ** 22, 2 ** 22, 2 ** 2], 0, 2 ** 48 * 4);
    await expectCode(() => openSafetensors(safetensors(header, new Uint8Array(16))), 'SAFETENSORS_OFFSETS_INVALID');
  });

  it('tensors on float32 views are left untouched by validation (no copies of big tensors)', () => {
    const t = float32Tensor([1024, 1024]);
    const st = openSafetensors(encodeSafetensors(new Map([['big', t]])));
    expect(st.float32('big').data.length).toBe(1024 * 1024);
  });
});
