"""ONNX model for the benchmark's onnxruntime-node peer: the shared WeSpeakerResNet
(tools/reference/wsp_reference.py) exported with torch.onnx.export, dynamic batch and frames.

    /usr/bin/python3 export_onnx.py <model dir> <out.onnx> [pooling]

Input "feats" [B, T, 80] float32 -> output "embedding" [B, 256] (not normalised). The model source
is this one function: the ONNX-export issue can replace it with the project's exporter.
"""
import os
import sys

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "..", "..", "tools", "reference"))
import torch  # noqa: E402
from wsp_reference import WeSpeakerResNet, load_model_dir  # noqa: E402


def export(model_dir, out, pooling="pyannote"):
    config, tensors = load_model_dir(model_dir)
    model = WeSpeakerResNet(config, tensors, pooling=pooling).eval()
    example = torch.randn(1, 200, config["n_mels"]) * 3
    with torch.no_grad():
        torch.onnx.export(
            model,
            (example,),
            out,
            input_names=["feats"],
            output_names=["embedding"],
            dynamic_axes={"feats": {0: "batch", 1: "frames"}, "embedding": {0: "batch"}},
            opset_version=17,
        )


if __name__ == "__main__":
    export(sys.argv[1], sys.argv[2], *(sys.argv[3:4]))
