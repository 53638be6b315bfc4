"""Checks ONNX files written by @wsp/resnet-graph's exportOnnx with the official onnx package
(Debian python3-onnx) and prints what it parsed, as JSON, so the test can compare it with what
the exporter meant to write.

    /usr/bin/python3 onnx_check.py model.onnx [more.onnx ...]

For each file: onnx.checker.check_model(full_check=True) (schema, opset, every node's
attributes and inputs, then strict shape inference), then the parsed header, graph inputs and
outputs (dims as numbers or symbolic names), the operator histogram, initializer names, shapes and
a checksum of their values, and the metadata. Exits non-zero with the checker's message on a
failure.
"""
import json
import sys

import numpy as np
import onnx
from onnx import numpy_helper, shape_inference


def dims(value_info):
    out = []
    for d in value_info.type.tensor_type.shape.dim:
        out.append(d.dim_param if d.HasField("dim_param") else d.dim_value)
    return out


def describe(path):
    model = onnx.load(path)
    onnx.checker.check_model(model, full_check=True)
    inferred = shape_inference.infer_shapes(model, check_type=True, strict_mode=True)
    ops = {}
    for node in model.graph.node:
        ops[node.op_type] = ops.get(node.op_type, 0) + 1
    initializers = {}
    for t in model.graph.initializer:
        a = numpy_helper.to_array(t)
        initializers[t.name] = {
            "dims": list(t.dims),
            "dtype": str(a.dtype),
            "sum": float(np.asarray(a, dtype=np.float64).sum()),
            "first": float(a.reshape(-1)[0]) if a.size else None,
        }
    outputs_inferred = {v.name: dims(v) for v in inferred.graph.output}
    return {
        "file": path,
        "ir_version": model.ir_version,
        "opset": {o.domain: o.version for o in model.opset_import},
        "producer": [model.producer_name, model.producer_version],
        "graph_name": model.graph.name,
        "inputs": [{"name": v.name, "elem_type": v.type.tensor_type.elem_type, "dims": dims(v)} for v in model.graph.input],
        "outputs": [{"name": v.name, "elem_type": v.type.tensor_type.elem_type, "dims": dims(v)} for v in model.graph.output],
        "outputs_after_inference": outputs_inferred,
        "ops": ops,
        "nodes": len(model.graph.node),
        "initializers": initializers,
        "metadata": {p.key: p.value for p in model.metadata_props},
    }


def main(paths):
    print(json.dumps([describe(p) for p in paths]))


if __name__ == "__main__":
    main(sys.argv[1:])
