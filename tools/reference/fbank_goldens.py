"""Writes the golden files of @wsp/fbank under fixtures/fbank/ from the real torchaudio.

Run with Debian's interpreter (python3-torch 1.13, python3-torchaudio 0.13):

    /usr/bin/python3 tools/reference/fbank_goldens.py

Output (small, checked in; the tests need no Python):
- inputs/<name>.npy: the waveforms, int16 (real speech, divide by 32768) or float32 (generated);
- <case>.npy: torchaudio.compliance.kaldi.fbank of an input with the case's options, float32;
- melbank-*.npy: torchaudio's get_mel_banks;
- manifest.json: every case with its input, options (the camelCase names of @wsp/fbank), shape,
  and whether CMN was applied after the fbank.

The options of a case are written in @wsp/fbank's names and translated here, so the test passes
exactly the same dictionary to fbank(). `inputScale` is applied to the waveform before torchaudio
(the 'wespeaker' preset scales by 32768). Dither is not comparable (torch's RNG) and is not here.
"""
import inspect
import json
import os
import re
import sys

import numpy as np
import torch
import torchaudio

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import wsp_reference  # noqa: E402

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))
OUT = os.path.join(ROOT, "fixtures", "fbank")
kaldi = torchaudio.compliance.kaldi

WESPEAKER = {
    "sampleFrequency": 16000,
    "frameLength": 25,
    "frameShift": 10,
    "numMelBins": 80,
    "windowType": "hamming",
    "dither": 0,
    "snipEdges": True,
    "roundToPowerOfTwo": True,
    "useEnergy": False,
    "inputScale": 32768,
}

inputs = {}  # name -> float32 waveform as the test will rebuild it
manifest = {"torch": torch.__version__, "torchaudio": torchaudio.__version__, "inputs": {}, "cases": [], "melbanks": []}


def camel(name):
    return re.sub(r"_([a-z])", lambda m: m.group(1).upper(), name)


def snake(name):
    return re.sub(r"([A-Z])", lambda m: "_" + m.group(1).lower(), name)


def torch_fbank(waveform, options):
    """torchaudio's kaldi.fbank with @wsp/fbank option names."""
    opts = dict(options)
    scale = opts.pop("inputScale", 1)
    for unused in ("ditherSeed",):
        opts.pop(unused, None)
    kwargs = {snake(k): v for k, v in opts.items()}
    kwargs["num_mel_bins"] = kwargs.pop("num_mel_bins", 23)
    wav = torch.from_numpy(np.asarray(waveform, dtype=np.float32)).unsqueeze(0) * scale
    return kaldi.fbank(wav, **kwargs).numpy()


def add_input(name, waveform, int16=None):
    """Stores an input; int16 data is stored as is (the test divides by 32768)."""
    path = os.path.join(OUT, "inputs", f"{name}.npy")
    if int16 is not None:
        np.save(path, int16.astype("<i2"))
        kind = "int16"
    else:
        np.save(path, np.asarray(waveform, dtype="<f4"))
        kind = "float32"
    inputs[name] = np.asarray(waveform, dtype=np.float32)
    manifest["inputs"][name] = {"file": f"inputs/{name}.npy", "kind": kind, "length": int(len(waveform))}


def add_case(name, input_name, options, cmn=False, golden=None):
    """Runs torchaudio (unless a golden is given) and records the case."""
    if golden is None:
        golden = torch_fbank(inputs[input_name], options)
        if cmn:
            golden = golden - golden.mean(axis=0, keepdims=True)
    golden = np.ascontiguousarray(golden, dtype="<f4")
    np.save(os.path.join(OUT, f"{name}.npy"), golden)
    manifest["cases"].append(
        {"name": name, "input": input_name, "options": options, "cmn": cmn, "file": f"{name}.npy", "shape": list(golden.shape)}
    )


def speech(name, start, length):
    data, rate = wsp_reference.read_wav_int16(os.path.join(ROOT, "fixtures", "audio", f"{name}.wav"))
    assert rate == 16000
    piece = data[start : start + length]
    return piece.astype(np.float32) / 32768.0, piece


def kaldi_reflected_frames(waveform, options):
    """Golden for snipEdges false on inputs shorter than a frame, where torchaudio asserts but Kaldi
    reflects repeatedly: build each frame with Kaldi's reflection rule (feature-window.cc
    ExtractWindow) and run torchaudio on that single frame (one frame of exactly window size)."""
    rate = options.get("sampleFrequency", 16000)
    size = int(rate * options.get("frameLength", 25) * 0.001)
    shift = int(rate * options.get("frameShift", 10) * 0.001)
    n = len(waveform)
    frames = (n + shift // 2) // shift
    rows = []
    for m in range(frames):
        first = m * shift + shift // 2 - size // 2
        idx = []
        for j in range(size):
            s = first + j
            while s < 0 or s >= n:
                s = -s - 1 if s < 0 else 2 * n - 1 - s
            idx.append(s)
        single = dict(options, snipEdges=True)
        rows.append(torch_fbank(waveform[np.array(idx)], single)[0])
    return np.stack(rows)


def main():
    os.makedirs(os.path.join(OUT, "inputs"), exist_ok=True)
    torch.manual_seed(0)
    rng = np.random.default_rng(20261125)

    # Real speech (espeak-ng voices, 16 kHz int16; see tools/reference/make_audio_fixtures.sh).
    wav, raw_a1 = speech("speech-a1", 16000, 19237)  # 1.2 s, odd length
    add_input("speech-a1", wav, raw_a1)
    wav, raw = speech("speech-a1", 62000, 9777)  # end of the sentence into digital silence
    add_input("speech-a1-tail", wav, raw)
    wav, raw = speech("speech-b1", 20000, 4817)  # short piece of another voice for the option grid
    add_input("speech-b1", wav, raw)
    wav, raw = speech("speech-b1", 30000, 1999)
    add_input("speech-b1-1999", wav, raw)
    add_input("noise", (0.1 * rng.standard_normal(4800)).astype(np.float32))
    add_input("silence", np.zeros(3200, dtype=np.float32))
    t = np.arange(4800) / 16000.0
    add_input("tones", (0.4 * np.sin(2 * np.pi * 440 * t) + 0.2 * np.sin(2 * np.pi * 3000 * t)).astype(np.float32))
    for n in (400, 401, 559, 1680):
        add_input(f"speech-{n}", inputs["speech-a1"][:n], raw_a1[:n])
    add_input("short-250", inputs["speech-b1"][:250])
    add_input("short-100", inputs["speech-b1"][1000:1100])
    wav8k = torchaudio.functional.resample(torch.from_numpy(inputs["speech-b1"]), 16000, 8000).numpy()
    add_input("speech-b1-8k", wav8k.astype(np.float32))

    # The wespeaker preset (pyannote's compute_fbank, in wsp_reference) before and after CMN.
    for name in ("speech-a1", "speech-a1-tail", "noise", "silence", "tones", "speech-400", "speech-401", "speech-559", "speech-1680", "speech-b1-1999"):
        raw_feats = wsp_reference.wespeaker_fbank(inputs[name], cmn=False)
        add_case(f"wespeaker-{name}", name, WESPEAKER, golden=raw_feats)
        if name in ("speech-a1", "speech-a1-tail", "silence", "speech-1680"):
            add_case(f"wespeaker-cmn-{name}", name, WESPEAKER, cmn=True, golden=wsp_reference.wespeaker_fbank(inputs[name], cmn=True))

    # The option grid, on real speech unless named otherwise.
    grid = {
        "defaults": {},
        "window-hamming": {"windowType": "hamming"},
        "window-hanning": {"windowType": "hanning"},
        "window-povey": {"windowType": "povey"},
        "window-rectangular": {"windowType": "rectangular"},
        "window-blackman": {"windowType": "blackman"},
        "window-blackman-0.35": {"windowType": "blackman", "blackmanCoeff": 0.35},
        "snip-false": {"snipEdges": False},
        "wespeaker-snip-false": dict(WESPEAKER, snipEdges=False),
        "energy": {"useEnergy": True},
        "energy-not-raw": {"useEnergy": True, "rawEnergy": False},
        "energy-htk": {"useEnergy": True, "htkCompat": True},
        "energy-floor-0": {"useEnergy": True, "energyFloor": 0.0},
        "energy-floor-high": {"useEnergy": True, "energyFloor": 1e9, "inputScale": 32768},
        "magnitude": {"usePower": False},
        "linear": {"useLogFbank": False, "inputScale": 32768, "numMelBins": 40},
        "low-high-freq": {"lowFreq": 300, "highFreq": -1000, "numMelBins": 40},
        "high-freq-positive": {"lowFreq": 0, "highFreq": 5000, "numMelBins": 30},
        "bins-40": {"numMelBins": 40},
        "bins-64": dict(WESPEAKER, numMelBins=64),
        "bins-128": {"numMelBins": 128, "inputScale": 32768},
        "no-power-of-two": {"roundToPowerOfTwo": False, "numMelBins": 40},
        "no-preemphasis-no-dc": {"preemphasisCoefficient": 0.0, "removeDcOffset": False},
        "preemphasis-1": {"preemphasisCoefficient": 1.0},
        "frame-20-5": {"frameLength": 20, "frameShift": 5, "numMelBins": 40},
        "frame-32-12.5": {"frameLength": 32, "frameShift": 12.5, "roundToPowerOfTwo": False},
        "vtln-0.9": {"vtlnWarp": 0.9, "numMelBins": 40},
        "vtln-1.15": {"vtlnWarp": 1.15, "vtlnLow": 200, "vtlnHigh": 6000, "numMelBins": 40},
        "subtract-mean": {"subtractMean": True, "useEnergy": True},
    }
    for name, options in grid.items():
        add_case(f"grid-{name}", "speech-b1", options)
    add_case("grid-8k", "speech-b1-8k", {"sampleFrequency": 8000, "numMelBins": 40, "windowType": "hamming", "inputScale": 32768})
    add_case("grid-8k-snip-false", "speech-b1-8k", {"sampleFrequency": 8000, "numMelBins": 23, "snipEdges": False})
    add_case("grid-noise-povey", "noise", {"numMelBins": 40, "useEnergy": True})
    add_case("grid-tones-snip-false", "tones", {"snipEdges": False, "windowType": "blackman", "numMelBins": 40})
    add_case("grid-snip-false-401", "speech-401", dict(WESPEAKER, snipEdges=False))
    add_case("grid-silence-energy", "silence", {"useEnergy": True, "energyFloor": 0.0})
    # Shorter than a frame with snipEdges false: Kaldi reflects (repeatedly); torchaudio refuses.
    for name in ("short-250", "short-100"):
        options = dict(WESPEAKER, snipEdges=False)
        add_case(f"kaldi-reflect-{name}", name, options, golden=kaldi_reflected_frames(inputs[name], options))

    for name, args in {
        "melbank-wespeaker": (80, 512, 16000.0, 20.0, 0.0, 100.0, -500.0, 1.0),
        "melbank-vtln-0.9": (40, 512, 16000.0, 20.0, 0.0, 100.0, -500.0, 0.9),
        "melbank-8k-23": (23, 256, 8000.0, 20.0, 0.0, 100.0, -500.0, 1.0),
    }.items():
        # Stored sparsely: (mel bin, FFT bin) of every non-zero weight, the weights, the centres.
        bank, centers = kaldi.get_mel_banks(*args)
        bank = bank.numpy()
        nonzero = np.ascontiguousarray(np.argwhere(bank != 0), dtype="<i4")
        np.save(os.path.join(OUT, f"{name}-index.npy"), nonzero)
        np.save(os.path.join(OUT, f"{name}-weights.npy"), bank[bank != 0].astype("<f4"))
        # The same formulas in float64 (torch's default dtype switched), an oracle without float32 rounding.
        torch.set_default_dtype(torch.float64)
        bank64 = kaldi.get_mel_banks(*args)[0].numpy()
        torch.set_default_dtype(torch.float32)
        assert ((bank64 != 0) == (bank != 0)).all(), name
        np.save(os.path.join(OUT, f"{name}-weights-f64.npy"), bank64[bank != 0].astype("<f8"))
        np.save(os.path.join(OUT, f"{name}-centers.npy"), centers.numpy().astype("<f4"))
        keys = ["numMelBins", "paddedWindowSize", "sampleFrequency", "lowFreq", "highFreq", "vtlnLow", "vtlnHigh", "vtlnWarp"]
        manifest["melbanks"].append(
            {"name": name, "shape": list(bank.shape), "index": f"{name}-index.npy", "weights": f"{name}-weights.npy", "weights64": f"{name}-weights-f64.npy", "centers": f"{name}-centers.npy", "params": dict(zip(keys, args))}
        )

    # Dither uses torch's RNG, which cannot be matched; record its effect instead: the mean |change|
    # of the log features against no dither, averaged over seeds, for the dither test to compare with.
    dither_options = {"dither": 1.0, "inputScale": 32768}
    plain = torch_fbank(inputs["speech-a1"][:8000], {"inputScale": 32768})
    effects = []
    for seed in range(8):
        torch.manual_seed(seed)
        effects.append(float(np.abs(torch_fbank(inputs["speech-a1"][:8000], dither_options) - plain).mean()))
    manifest["dither"] = {"input": "speech-a1", "samples": 8000, "options": dither_options, "meanAbsChange": float(np.mean(effects)), "seeds": len(effects), "spread": float(np.std(effects))}

    # torchaudio's own defaults (from its signature) and windows, for the option and window tests.
    signature = inspect.signature(kaldi.fbank)
    manifest["torchaudioDefaults"] = {camel(k): p.default for k, p in signature.parameters.items() if k not in ("waveform", "channel")}
    manifest["windows"] = {}
    for window_type in ("hamming", "hanning", "povey", "rectangular", "blackman"):
        window = kaldi._feature_window_function(window_type, 400, 0.42, torch.device("cpu"), torch.float32)
        np.save(os.path.join(OUT, f"window-{window_type}.npy"), window.numpy().astype("<f4"))
        manifest["windows"][window_type] = f"window-{window_type}.npy"

    with open(os.path.join(OUT, "manifest.json"), "w") as f:
        json.dump(manifest, f, indent=1)
        f.write("\n")
    total = sum(os.path.getsize(os.path.join(d, x)) for d, _, files in os.walk(OUT) for x in files)
    print(f"wrote {len(manifest['cases'])} cases, {len(manifest['inputs'])} inputs, {total / 1024:.0f} KiB in {OUT}")


if __name__ == "__main__":
    main()
