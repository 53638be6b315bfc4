#!/usr/bin/env python3
"""Golden speaker embeddings of whole audio files, for the end-to-end tests of @wsp/speaker and the
`wsp` CLI: file -> torchaudio.load -> mono -> torchaudio resample to 16 kHz -> torchaudio kaldi fbank
(WeSpeaker/pyannote settings) + CMN -> PyTorch ResNet -> embedding.

    /usr/bin/python3 tools/reference/speaker_goldens.py       # writes fixtures/speaker/embed/goldens.json

Steps: `node tools/reference/write_speaker_models.mjs` writes synthetic model directories (tiny and
full-size, from @wsp/weights' generateSyntheticModel; the list lives there); this script runs the
recordings through wsp_reference (load_model_dir, resample, wespeaker_fbank, WeSpeakerResNet) and writes
one JSON file with
  - per model: seed, config and the SHA-256 of its model.safetensors (tests regenerate the model in
    TypeScript and check the hash first);
  - `cases`: per recording, model and pooling variant: frames, the raw and the L2-normalised embedding;
  - `long`: 1.5 s windows every 0.75 s (150 / 75 frames), WeSpeaker's diarization recipe: fbank of the
    whole recording, then CMN per window; the last window is aligned to the end of the recording;
    per-window normalised embeddings and the normalised mean of them;
  - `padded`: excerpts shorter than the pooling minimum, repeated cyclically (numpy.resize) to
    1680 samples (= 9 frames) before the pipeline: the documented `shortInput: 'pad'` policy.
Needs the recordings of make_embedding_audio.sh and the built @wsp/weights.
"""
import argparse
import json
import os
import subprocess
import sys
import tempfile

import numpy as np
import torch
import torch.nn.functional as F
import torchaudio

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from resnet_goldens import f32, sha256  # noqa: E402
from wsp_reference import WeSpeakerResNet, load_model_dir, resample, wespeaker_fbank, write_json  # noqa: E402

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))

RECORDINGS = {
    "a1-16000": "fixtures/audio/speech-a1.wav",
    "a2-16000": "fixtures/audio/speech-a2.wav",
    "b1-16000": "fixtures/audio/speech-b1.wav",
    "b1-8000": "fixtures/speaker/embed/speech-b1-8000.wav",
    "a2-44100": "fixtures/speaker/embed/speech-a2-44100.wav",
    "flac-22050": "fixtures/speaker/codecs/speech-22050.flac",
}
# (model, recording, pooling)
CASES = [("tiny", r, "pyannote") for r in RECORDINGS] + [
    ("tiny", "a1-16000", "wespeaker"),
    ("tiny", "a1-16000", "mlx"),
    ("full", "a1-16000", "pyannote"),
    ("full", "b1-8000", "pyannote"),
    ("full", "a2-44100", "pyannote"),
]
LONG = [("tiny", "a1-16000", "pyannote", 150, 75), ("tiny", "b1-16000", "pyannote", 100, 40)]
# (model, recording, first sample at 16 kHz, length in samples)
PADDED = [("tiny", "a1-16000", 8000, 800), ("tiny", "a1-16000", 12000, 300), ("tiny", "a1-16000", 20000, 1679)]
PAD_TO = 400 + 8 * 160  # 9 frames: the minimum of the unbiased poolings


def load_16k(path):
    wave, rate = torchaudio.load(path)  # float32, normalised like our decoder
    mono = wave.mean(dim=0).numpy()
    return resample(mono, rate, 16000) if rate != 16000 else mono, rate


def embed(net, feats):
    with torch.no_grad():
        raw = net(torch.from_numpy(np.ascontiguousarray(feats))[None])
    return raw[0], F.normalize(raw, dim=1)[0]


def vec(t):
    return [f32(v) for v in t.numpy()]


def windows(total, size, hop):
    if total <= size:
        return [(0, total)]
    starts = list(range(0, total - size + 1, hop))
    if starts[-1] + size < total:
        starts.append(total - size)
    return [(s, size) for s in starts]


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--out", default=os.path.join(ROOT, "fixtures", "speaker", "embed", "goldens.json"))
    args = parser.parse_args()

    with tempfile.TemporaryDirectory(prefix="wsp-speaker-goldens-") as models_dir:
        write_goldens(models_dir, args.out)


def write_goldens(models_dir, target):
    subprocess.run(["node", os.path.join(ROOT, "tools", "reference", "write_speaker_models.mjs"), models_dir], check=True)
    with open(os.path.join(models_dir, "models.json")) as f:
        spec = json.load(f)
    nets, models = {}, {}
    for name, info in spec.items():
        path = os.path.join(models_dir, name)
        config, tensors = load_model_dir(path)
        nets[name] = (config, tensors)
        models[name] = {"seed": info["seed"], "config": config, "safetensorsSha256": sha256(os.path.join(path, "model.safetensors"))}

    def net_for(model, pooling):
        config, tensors = nets[model]
        return WeSpeakerResNet(config, tensors, pooling)

    audio = {key: load_16k(os.path.join(ROOT, rel)) for key, rel in RECORDINGS.items()}
    out = {
        "generator": "tools/reference/speaker_goldens.py (torchaudio load/resample/kaldi fbank + CMN, PyTorch float32 ResNet)",
        "torch": torch.__version__,
        "torchaudio": torchaudio.__version__,
        "models": models,
        "recordings": {k: {"file": RECORDINGS[k], "sampleRate": audio[k][1], "samples16k": int(audio[k][0].size)} for k in RECORDINGS},
        "cases": [],
        "long": [],
        "padded": [],
    }
    for model, rec, pooling in CASES:
        feats = wespeaker_fbank(audio[rec][0])
        raw, normalized = embed(net_for(model, pooling), feats)
        out["cases"].append(
            {"id": f"{model}-{rec}-{pooling}", "model": model, "recording": rec, "pooling": pooling, "frames": int(feats.shape[0]), "embedding": vec(raw), "normalized": vec(normalized)}
        )
        print(f"{model}-{rec}-{pooling}: {feats.shape[0]} frames", file=sys.stderr)

    for model, rec, pooling, size, hop in LONG:
        net = net_for(model, pooling)
        feats = wespeaker_fbank(audio[rec][0], cmn=False)
        result = []
        for start, n in windows(feats.shape[0], size, hop):
            w = feats[start : start + n]
            _, normalized = embed(net, w - w.mean(axis=0, keepdims=True))
            result.append({"startFrame": start, "frames": n, "normalized": vec(normalized)})
        mean = F.normalize(torch.stack([torch.tensor(r["normalized"], dtype=torch.float64) for r in result]).mean(dim=0), dim=0)
        out["long"].append(
            {"id": f"{model}-{rec}-w{size}-h{hop}", "model": model, "recording": rec, "pooling": pooling, "windowFrames": size, "hopFrames": hop, "totalFrames": int(feats.shape[0]), "windows": result, "mean": [f32(v) for v in mean.numpy()]}
        )

    for model, rec, start, length in PADDED:
        excerpt = audio[rec][0][start : start + length]
        padded = np.resize(excerpt, PAD_TO)  # cyclic repetition
        raw, normalized = embed(net_for(model, "pyannote"), wespeaker_fbank(padded))
        out["padded"].append({"id": f"{model}-{rec}-{start}+{length}", "model": model, "recording": rec, "start": start, "length": length, "paddedTo": PAD_TO, "normalized": vec(normalized)})

    os.makedirs(os.path.dirname(target), exist_ok=True)
    write_json(target, out)
    print(f"wrote {target}: {len(out['cases'])} cases, {len(out['long'])} long, {len(out['padded'])} padded", file=sys.stderr)


if __name__ == "__main__":
    main()
