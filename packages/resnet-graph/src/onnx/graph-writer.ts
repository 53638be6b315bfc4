/**
 * Collects the nodes and initializers of an ONNX graph, with the few helpers whose encoding
 * depends on the operator-set version (the reductions took their axes as an attribute before
 * becoming inputs: ReduceSum at opset 13, ReduceMean at 18).
 */
import type { NdArray } from 'ndarray';
import { contiguousCopy, isContiguous } from '@wsp/weights';
import { ShapeError } from '../errors.js';
import { ONNX_DTYPE } from './onnx-proto.js';
import type { OnnxAttribute, OnnxNode, OnnxTensor } from './onnx-proto.js';

const littleEndian = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;

/** Little-endian bytes of float32 values (`raw_data` is little-endian on every platform). */
export function float32Bytes(values: Float32Array): Uint8Array {
  if (littleEndian) return new Uint8Array(values.buffer, values.byteOffset, values.byteLength);
  const out = new Uint8Array(values.length * 4);
  const view = new DataView(out.buffer);
  values.forEach((v, i) => view.setFloat32(4 * i, v, true));
  return out;
}

function int64Bytes(values: readonly number[]): Uint8Array {
  const out = new Uint8Array(values.length * 8);
  const view = new DataView(out.buffer);
  values.forEach((v, i) => view.setBigInt64(8 * i, BigInt(v), true));
  return out;
}

export class OnnxGraphWriter {
  readonly nodes: OnnxNode[] = [];
  readonly initializers: OnnxTensor[] = [];
  private readonly names = new Set<string>();
  private readonly renamed = new Map<string, string>();

  constructor(readonly opset: number) {}

  /** Takes a value name; a second use is an error (a user-chosen name clashing with ours). */
  claim(name: string): string {
    if (this.names.has(name)) {
      throw new ShapeError(`ONNX export: the value name '${name}' is used twice (choose another inputName/outputName)`, {
        code: 'INVALID_ARGUMENT',
      });
    }
    this.names.add(name);
    return name;
  }

  /** Value `internal` is called `external` wherever it is produced or read. */
  rename(internal: string, external: string): void {
    this.renamed.set(internal, external);
  }

  /**
   * Adds a node producing one value named `output` (or its rename); returns the name used. Inputs
   * are our value names (renamed like outputs) unless `graphInputs` says they are the caller's.
   */
  node(
    opType: string,
    inputs: readonly string[],
    output: string,
    attributes?: Record<string, OnnxAttribute>,
    { graphInputs = false } = {},
  ): string {
    const name = this.claim(this.renamed.get(output) ?? output);
    const sources = graphInputs ? inputs : inputs.map((i) => this.renamed.get(i) ?? i);
    this.nodes.push({ opType, name: `${name}/${opType}`, inputs: sources, outputs: [name], ...(attributes ? { attributes } : {}) });
    return name;
  }

  /** A float32 initializer from an ndarray (any strides), kept in its shape. */
  float32(name: string, tensor: NdArray<Float32Array>): string {
    const dense = isContiguous(tensor) ? tensor : contiguousCopy(tensor);
    this.initializers.push({ name: this.claim(name), dtype: ONNX_DTYPE.FLOAT, dims: [...dense.shape], raw: float32Bytes(dense.data) });
    return name;
  }

  /** A float32 scalar constant (rank 0, broadcasts against anything). */
  scalar(name: string, value: number): string {
    this.initializers.push({ name: this.claim(name), dtype: ONNX_DTYPE.FLOAT, dims: [], raw: float32Bytes(Float32Array.of(value)) });
    return name;
  }

  /** An int64 initializer: a vector, or a scalar with `scalar: true`. */
  int64(name: string, values: readonly number[], { scalar = false } = {}): string {
    if (scalar && values.length !== 1) throw new Error('ONNX export: an int64 scalar needs exactly one value');
    this.initializers.push({ name: this.claim(name), dtype: ONNX_DTYPE.INT64, dims: scalar ? [] : [values.length], raw: int64Bytes(values) });
    return name;
  }

  /**
   * `ReduceMean` / `ReduceSum` over `axes`: axes as an attribute or as an int64 input, whichever
   * this opset defines.
   */
  reduce(op: 'ReduceMean' | 'ReduceSum', input: string, output: string, axes: readonly number[], keepdims: boolean): string {
    const axesAsInput = op === 'ReduceSum' ? this.opset >= 13 : this.opset >= 18;
    if (axesAsInput) {
      const axesName = this.int64(`${output}.axes`, axes);
      return this.node(op, [input, axesName], output, { keepdims: keepdims ? 1 : 0 });
    }
    return this.node(op, [input], output, { axes, keepdims: keepdims ? 1 : 0 });
  }
}
