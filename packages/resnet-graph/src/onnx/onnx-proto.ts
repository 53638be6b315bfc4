/**
 * The subset of the ONNX protobuf schema (onnx/onnx.proto) the export writes, as functions from
 * plain objects to `ProtoMessage`s. Field numbers are the schema's; names follow it.
 */
import { ProtoMessage } from './protobuf.js';

/** `TensorProto.DataType` values used here. */
export const ONNX_DTYPE = Object.freeze({ FLOAT: 1, INT64: 7 });
export type OnnxDType = (typeof ONNX_DTYPE)[keyof typeof ONNX_DTYPE];

/** `AttributeProto.AttributeType` values used here. */
const ATTRIBUTE_TYPE = { FLOAT: 1, INT: 2, STRING: 3, INTS: 7 } as const;

/** An attribute value: a number with `float: true` is written as FLOAT, other numbers as INT. */
export type OnnxAttribute = number | string | readonly number[] | { float: number };

export interface OnnxNode {
  opType: string;
  name: string;
  inputs: readonly string[];
  outputs: readonly string[];
  attributes?: Readonly<Record<string, OnnxAttribute>>;
}

export interface OnnxTensor {
  name: string;
  dtype: OnnxDType;
  dims: readonly number[];
  /** Little-endian element bytes (`raw_data`). */
  raw: Uint8Array;
}

/** A dimension is a fixed size or a symbolic name (`dim_param`, e.g. `batch`). */
export type OnnxDim = number | string;

export interface OnnxValueInfo {
  name: string;
  dtype: OnnxDType;
  dims: readonly OnnxDim[];
  docString?: string;
}

export interface OnnxGraph {
  name: string;
  nodes: readonly OnnxNode[];
  initializers: readonly OnnxTensor[];
  inputs: readonly OnnxValueInfo[];
  outputs: readonly OnnxValueInfo[];
  docString?: string;
}

export interface OnnxModel {
  irVersion: number;
  /** Version of the default (`ai.onnx`) operator set. */
  opset: number;
  producerName: string;
  producerVersion: string;
  docString?: string;
  graph: OnnxGraph;
  /** `metadata_props`, in insertion order. */
  metadata: Readonly<Record<string, string>>;
}

function attribute(name: string, value: OnnxAttribute): ProtoMessage {
  const m = new ProtoMessage().string(1, name);
  if (typeof value === 'string') return m.int(20, ATTRIBUTE_TYPE.STRING).string(4, value);
  if (typeof value === 'number') {
    if (!Number.isInteger(value)) throw new RangeError(`attribute ${name}: INT attribute ${value} is not an integer`);
    return m.int(20, ATTRIBUTE_TYPE.INT).int(3, value);
  }
  if ('float' in value) return m.int(20, ATTRIBUTE_TYPE.FLOAT).float(2, value.float);
  // `ints` is a repeated int64 without [packed]; proto3-style parsers accept packed and unpacked,
  // and onnx/onnxruntime read packed, but write it unpacked like the reference implementation.
  m.int(20, ATTRIBUTE_TYPE.INTS);
  for (const v of value as readonly number[]) m.int(8, v);
  return m;
}

function node(n: OnnxNode): ProtoMessage {
  const m = new ProtoMessage();
  for (const i of n.inputs) m.string(1, i);
  for (const o of n.outputs) m.string(2, o);
  m.string(3, n.name).string(4, n.opType);
  for (const [key, value] of Object.entries(n.attributes ?? {})) m.message(5, attribute(key, value));
  return m;
}

function tensor(t: OnnxTensor): ProtoMessage {
  return new ProtoMessage().packedInts(1, t.dims).int(2, t.dtype).string(8, t.name).bytes(9, t.raw);
}

function valueInfo(v: OnnxValueInfo): ProtoMessage {
  const shape = new ProtoMessage();
  for (const d of v.dims) shape.message(1, typeof d === 'number' ? new ProtoMessage().int(1, d) : new ProtoMessage().string(2, d));
  const tensorType = new ProtoMessage().int(1, v.dtype).message(2, shape);
  const m = new ProtoMessage().string(1, v.name).message(2, new ProtoMessage().message(1, tensorType));
  if (v.docString) m.string(3, v.docString);
  return m;
}

function graph(g: OnnxGraph): ProtoMessage {
  const m = new ProtoMessage();
  for (const n of g.nodes) m.message(1, node(n));
  m.string(2, g.name);
  for (const t of g.initializers) m.message(5, tensor(t));
  if (g.docString) m.string(10, g.docString);
  for (const v of g.inputs) m.message(11, valueInfo(v));
  for (const v of g.outputs) m.message(12, valueInfo(v));
  return m;
}

/** The `ModelProto` bytes of a model (what an `.onnx` file holds). */
export function encodeOnnxModel(model: OnnxModel): Uint8Array {
  const m = new ProtoMessage()
    .int(1, model.irVersion)
    .string(2, model.producerName)
    .string(3, model.producerVersion);
  if (model.docString) m.string(6, model.docString);
  m.message(7, graph(model.graph));
  m.message(8, new ProtoMessage().string(1, '').int(2, model.opset));
  for (const [key, value] of Object.entries(model.metadata)) m.message(14, new ProtoMessage().string(1, key).string(2, value));
  return m.encode();
}
