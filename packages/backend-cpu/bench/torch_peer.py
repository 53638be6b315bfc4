"""PyTorch peer for the @wsp/backend-cpu benchmark (run by native-bench.mjs, not by tests).

Loads a model directory (the synthetic weights the benchmark also runs), builds the shared
WeSpeakerResNet from tools/reference/wsp_reference.py in eager mode and as a torch.jit.freeze'd
trace, then answers timing requests on stdin, one JSON object per line:
  {"mode": "eager" | "frozen", "batch": B, "frames": T, "iterations": N, "pooling": "pyannote"}
with {"ms": [N durations]}. Features are seeded random [B, T, 80]. Threads: torch.set_num_threads(argv[2]).
"""
import json
import os
import sys
import time

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "..", "..", "tools", "reference"))
import numpy as np  # noqa: E402
import torch  # noqa: E402
from wsp_reference import WeSpeakerResNet, load_model_dir  # noqa: E402


def main():
    model_dir, threads = sys.argv[1], int(sys.argv[2])
    torch.set_num_threads(threads)
    config, tensors = load_model_dir(model_dir)
    eager = WeSpeakerResNet(config, tensors, pooling="pyannote").eval()
    frozen = {}
    rng = np.random.RandomState(7)

    def model_for(mode, feats):
        if mode == "eager":
            return eager
        if "model" not in frozen:
            with torch.no_grad():
                frozen["model"] = torch.jit.freeze(torch.jit.trace(eager, feats).eval())
        return frozen["model"]

    print(json.dumps({"ready": True, "torch": torch.__version__, "threads": torch.get_num_threads()}), flush=True)
    for line in sys.stdin:
        req = json.loads(line)
        feats = torch.from_numpy((rng.standard_normal((req["batch"], req["frames"], 80)) * 3).astype(np.float32))
        model = model_for(req["mode"], feats)
        out = []
        with torch.no_grad():
            for _ in range(req["iterations"]):
                t0 = time.perf_counter()
                model(feats)
                out.append((time.perf_counter() - t0) * 1e3)
        print(json.dumps({"ms": out}), flush=True)


if __name__ == "__main__":
    main()
