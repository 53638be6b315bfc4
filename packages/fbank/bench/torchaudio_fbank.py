"""torchaudio's kaldi.fbank + CMN (pyannote's WeSpeaker front end), timed for bench/fbank.bench.mjs.

    /usr/bin/python3 torchaudio_fbank.py <samples.f32> <features-out.f32> <warmup>

Reads float32 samples in [-1, 1] (16 kHz), runs tools/reference/wsp_reference.wespeaker_fbank
(x32768, 80 bins, 25/10 ms, hamming, dither 0, snip edges, then CMN) single-threaded, writes the
features (float32, row-major [frames, 80]) for the caller to compare, warms up, then serves timing
requests so the caller can interleave them with its own: each line "N" on stdin runs N timed
calls and answers one JSON line (median/p10/p90 in milliseconds, versions). EOF ends it.
"""
import json
import os
import sys
import time

import numpy as np

HERE = os.path.dirname(os.path.abspath(__file__))
sys.dont_write_bytecode = True  # no __pycache__ in the checkout
sys.path.insert(0, os.path.join(HERE, "..", "..", "..", "tools", "reference"))
import wsp_reference  # noqa: E402  (sets torch to one thread)
import torch  # noqa: E402
import torchaudio  # noqa: E402


def main():
    samples_path, features_path, warmup = sys.argv[1], sys.argv[2], int(sys.argv[3])
    waveform = np.fromfile(samples_path, dtype="<f4")
    features = wsp_reference.wespeaker_fbank(waveform, cmn=True)
    features.astype("<f4").tofile(features_path)
    for _ in range(warmup):
        wsp_reference.wespeaker_fbank(waveform, cmn=True)
    print(json.dumps({"ready": True, "frames": int(features.shape[0]), "threads": torch.get_num_threads(),
                      "torch": torch.__version__, "torchaudio": torchaudio.__version__}), flush=True)
    for line in sys.stdin:
        times = []
        for _ in range(int(line)):
            start = time.perf_counter()
            wsp_reference.wespeaker_fbank(waveform, cmn=True)
            times.append((time.perf_counter() - start) * 1000)
        times.sort()
        pick = lambda q: times[min(len(times) - 1, round(q * (len(times) - 1)))]  # noqa: E731
        print(json.dumps({"median": pick(0.5), "p10": pick(0.1), "p90": pick(0.9), "iterations": len(times)}), flush=True)


if __name__ == "__main__":
    main()
