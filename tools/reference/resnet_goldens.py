#!/usr/bin/env python3
"""Golden embeddings and per-stage activations of the ResNet, for the @wsp/resnet-graph and
@wsp/backend-cpu tests.

    /usr/bin/python3 tools/reference/resnet_goldens.py            # writes fixtures/resnet-graph/

Steps: `node tools/reference/write_resnet_inputs.mjs` writes synthetic model directories (tiny and
full-size, from @wsp/weights' generateSyntheticModel) and the synthetic features of each case (the
case list lives there); this script runs them through wsp_reference.WeSpeakerResNet (PyTorch,
float32, NCHW, MLX weights permuted (0, 3, 1, 2)) and writes one JSON file per model:
  - the model's config, seed and the SHA-256 of its model.safetensors (tests regenerate the model in
    TypeScript and check the hash before comparing);
  - per case: the features' seed and SHA-256, the raw and the L2-normalised embeddings in full, and
    for each stage (stem, layer1..N, pooled) a summary (shape, mean, std, min, max, mean |x|) plus
    32 values at indices floor(i * size / 32), which keeps the files small.
Needs the built packages (`pnpm turbo run build --filter=@wsp/resnet-graph...`).
"""
import argparse
import hashlib
import json
import os
import subprocess
import sys
import tempfile

import numpy as np
import torch
import torch.nn.functional as F

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from wsp_reference import WeSpeakerResNet, load_model_dir  # noqa: E402

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))
SAMPLES = 32


def f32(x):
    """A float32 value as the shortest decimal that reads back to the same float32."""
    return float(np.format_float_positional(np.float32(x), unique=True, trim="-"))


def f64(x):
    return float("%.12g" % x)


def summary(t):
    a = t.detach().numpy().astype(np.float64).ravel()
    idx = [(i * a.size) // SAMPLES for i in range(SAMPLES)]
    return {
        "shape": list(t.shape),
        "mean": f64(a.mean()),
        "std": f64(a.std()),
        "min": f64(a.min()),
        "max": f64(a.max()),
        "meanAbs": f64(np.abs(a).mean()),
        "sampleIndices": idx,
        "samples": [f32(a[i]) for i in idx],
    }


def sha256(path):
    with open(path, "rb") as f:
        return hashlib.sha256(f.read()).hexdigest()


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--inputs", help="directory already written by write_resnet_inputs.mjs")
    parser.add_argument("--out", default=os.path.join(ROOT, "fixtures", "resnet-graph"))
    args = parser.parse_args()

    inputs = args.inputs
    if inputs is None:
        inputs = tempfile.mkdtemp(prefix="wsp-resnet-goldens-")
        subprocess.run(["node", os.path.join(ROOT, "tools", "reference", "write_resnet_inputs.mjs"), inputs], check=True)
    with open(os.path.join(inputs, "cases.json")) as f:
        spec = json.load(f)

    os.makedirs(args.out, exist_ok=True)
    for model_name, model_info in spec["models"].items():
        model_dir = os.path.join(inputs, model_name)
        config, tensors = load_model_dir(model_dir)
        net = WeSpeakerResNet(config, tensors)
        out = {
            "generator": "tools/reference/resnet_goldens.py (PyTorch float32, wsp_reference.WeSpeakerResNet)",
            "torch": torch.__version__,
            "model": {
                "name": model_name,
                "seed": model_info["seed"],
                "config": config,
                "safetensorsSha256": sha256(os.path.join(model_dir, "model.safetensors")),
            },
            "samplesPerStage": SAMPLES,
            "cases": [],
        }
        for case in spec["cases"]:
            if case["model"] != model_name:
                continue
            path = os.path.join(inputs, case["id"] + ".f32")
            shape = (case["batch"], case["frames"], config["n_mels"])
            feats = np.fromfile(path, dtype="<f4").reshape(shape)
            net.pooling = case["pooling"]
            record = {}
            with torch.no_grad():
                emb = net(torch.from_numpy(feats.copy()), record)
                normalized = F.normalize(emb, dim=1)
            out["cases"].append(
                {
                    "id": case["id"],
                    "pooling": case["pooling"],
                    "batch": case["batch"],
                    "frames": case["frames"],
                    "featureSeed": case["featureSeed"],
                    "featuresSha256": sha256(path),
                    "stages": {name: summary(t) for name, t in record.items()},
                    "embedding": [[f32(v) for v in row] for row in emb.numpy()],
                    "normalized": [[f32(v) for v in row] for row in normalized.numpy()],
                }
            )
            print(f"{case['id']}: |emb[0]| = {float(emb[0].norm()):.4f}", file=sys.stderr)
        target = os.path.join(args.out, f"goldens-{model_name}.json")
        with open(target, "w") as f:
            json.dump(out, f, separators=(",", ":"))
            f.write("\n")
        print(f"wrote {target} ({len(out['cases'])} cases)", file=sys.stderr)


if __name__ == "__main__":
    main()
