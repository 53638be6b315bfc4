"""Reference pipeline in PyTorch/torchaudio, shared by the golden-writing scripts.

Run with Debian's /usr/bin/python3 (python3-torch 1.13, python3-torchaudio 0.13). Nothing here is
imported by the TypeScript packages; it only writes checked-in golden files.

- load_safetensors(path): dict name -> float32 numpy array (our own header parser; no safetensors dep)
- save_safetensors(path, tensors, metadata): writes torch tensors in their own dtype (sorted names,
  8-byte aligned header), independently of the TypeScript writer
- WeSpeakerResNet(config, tensors, pooling): the network in NCHW with the MLX (fused) weights
  permuted (0, 3, 1, 2), exactly as the Python Ascend port's convert_weights.py does
- wespeaker_fbank(waveform): torchaudio.compliance.kaldi.fbank with pyannote's settings + CMN
"""
import json
import struct
import wave

import numpy as np
import torch
import torch.nn.functional as F
import torchaudio

torch.set_num_threads(1)


def load_safetensors(path):
    with open(path, "rb") as f:
        raw = f.read()
    (n,) = struct.unpack("<Q", raw[:8])
    header = json.loads(raw[8 : 8 + n])
    base = 8 + n
    out = {}
    dtypes = {"F32": np.float32, "F16": np.float16, "F64": np.float64}
    for name, info in header.items():
        if name == "__metadata__":
            continue
        a, b = info["data_offsets"]
        if info["dtype"] == "BF16":  # numpy has no bfloat16: widen the 16-bit patterns to float32
            bits = np.frombuffer(raw[base + a : base + b], dtype="<u2").astype(np.uint32) << 16
            arr = bits.view(np.float32).reshape(info["shape"])
        else:
            arr = np.frombuffer(raw[base + a : base + b], dtype=dtypes[info["dtype"]]).reshape(info["shape"])
        out[name] = arr.astype(np.float32)
    return out


SAFETENSORS_DTYPES = {
    torch.float32: "F32",
    torch.float16: "F16",
    torch.bfloat16: "BF16",
    torch.float64: "F64",
    torch.int64: "I64",
}


def save_safetensors(path, tensors, metadata=None):
    """tensors: dict name -> torch tensor (any SAFETENSORS_DTYPES dtype), written as is."""
    header = {}
    if metadata:
        header["__metadata__"] = metadata
    blobs = []
    offset = 0
    for name in sorted(tensors):
        t = tensors[name].detach().contiguous().cpu()
        # .view(int16/uint8) keeps the exact bit patterns, bfloat16 included
        blob = t.reshape(-1).view(torch.uint8).numpy().tobytes() if t.numel() else b""
        header[name] = {"dtype": SAFETENSORS_DTYPES[t.dtype], "shape": list(t.shape), "data_offsets": [offset, offset + len(blob)]}
        blobs.append(blob)
        offset += len(blob)
    text = json.dumps(header).encode()
    text += b" " * ((8 - (8 + len(text)) % 8) % 8)
    with open(path, "wb") as f:
        f.write(struct.pack("<Q", len(text)))
        f.write(text)
        for blob in blobs:
            f.write(blob)


def load_model_dir(path):
    with open(f"{path}/config.json") as f:
        config = json.load(f)
    return config, load_safetensors(f"{path}/model.safetensors")


POOLINGS = {
    # name: (unbiased, epsilon inside the root)
    "pyannote": (True, 0.0),
    "wespeaker": (True, 1e-7),
    "mlx": (False, 1e-10),
}


class WeSpeakerResNet(torch.nn.Module):
    """Functional ResNet on fused weights; records per-stage activations when asked."""

    def __init__(self, config, tensors, pooling="pyannote"):
        super().__init__()
        self.config = config
        self.pooling = pooling
        self.p = {}
        for name, arr in tensors.items():
            t = torch.from_numpy(np.ascontiguousarray(arr))
            if t.dim() == 4:  # MLX [O, kH, kW, I] -> PyTorch [O, I, kH, kW]
                t = t.permute(0, 3, 1, 2).contiguous()
            self.p[name] = t

    def conv(self, x, name, stride, padding):
        return F.conv2d(x, self.p[f"{name}.weight"], self.p[f"{name}.bias"], stride=stride, padding=padding)

    def forward(self, feats, record=None):
        """feats: [B, T, n_mels] -> [B, embedding_dim] (not normalised)."""
        x = feats.permute(0, 2, 1).unsqueeze(1)  # [B, 1, F, T]
        x = F.relu(self.conv(x, "conv1", 1, 1))
        if record is not None:
            record["stem"] = x
        in_ch = self.config["channels"][0]
        for s, (blocks, out_ch) in enumerate(zip(self.config["layers"], self.config["channels"])):
            for b in range(blocks):
                name = f"layer{s + 1}.{b}"
                stride = 2 if (s > 0 and b == 0) else 1
                h = F.relu(self.conv(x, f"{name}.conv1", stride, 1))
                h = self.conv(h, f"{name}.conv2", 1, 1)
                r = self.conv(x, f"{name}.shortcut", stride, 0) if (stride != 1 or in_ch != out_ch) else x
                x = F.relu(h + r)
                in_ch = out_ch
            if record is not None:
                record[f"layer{s + 1}"] = x
        bsz, c, f, t = x.shape
        x = x.reshape(bsz, c * f, t)  # channel-major c*F + f
        unbiased, eps = POOLINGS[self.pooling]
        mean = x.mean(dim=2)
        var = x.var(dim=2, unbiased=unbiased)
        std = torch.sqrt(var + eps) if eps > 0 else torch.sqrt(var)
        pooled = torch.cat([mean, std], dim=1)
        if record is not None:
            record["pooled"] = pooled
        return F.linear(pooled, self.p["embedding.weight"], self.p["embedding.bias"])


def read_wav_int16(path):
    with wave.open(path, "rb") as w:
        assert w.getsampwidth() == 2 and w.getnchannels() == 1, path
        data = np.frombuffer(w.readframes(w.getnframes()), dtype="<i2")
        return data, w.getframerate()


def wespeaker_fbank(waveform, sample_rate=16000, cmn=True):
    """waveform: float32 numpy in [-1, 1] -> [T, 80] float32 (pyannote's compute_fbank)."""
    wav = torch.from_numpy(np.asarray(waveform, dtype=np.float32)).unsqueeze(0) * (1 << 15)
    feats = torchaudio.compliance.kaldi.fbank(
        wav,
        num_mel_bins=80,
        frame_length=25,
        frame_shift=10,
        round_to_power_of_two=True,
        snip_edges=True,
        dither=0.0,
        sample_frequency=sample_rate,
        window_type="hamming",
        use_energy=False,
    )
    if cmn:
        feats = feats - feats.mean(dim=0, keepdim=True)
    return feats.numpy()


def resample(waveform, orig_freq, new_freq):
    """torchaudio.functional.resample with its defaults (Hann-windowed sinc, width 6, rolloff 0.99),
    as WeSpeaker resamples: float32 numpy in, float32 numpy out."""
    wav = torch.from_numpy(np.asarray(waveform, dtype=np.float32))
    return torchaudio.functional.resample(wav, orig_freq, new_freq).numpy()


def write_json(path, obj):
    """Writes a golden JSON file: sorted keys, indented, trailing newline (stable diffs)."""
    with open(path, "w") as f:
        json.dump(obj, f, indent=2, sort_keys=True)
        f.write("\n")
