"""Goldens for @wsp/backend-ascend: whole-network embeddings from the PyTorch reference.

Usage (normally through packages/backend-ascend/scripts/write-goldens.mjs, which first writes the
synthetic model directories with @wsp/weights' generateSyntheticModel):

    /usr/bin/python3 tools/reference/backend_ascend_goldens.py OUT_DIR NAME=MODEL_DIR:BATCH:FRAMES:SEED ...

For every model it writes, under OUT_DIR:
    <name>-input.npy                     features [B, T, n_mels] float32 (seeded normal, like CMN'd fbank)
    <name>-<pooling>-raw.npy             WeSpeakerResNet output [B, E] for each pooling variant
    <name>-<pooling>-normalized.npy      the same, L2-normalised (torch.nn.functional.normalize)
and manifest.json with the weight fingerprints (per-tensor float64 sums) the tests compare against
the model they regenerate, so a change in the generator cannot go unnoticed.
"""
import json
import os
import sys

import numpy as np
import torch
import torch.nn.functional as F

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from wsp_reference import POOLINGS, WeSpeakerResNet, load_model_dir  # noqa: E402


def save(path, array):
    np.save(path, np.ascontiguousarray(array, dtype=np.float32))


def main():
    out_dir = sys.argv[1]
    os.makedirs(out_dir, exist_ok=True)
    manifest = {"generator": "tools/reference/backend_ascend_goldens.py", "torch": torch.__version__, "models": {}}
    for spec in sys.argv[2:]:
        name, rest = spec.split("=", 1)
        model_dir, batch, frames, seed = rest.split(":")
        batch, frames, seed = int(batch), int(frames), int(seed)
        config, tensors = load_model_dir(model_dir)
        rng = np.random.RandomState(seed)
        feats = rng.standard_normal((batch, frames, config["n_mels"])).astype(np.float32)
        save(os.path.join(out_dir, f"{name}-input.npy"), feats)
        entry = {
            "config": config,
            "batch": batch,
            "frames": frames,
            "seed": seed,
            "fingerprints": {k: float(np.asarray(v, dtype=np.float64).sum()) for k, v in sorted(tensors.items())},
            "poolings": {},
        }
        with torch.no_grad():
            for pooling in POOLINGS:
                net = WeSpeakerResNet(config, tensors, pooling)
                raw = net(torch.from_numpy(feats))
                normalized = F.normalize(raw, dim=1)
                save(os.path.join(out_dir, f"{name}-{pooling}-raw.npy"), raw.numpy())
                save(os.path.join(out_dir, f"{name}-{pooling}-normalized.npy"), normalized.numpy())
                entry["poolings"][pooling] = {"rawNorms": [float(v) for v in raw.norm(dim=1)]}
        manifest["models"][name] = entry
    with open(os.path.join(out_dir, "manifest.json"), "w") as f:
        json.dump(manifest, f, indent=2)
        f.write("\n")


if __name__ == "__main__":
    main()
