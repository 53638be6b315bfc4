import type { NdArray } from 'ndarray';
import type { StorageDType } from './dtype.js';
import { encodeFloat } from './dtype.js';
import { OP } from './pickle-opcodes.js';
import { WeightsError } from './errors.js';
import { isContiguous } from './tensor.js';
import type { ZipInputEntry } from './zip-write.js';
import { encodeZip } from './zip-write.js';

const STORAGE_CLASS: Record<StorageDType, string> = { F32: 'FloatStorage', F16: 'HalfStorage', BF16: 'BFloat16Storage' };

export interface TorchWriteOptions {
  /** Storage type of every tensor: F32 (default), F16 or BF16. */
  dtype?: StorageDType;
}

/**
 * Writes a state dict as a `torch.save` zip archive: `archive/data.pkl` (a protocol 2 pickle of
 * an OrderedDict of `_rebuild_tensor_v2` calls, using only opcodes and globals that
 * `torch.load(weights_only=True)` accepts), one storage per tensor under `archive/data/<i>`
 * (64-byte aligned), `archive/byteorder` and `archive/version`. The tensors are written under
 * their names, in the map's order and in the layout given (convert first for PyTorch's OIHW).
 */
export function encodeTorchStateDict(tensors: ReadonlyMap<string, NdArray<Float32Array>>, options: TorchWriteOptions = {}): Uint8Array {
  const dtype = options.dtype ?? 'F32';
  const pickle = new PickleWriter();
  const storages: ZipInputEntry[] = [];
  pickle.proto(2);
  pickle.global('collections', 'OrderedDict');
  pickle.op(OP.EMPTY_TUPLE, OP.REDUCE, OP.MARK);
  let key = 0;
  for (const [name, t] of tensors) {
    if (!isContiguous(t)) {
      throw new WeightsError(`tensor "${name}" is not contiguous; copy it before writing`, { code: 'TENSOR_NOT_CONTIGUOUS' });
    }
    const storageKey = String(key++);
    storages.push({ name: `archive/data/${storageKey}`, data: encodeFloat(t.data.subarray(t.offset, t.offset + t.size), dtype) });
    pickle.string(name);
    pickle.global('torch._utils', '_rebuild_tensor_v2');
    pickle.op(OP.MARK);
    // Persistent id: ('storage', torch.FloatStorage, key, 'cpu', numel)
    pickle.op(OP.MARK);
    pickle.string('storage');
    pickle.global('torch', STORAGE_CLASS[dtype]);
    pickle.string(storageKey);
    pickle.string('cpu');
    pickle.int(t.size);
    pickle.op(OP.TUPLE, OP.BINPERSID);
    pickle.int(0); // storage offset
    pickle.tuple(t.shape);
    pickle.tuple(rowMajorStrides(t.shape));
    pickle.op(OP.NEWFALSE); // requires_grad
    pickle.global('collections', 'OrderedDict'); // backward hooks: OrderedDict()
    pickle.op(OP.EMPTY_TUPLE, OP.REDUCE, OP.TUPLE, OP.REDUCE);
  }
  pickle.op(OP.SETITEMS, OP.STOP);
  const encoder = new TextEncoder();
  return encodeZip([
    { name: 'archive/data.pkl', data: pickle.bytes() },
    { name: 'archive/byteorder', data: encoder.encode('little') },
    ...storages,
    { name: 'archive/version', data: encoder.encode('3\n') },
  ]);
}

function rowMajorStrides(shape: readonly number[]): number[] {
  const strides = new Array<number>(shape.length);
  let s = 1;
  for (let d = shape.length - 1; d >= 0; d--) {
    strides[d] = s;
    s *= shape[d];
  }
  return strides;
}

/** Just enough of a protocol 2 pickler for state dicts. */
class PickleWriter {
  private chunks: number[] = [];
  private readonly encoder = new TextEncoder();

  op(...codes: number[]): void {
    for (const c of codes) this.chunks.push(c);
  }

  proto(version: number): void {
    this.op(OP.PROTO, version);
  }

  global(module: string, name: string): void {
    this.op(OP.GLOBAL, ...this.encoder.encode(`${module}\n${name}\n`));
  }

  string(value: string): void {
    const bytes = this.encoder.encode(value);
    this.op(OP.BINUNICODE, ...le32(bytes.length), ...bytes);
  }

  /** Non-negative integers, in the smallest encoding Python's pickler would choose. */
  int(value: number): void {
    if (value < 0x100) this.op(OP.BININT1, value);
    else if (value < 0x10000) this.op(OP.BININT2, value & 0xff, value >>> 8);
    else if (value < 0x80000000) this.op(OP.BININT, ...le32(value));
    else {
      const bytes: number[] = [];
      for (let v = BigInt(value); v > 0n; v >>= 8n) bytes.push(Number(v & 0xffn));
      if (bytes[bytes.length - 1] & 0x80) bytes.push(0); // keep it positive
      this.op(OP.LONG1, bytes.length, ...bytes);
    }
  }

  tuple(values: readonly number[]): void {
    if (values.length === 0) return this.op(OP.EMPTY_TUPLE);
    if (values.length > 3) this.op(OP.MARK);
    for (const v of values) this.int(v);
    this.op(values.length > 3 ? OP.TUPLE : [OP.TUPLE1, OP.TUPLE2, OP.TUPLE3][values.length - 1]);
  }

  bytes(): Uint8Array {
    return Uint8Array.from(this.chunks);
  }
}

const le32 = (v: number) => [v & 0xff, (v >>> 8) & 0xff, (v >>> 16) & 0xff, (v >>> 24) & 0xff];
