"""Writes the PyTorch-made weight fixtures under fixtures/weights/ for @wsp/weights' tests.

Run with Debian's interpreter: /usr/bin/python3 tools/reference/weights_fixtures.py
(python3-torch 1.13). The output is checked in; CI never runs this.

A tiny WeSpeaker ResNet (same module structure as wespeaker/models/resnet.py: conv1/bn1, BasicBlocks
with conv1/bn1/conv2/bn2 and shortcut = Sequential(conv 1x1, BN), seg_1 linear, plus the ArcMargin
`projection.weight`) gets random weights and BatchNorm statistics, then is saved the ways users
hold it:

  wespeaker-tiny.pt            torch.save(model.state_dict()) (pickle protocol 2, the default)
  wespeaker-tiny-proto4.pt     the same with pickle_protocol=4 (FRAME, MEMOIZE, STACK_GLOBAL, ...)
  wespeaker-tiny-proto5.pt     the same with pickle_protocol=5
  wespeaker-tiny-fp16.pt       every float tensor in float16
  wespeaker-tiny-bf16.pt       every float tensor in bfloat16
  pyannote-tiny.bin            a Lightning-style checkpoint: state_dict with `resnet.` prefix next to
                               pyannote objects (Specifications dataclass, Problem enum, TorchVersion),
                               optimizer state, loops, hyper-parameters
  noncontiguous-tiny.pt        MLX names, fused, convs saved as `.permute(0, 3, 1, 2)` views of OHWI
                               tensors (non-contiguous), the linear weight as a transposed view, and
                               the biases as slices of one shared storage (storage offsets)
  zip64-deflated-tiny.pt       wespeaker-tiny.pt re-zipped by Python's zipfile with DEFLATE and zip64
                               records (sizes in zip64 extra fields, zip64 end records)

and `wespeaker-tiny.expected.safetensors` (fp16/bf16: their own `<case>.expected.safetensors`): what
torch computes for the canonical set (BatchNorm fused in float32 with eps 1e-5, convs permuted to
[O, kH, kW, I], MLX names). Also:

  dtypes.safetensors / dtypes.expected.safetensors   one tensor per dtype (F32, F16, BF16, F64, I64)
                                                     and torch's float32 conversion of each
  rounding.safetensors         float32 inputs (ties, subnormals, overflow, NaN, ...) with torch's
                               .half() and .bfloat16() of them, for the writers' rounding
  pickles.json                 plain-data pickles of protocols 2-5 (hex) with the value as JSON
  manifest.json                the config and the list of cases
"""
import dataclasses
import enum
import json
import pickle
import os
import sys
import types
import zipfile
from collections import OrderedDict

import numpy as np
import torch
import torch.nn as nn

sys.dont_write_bytecode = True  # no __pycache__ in the checkout
sys.path.insert(0, os.path.dirname(__file__))
from wsp_reference import WeSpeakerResNet, save_safetensors  # noqa: E402

OUT = os.path.join(os.path.dirname(__file__), "..", "..", "fixtures", "weights")
CONFIG = {
    "model_type": "wespeaker-resnet-tiny",
    "sample_rate": 16000,
    "n_mels": 80,
    "embedding_dim": 16,
    "layers": [2, 1, 1, 1],
    "channels": [4, 8, 8, 16],
    "pooling_output_dim": 2 * 16 * 10,
}
EPS = 1e-5


class BasicBlock(nn.Module):
    """wespeaker/models/resnet.py BasicBlock (bias-free convs, BatchNorm after each)."""

    def __init__(self, in_planes, planes, stride):
        super().__init__()
        self.conv1 = nn.Conv2d(in_planes, planes, 3, stride, 1, bias=False)
        self.bn1 = nn.BatchNorm2d(planes)
        self.conv2 = nn.Conv2d(planes, planes, 3, 1, 1, bias=False)
        self.bn2 = nn.BatchNorm2d(planes)
        self.shortcut = nn.Sequential()
        if stride != 1 or in_planes != planes:
            self.shortcut = nn.Sequential(nn.Conv2d(in_planes, planes, 1, stride, bias=False), nn.BatchNorm2d(planes))

    def forward(self, x):
        out = torch.relu(self.bn1(self.conv1(x)))
        out = self.bn2(self.conv2(out))
        return torch.relu(out + self.shortcut(x))


class TinyResNet(nn.Module):
    """wespeaker/models/resnet.py ResNet with TSTP pooling (pyannote's unbiased std), two_emb_layer=False."""

    def __init__(self, cfg):
        super().__init__()
        ch = cfg["channels"]
        self.conv1 = nn.Conv2d(1, ch[0], 3, 1, 1, bias=False)
        self.bn1 = nn.BatchNorm2d(ch[0])
        in_planes = ch[0]
        for s, (blocks, planes) in enumerate(zip(cfg["layers"], ch)):
            layer = []
            for b in range(blocks):
                layer.append(BasicBlock(in_planes, planes, 2 if (s > 0 and b == 0) else 1))
                in_planes = planes
            setattr(self, f"layer{s + 1}", nn.Sequential(*layer))
        self.seg_1 = nn.Linear(cfg["pooling_output_dim"], cfg["embedding_dim"])
        self.projection = nn.Module()
        self.projection.weight = nn.Parameter(torch.randn(7, cfg["embedding_dim"]))  # ArcMargin head, training only

    def forward(self, feats):
        x = feats.permute(0, 2, 1).unsqueeze(1)
        x = torch.relu(self.bn1(self.conv1(x)))
        for s in range(len(CONFIG["layers"])):
            x = getattr(self, f"layer{s + 1}")(x)
        b, c, f, t = x.shape
        x = x.reshape(b, c * f, t)
        pooled = torch.cat([x.mean(dim=2), torch.sqrt(x.var(dim=2, unbiased=True))], dim=1)
        return self.seg_1(pooled)


def randomised_model():
    torch.manual_seed(20261125)
    model = TinyResNet(CONFIG)
    with torch.no_grad():
        for m in model.modules():
            if isinstance(m, nn.Conv2d):
                fan_in = m.weight[0].numel()
                m.weight.normal_(0, (2 / fan_in) ** 0.5)
            elif isinstance(m, nn.BatchNorm2d):
                m.weight.uniform_(0.5, 1.5)
                m.bias.normal_(0, 0.1)
                m.running_mean.normal_(0, 0.1)
                m.running_var.uniform_(0.5, 1.5)
                m.num_batches_tracked.fill_(1234)
    return model.eval()


def conv_bn_pairs(cfg):
    """(MLX name, PyTorch conv prefix, PyTorch BN prefix) for every conv of the config."""
    pairs = [("conv1", "conv1", "bn1")]
    in_planes = cfg["channels"][0]
    for s, (blocks, planes) in enumerate(zip(cfg["layers"], cfg["channels"])):
        for b in range(blocks):
            p = f"layer{s + 1}.{b}"
            stride = 2 if (s > 0 and b == 0) else 1
            pairs += [(f"{p}.conv1", f"{p}.conv1", f"{p}.bn1"), (f"{p}.conv2", f"{p}.conv2", f"{p}.bn2")]
            if stride != 1 or in_planes != planes:
                pairs.append((f"{p}.shortcut", f"{p}.shortcut.0", f"{p}.shortcut.1"))
            in_planes = planes
    return pairs


def fused_mlx(state):
    """What the MLX converter computes, in torch float32 arithmetic: fuse (eps 1e-5), OIHW -> OHWI, rename."""
    out = {}
    for mlx, conv, bn in conv_bn_pairs(CONFIG):
        w = state[f"{conv}.weight"].float()
        gamma, beta = state[f"{bn}.weight"].float(), state[f"{bn}.bias"].float()
        mean, var = state[f"{bn}.running_mean"].float(), state[f"{bn}.running_var"].float()
        scale = gamma / torch.sqrt(var + EPS)
        out[f"{mlx}.weight"] = (w * scale[:, None, None, None]).permute(0, 2, 3, 1).contiguous()
        out[f"{mlx}.bias"] = beta - mean * scale
    out["embedding.weight"] = state["seg_1.weight"].float().contiguous()
    out["embedding.bias"] = state["seg_1.bias"].float().contiguous()
    return out


def cast_floats(state, dtype):
    return OrderedDict((k, v.to(dtype) if v.is_floating_point() else v) for k, v in state.items())


def install_fake_pyannote():
    """Module objects standing in for pyannote.audio.core.task, so the pickle names real-looking globals."""
    names = ["pyannote", "pyannote.audio", "pyannote.audio.core", "pyannote.audio.core.task"]
    for n in names:
        sys.modules.setdefault(n, types.ModuleType(n))
    task = sys.modules["pyannote.audio.core.task"]

    class Problem(enum.Enum):
        BINARY_CLASSIFICATION = 0
        REPRESENTATION = 4

    class Resolution(enum.Enum):
        FRAME = 1
        CHUNK = 2

    @dataclasses.dataclass
    class Specifications:
        problem: Problem
        resolution: Resolution
        duration: float
        min_duration: float = None
        warm_up: tuple = (0.0, 0.0)
        classes: list = None
        permutation_invariant: bool = False

    for cls in (Problem, Resolution, Specifications):
        cls.__module__ = task.__name__
        cls.__qualname__ = cls.__name__
        setattr(task, cls.__name__, cls)
    return task


def lightning_checkpoint(state):
    task = install_fake_pyannote()
    resnet_state = OrderedDict((f"resnet.{k}", v) for k, v in state.items() if not k.startswith("projection."))
    exp_avg = torch.zeros(3, 3)
    return {
        "epoch": 3,
        "global_step": 1200,
        "pytorch-lightning_version": "1.9.5",
        "state_dict": resnet_state,
        "loops": {"fit_loop": {"state_dict": {}, "epoch_progress": {"total": {"ready": 4, "completed": 3}}}},
        "callbacks": {},
        "optimizer_states": [{"state": {0: {"step": torch.tensor(10.0), "exp_avg": exp_avg}}, "param_groups": [{"lr": 1e-3, "params": [0]}]}],
        "lr_schedulers": [],
        "hparams_name": "kwargs",
        "hyper_parameters": {"sample_rate": 16000, "num_channels": 1, "task": None, "fbank_centering_span": None},
        "pyannote.audio": {
            "versions": {"torch": torch.__version__, "pyannote.audio": "3.1.0"},
            "architecture": {"module": "pyannote.audio.models.embedding.wespeaker", "class": "WeSpeakerResNet34"},
            "specifications": task.Specifications(
                problem=task.Problem.REPRESENTATION, resolution=task.Resolution.CHUNK, duration=5.0, classes=None
            ),
            "blob": b"\x00\x01raw bytes\xff",
            "labels": {"a", "b"},
        },
    }


def noncontiguous_state(expected):
    """MLX names, fused; OIHW convs as permuted views, linear weight as a transposed view, biases sliced from one storage."""
    state = OrderedDict()
    bias_names = [k for k in expected if k.endswith(".bias")]
    shared = torch.cat([expected[k] for k in bias_names])
    at = 0
    for name, t in expected.items():
        if t.dim() == 4:
            state[name] = t.permute(0, 3, 1, 2)  # the Python port's transpose, without .contiguous()
        elif name == "embedding.weight":
            state[name] = t.t().contiguous().t()
            assert not state[name].is_contiguous()
        else:
            n = t.numel()
            state[name] = shared[at : at + n]
            at += n
    assert state[bias_names[-1]].storage_offset() > 0
    assert not state["layer1.0.conv1.weight"].is_contiguous()  # (convs with one input channel or 1x1 kernels stay contiguous)
    return state


def rezip_deflated_zip64(src, dst):
    """Re-zips a torch.save archive with DEFLATE and zip64 records (ZIP64_LIMIT lowered so zipfile writes them)."""
    saved = zipfile.ZIP64_LIMIT, zipfile.ZIP_FILECOUNT_LIMIT
    zipfile.ZIP64_LIMIT, zipfile.ZIP_FILECOUNT_LIMIT = 16, 1
    try:
        with zipfile.ZipFile(src) as zin, zipfile.ZipFile(dst, "w", compression=zipfile.ZIP_DEFLATED, allowZip64=True) as zout:
            for info in zin.infolist():
                entry = zipfile.ZipInfo(info.filename, date_time=(1980, 1, 1, 0, 0, 0))  # fixed: reruns give equal bytes
                entry.compress_type = zipfile.ZIP_DEFLATED
                zout.writestr(entry, zin.read(info.filename))
    finally:
        zipfile.ZIP64_LIMIT, zipfile.ZIP_FILECOUNT_LIMIT = saved
    raw = open(dst, "rb").read()
    assert b"PK\x06\x06" in raw and b"PK\x06\x07" in raw, "zip64 end records missing"


def check_fusion_semantics(model, expected):
    """The fused MLX tensors, run by the shared reference network, reproduce the unfused torch model."""
    feats = torch.randn(2, 64, CONFIG["n_mels"])
    with torch.no_grad():
        want = model(feats)
        got = WeSpeakerResNet(CONFIG, {k: v.numpy() for k, v in expected.items()}, pooling="pyannote")(feats)
    err = (want - got).abs().max().item()
    assert err < 1e-4, f"fused network differs from the unfused one by {err}"
    return err


def dtype_fixtures():
    torch.manual_seed(7)
    base = torch.cat([torch.randn(60, dtype=torch.float64) * 3, torch.tensor([0.0, -0.0, 1.0, -2.5, 65504.0, 1e-6, 3.0e-5, 1 / 3], dtype=torch.float64)])
    tensors = {
        "f32": base.float().reshape(4, 17),
        "f16": base.half().reshape(4, 17),
        "bf16": base.bfloat16().reshape(4, 17),
        "f64": base.reshape(4, 17),
        "i64": torch.arange(-5, 7, dtype=torch.int64).reshape(3, 4) * 1000003,
    }
    expected = {k: v.float() for k, v in tensors.items()}
    save_safetensors(os.path.join(OUT, "dtypes.safetensors"), tensors, {"note": "one tensor per dtype"})
    save_safetensors(os.path.join(OUT, "dtypes.expected.safetensors"), expected)


def rounding_fixture():
    torch.manual_seed(11)
    f32 = np.float32
    specials = np.array(
        [0.0, -0.0, 1.0, -1.0, 65504.0, 65519.996, 65520.0, 1e9, -1e9, np.inf, -np.inf, np.nan, -np.nan,
         2.0 ** -24, 2.0 ** -25, 2.0 ** -25 * 1.0000001, 2.0 ** -26, 3 * 2.0 ** -26, 2.0 ** -14, 2.0 ** -14 * 0.9999,
         1.0 + 2.0 ** -11, 1.0 + 3 * 2.0 ** -11, 1.0 + 2.0 ** -8, 1.0 + 3 * 2.0 ** -8, 1e-40, -1e-45, 3.4e38, 1.17549435e-38],
        dtype=f32,
    )
    random = (torch.randn(4000) * torch.exp(torch.randn(4000) * 4)).numpy().astype(f32)
    # float32 bit patterns near every rounding boundary: ties at half and bfloat16 precision
    bits = np.random.default_rng(3).integers(0, 2 ** 32, 4000, dtype=np.uint64).astype(np.uint32)
    ties16 = ((bits & ~np.uint32(0x1FFF)) | np.uint32(0x1000)).view(f32)
    tiesbf = ((bits & ~np.uint32(0xFFFF)) | np.uint32(0x8000)).view(f32)
    values = torch.from_numpy(np.concatenate([specials, random, ties16, tiesbf]).astype(f32))
    save_safetensors(
        os.path.join(OUT, "rounding.safetensors"),
        {"input": values, "f16": values.half(), "bf16": values.bfloat16()},
        {"note": "f16/bf16 are torch's .half() and .bfloat16() of input"},
    )


def to_json(value):
    """The JSON form the tests expect from our pickle reader: tuples/sets as lists, dicts as [key, value] pairs."""
    if isinstance(value, dict):
        return {"dict": [[to_json(k), to_json(v)] for k, v in value.items()]}
    if isinstance(value, (list, tuple)):
        return [to_json(v) for v in value]
    if isinstance(value, (set, frozenset)):
        return {"set": sorted(to_json(v) for v in value)}
    if isinstance(value, (bytes, bytearray)):
        return {"bytes": value.hex()}
    if isinstance(value, int) and not isinstance(value, bool) and abs(value) > 2**53:
        return {"bigint": str(value)}
    return value


def pickle_fixtures():
    shared = [1, 2]
    values = [
        {"a": 1, "b": [1, 2, (3, 4, 5, 6)], "c": None, "d": True, "e": False, "f": -7, "g": 300, "h": 70000, "i": -2**31},
        {"floats": [0.5, -1e300, 3.141592653589793], "unicode": "grüße ✓ 日本", "empty": ["", (), [], {}]},
        {"big": [2**63 + 5, -(2**70), 2**53 - 1], "bytes": b"\x00\xffabc", "bytearray": bytearray(b"xy"), "set": {3, 1, 2}, "frozen": frozenset({"q"})},
        {"shared": [shared, shared], "nested": [[[[["deep"]]]]], "od": OrderedDict([("z", 1), ("y", 2)]), 7: "int key", (1, 2): "tuple key"},
        ["x" * 300, list(range(1500))],
    ]
    out = []
    for protocol in (2, 3, 4, 5):
        for v in values:
            out.append({"protocol": protocol, "hex": pickle.dumps(v, protocol=protocol).hex(), "json": to_json(v)})
    with open(os.path.join(OUT, "pickles.json"), "w") as f:
        json.dump(out, f)
        f.write("\n")


def main():
    os.makedirs(OUT, exist_ok=True)
    model = randomised_model()
    state = model.state_dict()
    expected = fused_mlx(state)
    fusion_error = check_fusion_semantics(model, expected)
    path = lambda name: os.path.join(OUT, name)  # noqa: E731
    cases = []

    def case(name, description, writer, naming, expected_tensors=None):
        writer(path(name))
        exp = "wespeaker-tiny.expected.safetensors"
        if expected_tensors is not None:
            exp = name.rsplit(".", 1)[0] + ".expected.safetensors"
            save_safetensors(path(exp), expected_tensors)
        cases.append({"file": name, "expected": exp, "naming": naming, "description": description})

    save_safetensors(path("wespeaker-tiny.expected.safetensors"), expected)
    case("wespeaker-tiny.pt", "WeSpeaker state dict, protocol 2", lambda p: torch.save(state, p), "wespeaker")
    case("wespeaker-tiny-proto4.pt", "protocol 4", lambda p: torch.save(state, p, pickle_protocol=4), "wespeaker")
    case("wespeaker-tiny-proto5.pt", "protocol 5", lambda p: torch.save(state, p, pickle_protocol=5), "wespeaker")
    for dtype, tag in ((torch.float16, "fp16"), (torch.bfloat16, "bf16")):
        cast = cast_floats(state, dtype)
        case(f"wespeaker-tiny-{tag}.pt", f"every float tensor in {dtype}", lambda p, c=cast: torch.save(c, p), "wespeaker", fused_mlx(cast))
    case("pyannote-tiny.bin", "Lightning checkpoint, resnet. prefix, pyannote objects", lambda p: torch.save(lightning_checkpoint(state), p), "wespeaker")
    case("noncontiguous-tiny.pt", "MLX names, permuted/transposed views, shared-storage slices", lambda p: torch.save(noncontiguous_state(expected), p), "mlx")
    case("zip64-deflated-tiny.pt", "deflated entries, zip64 records", lambda p: rezip_deflated_zip64(path("wespeaker-tiny.pt"), p), "wespeaker")

    # Sanity: torch itself reads back what it wrote (and the Lightning file outside weights_only).
    # torch 1.13's reader refuses the re-zipped file (it wants stored entries), which only Python's zipfile wrote.
    for c in cases:
        if c["file"].startswith("zip64"):
            continue
        obj = torch.load(path(c["file"]))
        sd = obj["state_dict"] if "state_dict" in obj else obj
        assert len(sd) > 0
    dtype_fixtures()
    rounding_fixture()
    pickle_fixtures()
    manifest = {"config": CONFIG, "eps": EPS, "torch": torch.__version__, "fusion_check_max_abs_error": fusion_error, "cases": cases}
    with open(path("manifest.json"), "w") as f:
        json.dump(manifest, f, indent=2)
        f.write("\n")
    total = sum(os.path.getsize(path(n)) for n in os.listdir(OUT))
    print(f"wrote {len(os.listdir(OUT))} files, {total} bytes, to {os.path.normpath(OUT)}; fusion check max |err| = {fusion_error:.2e}")


if __name__ == "__main__":
    main()
