"""Goldens for @wsp/backend-cpu: the whole network in PyTorch on the synthetic model.

Writes fixtures/backend-cpu/:
  features_a.npy [2, 200, 80], features_b.npy [1, 123, 80]   inputs (seeded normal x 3, like CMN'd fbank)
  embedding_<pooling>_<a|b>.npy                                 WeSpeakerResNet output, float32, not normalised
  embedding64_<pooling>_<a|b>.npy                               the same network in float64
for pooling in pyannote, wespeaker, mlx.

The weights are generateSyntheticModel() from @wsp/weights (seed 1), written as an MLX model
directory by packages/backend-cpu/bench/write-synthetic-model.mjs (needs @wsp/weights built):

    /usr/bin/python3 tools/reference/backend_cpu_goldens.py
"""
import os
import subprocess
import sys
import tempfile

import numpy as np
import torch

sys.path.insert(0, os.path.dirname(__file__))
from wsp_reference import POOLINGS, WeSpeakerResNet, load_model_dir  # noqa: E402

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))
OUT = os.path.join(ROOT, "fixtures", "backend-cpu")


def synthetic_model_dir():
    d = tempfile.mkdtemp(prefix="wsp-synthetic-")
    script = os.path.join(ROOT, "packages", "backend-cpu", "bench", "write-synthetic-model.mjs")
    subprocess.run(["node", script, d], check=True, cwd=os.path.dirname(script), stdout=subprocess.DEVNULL)
    return d


def main():
    os.makedirs(OUT, exist_ok=True)
    config, tensors = load_model_dir(synthetic_model_dir())
    rng = np.random.RandomState(20261125)
    inputs = {
        "a": (rng.standard_normal((2, 200, 80)) * 3).astype(np.float32),
        "b": (rng.standard_normal((1, 123, 80)) * 3).astype(np.float32),
    }
    for key, feats in inputs.items():
        np.save(os.path.join(OUT, f"features_{key}.npy"), feats)
    for pooling in POOLINGS:
        model32 = WeSpeakerResNet(config, tensors, pooling=pooling)
        model64 = WeSpeakerResNet(config, {k: v.astype(np.float64) for k, v in tensors.items()}, pooling=pooling)
        model64.p = {k: v.double() for k, v in model64.p.items()}
        with torch.no_grad():
            for key, feats in inputs.items():
                e32 = model32(torch.from_numpy(feats)).numpy().astype(np.float32)
                e64 = model64(torch.from_numpy(feats).double()).numpy()
                np.save(os.path.join(OUT, f"embedding_{pooling}_{key}.npy"), e32)
                np.save(os.path.join(OUT, f"embedding64_{pooling}_{key}.npy"), e64)
                cos = (e32 * e64).sum(1) / np.linalg.norm(e32, axis=1) / np.linalg.norm(e64, axis=1)
                print(f"{pooling} {key}: float32 vs float64 cosine {cos.min():.9f}")


if __name__ == "__main__":
    main()
