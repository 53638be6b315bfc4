"""Resampling goldens for @wsp/speaker: torchaudio.functional.resample with its defaults.

Inputs (float32, written as fixtures/speaker/resample/<case>.input.npy):
- speech: fixtures/speaker/source/speech-22050.wav (espeak-ng), converted by sox to 8, 22.05, 44.1 and
  48 kHz (make_speaker_audio.sh writes the sox files), 1 s excerpt, int16 / 32768;
- chirp: a logarithmic sweep from 40 Hz to 0.45 x the input rate plus seeded white noise, 0.5 s.
Each is resampled to 16 kHz; a few extra cases cover other rate pairs (down, up, awkward ratios).
Outputs: <case>.output.npy and cases.json ({case: {from, to, inputLength, outputLength}}).

Run with /usr/bin/python3 (python3-torchaudio 0.13).
"""
import os
import subprocess
import tempfile

import numpy as np

from wsp_reference import read_wav_int16, resample, write_json

HERE = os.path.dirname(os.path.abspath(__file__))
FIXTURES = os.path.join(HERE, "..", "..", "fixtures", "speaker")
OUT = os.path.join(FIXTURES, "resample")


def speech_at(rate):
    src = os.path.join(FIXTURES, "source", "speech-22050.wav")
    with tempfile.TemporaryDirectory() as tmp:
        dst = os.path.join(tmp, "s.wav")
        subprocess.run(["sox", src, "-r", str(rate), "-b", "16", dst, "trim", "0.2", "1.0"], check=True)
        data, got = read_wav_int16(dst)
    assert got == rate
    return data.astype(np.float32) / 32768.0


def chirp_at(rate, seconds=0.5, seed=7):
    n = int(rate * seconds)
    t = np.arange(n) / rate
    f0, f1 = 40.0, 0.45 * rate
    k = np.log(f1 / f0) / seconds
    phase = 2 * np.pi * f0 * (np.exp(k * t) - 1) / k
    noise = np.random.default_rng(seed).standard_normal(n) * 0.05
    return (0.5 * np.sin(phase) + noise).astype(np.float32)


def main():
    os.makedirs(OUT, exist_ok=True)
    cases = {}

    def add(name, x, orig, new):
        y = resample(x, orig, new)
        np.save(os.path.join(OUT, f"{name}.input.npy"), x)
        np.save(os.path.join(OUT, f"{name}.output.npy"), y.astype(np.float32))
        cases[name] = {"from": orig, "to": new, "inputLength": int(x.shape[0]), "outputLength": int(y.shape[0])}

    for rate in (8000, 22050, 44100, 48000):
        add(f"speech-{rate}-to-16000", speech_at(rate), rate, 16000)
        add(f"chirp-{rate}-to-16000", chirp_at(rate), rate, 16000)
    # Other rate pairs: downsampling from 16 kHz, upsampling, and ratios with a large reduced
    # numerator/denominator (11025/16000 = 441/640, 12345/16000 = 2469/3200).
    add("chirp-16000-to-8000", chirp_at(16000, 0.25), 16000, 8000)
    add("chirp-16000-to-22050", chirp_at(16000, 0.25), 16000, 22050)
    add("chirp-11025-to-16000", chirp_at(11025, 0.25), 11025, 16000)
    add("chirp-12345-to-16000", chirp_at(12345, 0.25), 12345, 16000)
    add("chirp-44100-to-48000", chirp_at(44100, 0.1), 44100, 48000)
    # Lengths that do not divide evenly by the reduced input rate (exercise the output-length rule).
    add("chirp-44100-odd-length-to-16000", chirp_at(44100, 0.5)[:12347], 44100, 16000)
    add("chirp-8000-tiny-to-16000", chirp_at(8000, 0.5)[:5], 8000, 16000)

    write_json(os.path.join(OUT, "cases.json"), cases)
    print(f"wrote {len(cases)} resampling cases to {os.path.relpath(OUT)}")


if __name__ == "__main__":
    main()
