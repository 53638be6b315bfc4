"""PyTorch peer for the benchmarks (started by tools/benchkit/peers.mjs, never by tests).

    /usr/bin/python3 torch_peer.py <model dir> <threads> [pooling]

Loads a model directory (config.json + model.safetensors: the weights our side runs), builds the
shared WeSpeakerResNet of tools/reference/wsp_reference.py, prints one hello line
{"ready": true, "torch": ..., "torchaudio": ..., "threads": ...}, then answers one JSON request
per stdin line with one JSON line:

  {"mode": "eager" | "frozen", "batch": B, "frames": T, "iterations": N}
      -> {"ms": [N durations]}: the model on seeded random [B, T, 80] features; "frozen" is
         torch.jit.freeze(torch.jit.trace(...)) made once per shape, outside the timing.
  {"mode": "embed", "features": "<file of float32 [B, T, 80]>", "batch": B, "frames": T}
      -> {"embedding": [[...], ...]} (not normalised): to check that the peers compute our function.
  {"mode": "audio", "wav": "<16-bit mono WAV>", "iterations": N}
      -> {"ms": [...], "frames": M}: read the file, torchaudio Kaldi fbank + CMN
         (wsp_reference.wespeaker_fbank, resampled first if needed), model. The whole pipeline.
  {"mode": "sgemm", "size": N, "iterations": K}
      -> {"gflops": [...]}: torch.mm of two N x N float32 matrices, the BLAS rate of this machine.

Timing is time.perf_counter around the work only, so the pipe is not counted.
"""
import json
import os
import sys
import time

sys.dont_write_bytecode = True  # no __pycache__ in the checkout
sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "reference"))
import numpy as np  # noqa: E402
import torch  # noqa: E402
import torchaudio  # noqa: E402
from wsp_reference import WeSpeakerResNet, load_model_dir, read_wav_int16, resample, wespeaker_fbank  # noqa: E402


def timed(fn, iterations):
    out = []
    for _ in range(iterations):
        t0 = time.perf_counter()
        fn()
        out.append((time.perf_counter() - t0) * 1e3)
    return out


def main():
    model_dir, threads = sys.argv[1], int(sys.argv[2])
    pooling = sys.argv[3] if len(sys.argv) > 3 else "pyannote"
    torch.set_num_threads(threads)
    config, tensors = load_model_dir(model_dir)
    eager = WeSpeakerResNet(config, tensors, pooling=pooling).eval()
    n_mels = config["n_mels"]
    frozen = {}
    rng = np.random.RandomState(7)

    def features(batch, frames):
        return torch.from_numpy((rng.standard_normal((batch, frames, n_mels)) * 3).astype(np.float32))

    def frozen_for(batch, frames):
        key = (batch, frames)
        if key not in frozen:
            with torch.no_grad():
                frozen[key] = torch.jit.freeze(torch.jit.trace(eager, features(batch, frames)).eval())
        return frozen[key]

    print(json.dumps({"ready": True, "torch": torch.__version__, "torchaudio": torchaudio.__version__, "threads": torch.get_num_threads()}), flush=True)
    for line in sys.stdin:
        req = json.loads(line)
        mode = req["mode"]
        with torch.no_grad():
            if mode in ("eager", "frozen"):
                batch, frames = req["batch"], req["frames"]
                model = eager if mode == "eager" else frozen_for(batch, frames)
                x = features(batch, frames)
                reply = {"ms": timed(lambda: model(x), req["iterations"])}
            elif mode == "embed":
                x = np.fromfile(req["features"], dtype="<f4").reshape(req["batch"], req["frames"], n_mels)
                reply = {"embedding": eager(torch.from_numpy(x)).tolist()}
            elif mode == "audio":
                frames = []

                def pipeline():
                    data, rate = read_wav_int16(req["wav"])
                    wav = data.astype(np.float32) / 32768.0
                    if rate != config["sample_rate"]:
                        wav = resample(wav, rate, config["sample_rate"])
                    feats = wespeaker_fbank(wav, config["sample_rate"])
                    frames.append(feats.shape[0])
                    eager(torch.from_numpy(feats).unsqueeze(0))

                reply = {"ms": timed(pipeline, req["iterations"]), "frames": frames[-1] if frames else 0}
            elif mode == "sgemm":
                n = req["size"]
                a = torch.randn(n, n)
                b = torch.randn(n, n)
                torch.mm(a, b)
                reply = {"gflops": [2 * n**3 / (ms * 1e6) for ms in timed(lambda: torch.mm(a, b), req["iterations"])]}
            else:
                reply = {"error": f"unknown mode {mode!r}"}
        print(json.dumps(reply), flush=True)


if __name__ == "__main__":
    main()
