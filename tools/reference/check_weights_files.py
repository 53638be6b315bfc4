"""Checks weight files written by @wsp/weights with PyTorch (run by packages/weights/test/roundtrip.test.ts).

  /usr/bin/python3 check_weights_files.py REFERENCE.safetensors [--torch FILE DTYPE]... [--safetensors FILE LAYOUT DTYPE]...

REFERENCE is a float32 MLX-layout safetensors file ([O, kH, kW, I] convs). Each --torch FILE must load
with torch.load(FILE, weights_only=True) into an OrderedDict of contiguous tensors of DTYPE (F32, F16 or
BF16) equal, bit for bit, to the reference with convs permuted (0, 3, 1, 2) and cast by torch itself.
Each --safetensors FILE is read by the independent parser of wsp_reference.py and compared the same way
(LAYOUT ohwi or oihw). Prints one JSON object; exits non-zero on the first mismatch.
"""
import json
import sys
from collections import OrderedDict

import torch

sys.dont_write_bytecode = True  # no __pycache__ in the checkout
sys.path.insert(0, __file__.rsplit("/", 1)[0])
from wsp_reference import load_safetensors  # noqa: E402

DTYPES = {"F32": torch.float32, "F16": torch.float16, "BF16": torch.bfloat16}


def expected_tensors(reference, layout, dtype):
    out = {}
    for name, arr in reference.items():
        t = torch.from_numpy(arr.copy())
        if t.dim() == 4 and layout == "oihw":
            t = t.permute(0, 3, 1, 2).contiguous()
        out[name] = t.to(DTYPES[dtype])
    return out


def same_bits(a, b):
    if a.dtype != b.dtype or a.shape != b.shape:
        return False
    view = {torch.float32: torch.int32, torch.float16: torch.int16, torch.bfloat16: torch.int16}[a.dtype]
    return torch.equal(a.contiguous().view(view), b.contiguous().view(view))


def main(argv):
    reference = load_safetensors(argv[0])
    report = {"reference_tensors": len(reference), "checked": []}
    i = 1
    while i < len(argv):
        kind = argv[i]
        if kind == "--torch":
            path, dtype, layout = argv[i + 1], argv[i + 2], "oihw"
            obj = torch.load(path, weights_only=True)
            assert type(obj) is OrderedDict, f"{path}: loaded a {type(obj)}, not an OrderedDict"
            assert all(t.is_contiguous() for t in obj.values()), f"{path}: non-contiguous tensor"
            i += 3
        elif kind == "--safetensors":
            path, layout, dtype = argv[i + 1], argv[i + 2], argv[i + 3]
            obj = {k: torch.from_numpy(v.copy()) for k, v in load_safetensors(path).items()}
            i += 4
        else:
            raise SystemExit(f"unknown argument {kind}")
        want = expected_tensors(reference, layout, dtype)
        assert sorted(obj) == sorted(want), f"{path}: names differ: {sorted(set(obj) ^ set(want))}"
        for name in want:
            got = obj[name] if kind == "--torch" else obj[name].to(DTYPES[dtype])
            assert same_bits(got, want[name]), f"{path}: {name} differs (dtype {got.dtype}, shape {tuple(got.shape)})"
        report["checked"].append({"file": path.rsplit("/", 1)[-1], "kind": kind[2:], "dtype": dtype, "layout": layout, "tensors": len(want)})
    print(json.dumps(report))


if __name__ == "__main__":
    main(sys.argv[1:])
