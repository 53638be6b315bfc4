import type { NdArray } from 'ndarray';
import type { DType } from './dtype.js';
import { ITEM_SIZE, decodeFloat32, float32View, isFloatDType, shapeByteLength } from './dtype.js';
import { WeightsError } from './errors.js';
import type { PickleLimits } from './pickle.js';
import { PickleGlobal, PickleObject, parsePickle } from './pickle.js';
import type { RandomAccess } from './random-access.js';
import type { SourceTensor } from './tensor.js';
import { float32Tensor, gatherStrided } from './tensor.js';
import type { ZipEntry, ZipLimits } from './zip-read.js';
import { ZipArchive } from './zip-read.js';

/**
 * Reads `torch.save` checkpoints (the zip format of PyTorch >= 1.6): `<archive>/data.pkl` holds
 * the pickled object tree, each tensor storage is the raw entry `<archive>/data/<key>`. Tensors
 * are rebuilt from the `torch._utils._rebuild_tensor_v2` / `_rebuild_parameter` calls in the
 * pickle, honouring storage offsets and strides; nothing in the pickle is executed.
 */

/** Storage classes as pickled by torch (`torch.FloatStorage`, ...) and their element types. */
const STORAGE_DTYPES: Record<string, DType> = {
  FloatStorage: 'F32',
  HalfStorage: 'F16',
  BFloat16Storage: 'BF16',
  DoubleStorage: 'F64',
  LongStorage: 'I64',
  IntStorage: 'I32',
  ShortStorage: 'I16',
  CharStorage: 'I8',
  ByteStorage: 'U8',
  BoolStorage: 'BOOL',
};

/** A tensor storage named by the pickle: the `data/<key>` entry of the archive. */
export interface TorchStorageRef {
  readonly key: string;
  readonly dtype: DType;
  readonly numel: number;
  readonly location: string;
  readonly entry: ZipEntry;
}

/** A tensor as the pickle describes it: a strided view of a storage. */
export class TorchTensorRef {
  constructor(
    readonly storage: TorchStorageRef,
    readonly storageOffset: number,
    readonly shape: readonly number[],
    readonly stride: readonly number[],
  ) {}

  get dtype(): DType {
    return this.storage.dtype;
  }

  get isContiguous(): boolean {
    let expected = 1;
    for (let d = this.shape.length - 1; d >= 0; d--) {
      if (this.shape[d] !== 1 && this.stride[d] !== expected) return false;
      expected *= this.shape[d];
    }
    return true;
  }
}

export interface TorchReadOptions {
  /** Names the source in errors. */
  file?: string;
  zipLimits?: ZipLimits;
  pickleLimits?: PickleLimits;
  /** Check the CRC-32 of every entry read (default true). */
  verifyCrc?: boolean;
}

/** The keys under which training frameworks nest the model's state dict. */
const STATE_DICT_KEYS = ['state_dict', 'model_state_dict', 'model', 'module', 'net', 'network'];

export class TorchCheckpoint {
  readonly file: string | undefined;
  /** The archive folder inside the zip (`archive`, or the file stem for older writers). */
  readonly prefix: string;
  /** The unpickled object tree (Maps, arrays, TorchTensorRef, PickleObject placeholders, ...). */
  readonly root: unknown;
  readonly archive: ZipArchive;
  private readonly verifyCrc: boolean;
  private readonly storageBytes = new Map<string, Uint8Array>();
  private readonly storageFloats = new Map<string, Float32Array>();

  constructor(source: Uint8Array | ArrayBuffer | RandomAccess, options: TorchReadOptions = {}) {
    const file = options.file;
    this.file = file;
    this.verifyCrc = options.verifyCrc !== false;
    this.archive = new ZipArchive(source, { file, limits: options.zipLimits });
    this.prefix = findArchivePrefix(this.archive, file);
    const byteorder = this.archive.get(`${this.prefix}/byteorder`);
    if (byteorder && new TextDecoder().decode(this.archive.read(byteorder)).trim() !== 'little') {
      throw new WeightsError('big-endian PyTorch checkpoints are not supported', { code: 'TORCH_UNSUPPORTED', file });
    }
    const pickleEntry = this.archive.get(`${this.prefix}/data.pkl`)!;
    const maxBytes = options.pickleLimits?.maxBytes ?? 64 * 2 ** 20;
    if (pickleEntry.uncompressedSize > maxBytes) {
      throw new WeightsError(`data.pkl declares ${pickleEntry.uncompressedSize} bytes (limit ${maxBytes})`, { code: 'PICKLE_TOO_LARGE', file });
    }
    const storages = new Map<string, TorchStorageRef>();
    this.root = parsePickle(this.archive.read(pickleEntry, { verifyCrc: this.verifyCrc }), {
      file,
      limits: options.pickleLimits,
      persistentLoad: (pid) => this.loadStorage(pid, storages),
      construct: (global, args) => this.construct(global, args),
    });
  }

  private fail(message: string, code = 'TORCH_TENSOR_INVALID'): never {
    throw new WeightsError(message, { code, file: this.file });
  }

  /** `('storage', torch.XStorage, key, location, numel)` -> a checked reference to `data/<key>`. */
  private loadStorage(pid: unknown, storages: Map<string, TorchStorageRef>): TorchStorageRef {
    if (!Array.isArray(pid) || pid.length !== 5 || pid[0] !== 'storage') {
      this.fail('persistent id is not a ("storage", type, key, location, numel) tuple');
    }
    const [, type, key, location, numel] = pid as unknown[];
    if (!(type instanceof PickleGlobal) || type.module !== 'torch') this.fail('storage type is not a torch storage class');
    const dtype = STORAGE_DTYPES[type.name];
    if (!dtype) this.fail(`storage type torch.${type.name} is not supported`, 'TORCH_DTYPE_UNSUPPORTED');
    if (typeof key !== 'string' || typeof location !== 'string' || !Number.isSafeInteger(numel) || (numel as number) < 0) {
      this.fail(`storage "${String(key)}" has a malformed key, location or size`);
    }
    const known = storages.get(key);
    if (known) {
      if (known.dtype !== dtype || known.numel !== numel) this.fail(`storage "${key}" is described twice, differently`);
      return known;
    }
    const entry = this.archive.get(`${this.prefix}/data/${key}`);
    if (!entry) this.fail(`storage entry ${this.prefix}/data/${key} is missing from the archive`, 'ZIP_ENTRY_MISSING');
    const byteLength = shapeByteLength([numel], ITEM_SIZE[dtype], `storage "${key}"`, 'TORCH_TENSOR_INVALID', this.file);
    if (entry.uncompressedSize !== byteLength) {
      this.fail(`storage "${key}" holds ${entry.uncompressedSize} bytes but ${numel} × ${type.name} needs ${byteLength}`);
    }
    const ref: TorchStorageRef = { key, dtype, numel: numel as number, location, entry };
    storages.set(key, ref);
    return ref;
  }

  /** The torch functions that rebuild tensors; everything else stays a placeholder. */
  private construct(global: PickleGlobal, args: readonly unknown[]): unknown {
    if (global.module === 'torch._utils') {
      switch (global.name) {
        case '_rebuild_tensor_v2':
        case '_rebuild_tensor':
          return this.rebuildTensor(args);
        case '_rebuild_parameter':
        case '_rebuild_parameter_with_state':
          return this.tensorArg(args[0], global.path);
        case '_rebuild_from_type_v2': {
          const [func, , funcArgs] = args;
          if (!(func instanceof PickleGlobal) || !Array.isArray(funcArgs)) return undefined;
          return this.construct(func, funcArgs);
        }
      }
    }
    if (global.path === 'torch.nn.parameter.Parameter') return this.tensorArg(args[0], global.path);
    return undefined;
  }

  private tensorArg(value: unknown, what: string): TorchTensorRef {
    if (!(value instanceof TorchTensorRef)) this.fail(`${what} is not applied to a tensor`);
    return value;
  }

  /** `_rebuild_tensor_v2(storage, storage_offset, size, stride, requires_grad, hooks[, metadata])`. */
  private rebuildTensor(args: readonly unknown[]): TorchTensorRef {
    const [storage, offset, size, stride] = args;
    if (typeof storage !== 'object' || storage === null || !('entry' in storage)) this.fail('tensor rebuilt from something that is not a storage');
    const ref = storage as TorchStorageRef;
    const isIndexList = (v: unknown): v is number[] => Array.isArray(v) && v.every((x) => Number.isSafeInteger(x) && x >= 0);
    if (!Number.isSafeInteger(offset) || (offset as number) < 0 || !isIndexList(size) || !isIndexList(stride) || size.length !== stride.length) {
      this.fail(`tensor on storage "${ref.key}" has a malformed offset, size or stride`);
    }
    const shape = size as number[];
    shapeByteLength(shape, 1, `tensor on storage "${ref.key}"`, 'TORCH_TENSOR_INVALID', this.file);
    if (!shape.includes(0)) {
      let last = offset as number;
      for (let d = 0; d < shape.length; d++) last += (shape[d] - 1) * (stride as number[])[d];
      if (!Number.isSafeInteger(last) || last >= ref.numel) {
        this.fail(`tensor [${shape.join(', ')}] with strides [${(stride as number[]).join(', ')}] at offset ${offset} reaches beyond its storage "${ref.key}" of ${ref.numel} elements`);
      }
    }
    return new TorchTensorRef(ref, offset as number, [...shape], [...(stride as number[])]);
  }

  private storageData(storage: TorchStorageRef): Uint8Array {
    let bytes = this.storageBytes.get(storage.key);
    if (!bytes) {
      bytes = this.archive.read(storage.entry, { verifyCrc: this.verifyCrc });
      this.storageBytes.set(storage.key, bytes);
    }
    return bytes;
  }

  /** The whole storage as float32 (cached: tensors may share a storage). */
  private storageFloat32(storage: TorchStorageRef): Float32Array {
    let floats = this.storageFloats.get(storage.key);
    if (!floats) {
      const bytes = this.storageData(storage);
      if (storage.dtype === 'F32') floats = float32View(bytes, storage.numel);
      else if (isFloatDType(storage.dtype)) floats = decodeFloat32(bytes, storage.dtype, storage.numel);
      else floats = integersToFloat32(bytes, storage.dtype, storage.numel);
      this.storageFloats.set(storage.key, floats);
    }
    return floats;
  }

  /**
   * The tensor as a contiguous float32 ndarray: a zero-copy view for an aligned contiguous F32
   * tensor of an in-memory archive, otherwise converted and gathered through its strides.
   */
  float32(ref: TorchTensorRef): NdArray<Float32Array> {
    const count = ref.shape.reduce((a, b) => a * b, 1);
    if (ref.isContiguous) {
      if (ref.dtype === 'F32') {
        const bytes = this.storageData(ref.storage).subarray(ref.storageOffset * 4, (ref.storageOffset + count) * 4);
        return float32Tensor(ref.shape, float32View(bytes, count));
      }
      return float32Tensor(ref.shape, this.storageFloat32(ref.storage).slice(ref.storageOffset, ref.storageOffset + count));
    }
    const out = new Float32Array(count);
    gatherStrided(this.storageFloat32(ref.storage), ref.storageOffset, ref.shape, ref.stride, out);
    return float32Tensor(ref.shape, out);
  }

  /**
   * The model's state dict: the root when it maps names to tensors, else the first of
   * `state_dict`, `model_state_dict`, `model`, `module`, `net`, `network` that does (Lightning
   * checkpoints keep it under `state_dict`). Non-tensor values are left out.
   */
  stateDict(): { path: string; tensors: Map<string, TorchTensorRef> } {
    const asStateDict = (v: unknown): Map<string, TorchTensorRef> | undefined => {
      if (!(v instanceof Map)) return undefined;
      const tensors = new Map<string, TorchTensorRef>();
      for (const [k, t] of v) if (typeof k === 'string' && t instanceof TorchTensorRef) tensors.set(k, t);
      return tensors.size > 0 ? tensors : undefined;
    };
    const direct = asStateDict(this.root);
    if (direct) return { path: '', tensors: direct };
    if (this.root instanceof Map) {
      for (const key of STATE_DICT_KEYS) {
        const nested = asStateDict(this.root.get(key));
        if (nested) return { path: key, tensors: nested };
      }
    }
    const keys = this.root instanceof Map ? [...this.root.keys()].map(String).join(', ') : describe(this.root);
    return this.fail(`no state dict of tensors found (top level: ${keys})`, 'TORCH_STATE_DICT_NOT_FOUND');
  }

  /** The state dict's tensors for the loaders (values read on demand). */
  sourceTensors(): SourceTensor[] {
    return [...this.stateDict().tensors].map(([name, ref]) => ({
      name,
      dtype: ref.dtype,
      shape: ref.shape,
      float32: () => this.float32(ref),
    }));
  }
}

export function openTorchCheckpoint(source: Uint8Array | ArrayBuffer | RandomAccess, options: TorchReadOptions = {}): TorchCheckpoint {
  return new TorchCheckpoint(source, options);
}

/**
 * Reads a checkpoint's state dict into contiguous float32 ndarrays under their own names
 * (no renaming or fusion: see `loadWeSpeakerWeights` for that).
 */
export function readTorchStateDict(source: Uint8Array | ArrayBuffer, options: TorchReadOptions = {}): Map<string, NdArray<Float32Array>> {
  const checkpoint = openTorchCheckpoint(source, options);
  return new Map([...checkpoint.stateDict().tensors].map(([name, ref]) => [name, checkpoint.float32(ref)]));
}

function findArchivePrefix(archive: ZipArchive, file?: string): string {
  const candidates = archive.entries.map((e) => /^([^/]+)\/data\.pkl$/.exec(e.name)?.[1]).filter((p): p is string => p !== undefined);
  const first = archive.entries[0]?.name.split('/')[0];
  const prefix = candidates.includes(first ?? '') ? first! : candidates[0];
  if (prefix === undefined) {
    throw new WeightsError('zip archive is not a PyTorch checkpoint (no <archive>/data.pkl entry)', { code: 'TORCH_NOT_A_CHECKPOINT', file });
  }
  if (archive.get(`${prefix}/constants.pkl`)) {
    throw new WeightsError('this is a TorchScript archive (torch.jit.save), not a state-dict checkpoint; save model.state_dict() with torch.save', {
      code: 'TORCH_UNSUPPORTED',
      file,
    });
  }
  return prefix;
}

function integersToFloat32(bytes: Uint8Array, dtype: DType, count: number): Float32Array {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const out = new Float32Array(count);
  const read: Record<string, (i: number) => number> = {
    I64: (i) => Number(view.getBigInt64(i * 8, true)),
    I32: (i) => view.getInt32(i * 4, true),
    I16: (i) => view.getInt16(i * 2, true),
    I8: (i) => view.getInt8(i),
    U8: (i) => view.getUint8(i),
    BOOL: (i) => view.getUint8(i),
  };
  const get = read[dtype];
  for (let i = 0; i < count; i++) out[i] = get(i);
  return out;
}

function describe(value: unknown): string {
  if (value instanceof PickleObject) return `an object of ${value.callee}`;
  if (Array.isArray(value)) return `a sequence of ${value.length}`;
  return value === null ? 'None' : typeof value;
}
