"""Times torchaudio's kaldi.fbank + CMN (pyannote's WeSpeaker front end) for bench/fbank.bench.mjs.

    /usr/bin/python3 torchaudio_fbank.py <samples.f32> <features-out.f32> <iterations> <warmup>

Reads float32 samples in [-1, 1] (16 kHz), runs tools/reference/wsp_reference.wespeaker_fbank
(x32768, 80 bins, 25/10 ms, hamming, dither 0, snip edges, then CMN) single-threaded, writes the
features of the last run (float32, row-major [frames, 80]) for the caller to compare, and prints
one JSON line: median/p10/p90 in milliseconds, iterations, versions.
"""
import json
import os
import sys
import time

import numpy as np

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "..", "..", "tools", "reference"))
import wsp_reference  # noqa: E402  (sets torch to one thread)
import torch  # noqa: E402
import torchaudio  # noqa: E402


def main():
    samples_path, features_path, iterations, warmup = sys.argv[1], sys.argv[2], int(sys.argv[3]), int(sys.argv[4])
    waveform = np.fromfile(samples_path, dtype="<f4")
    for _ in range(warmup):
        wespeaker = wsp_reference.wespeaker_fbank(waveform, cmn=True)
    times = []
    for _ in range(iterations):
        start = time.perf_counter()
        wespeaker = wsp_reference.wespeaker_fbank(waveform, cmn=True)
        times.append((time.perf_counter() - start) * 1000)
    wespeaker.astype("<f4").tofile(features_path)
    times.sort()
    pick = lambda q: times[min(len(times) - 1, round(q * (len(times) - 1)))]  # noqa: E731
    print(json.dumps({
        "median": pick(0.5), "p10": pick(0.1), "p90": pick(0.9), "iterations": len(times),
        "frames": int(wespeaker.shape[0]), "threads": torch.get_num_threads(),
        "torch": torch.__version__, "torchaudio": torchaudio.__version__,
    }))


if __name__ == "__main__":
    main()
