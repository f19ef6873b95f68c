"""Builds what bench/gpu/run-on-gpu.sh runs on the GPU, on a machine where
Loom builds (the GPU machine may lack LLVM): for each case a GPU library of
one lut GEMM (loom.compile target="nvptx") and, for fixed inputs, the
expected outputs from numpy on the dequantized weight with their error
bound. Writes DIR/cases.json, DIR/<case>.so and DIR/<case>.n<N>.expected
(raw float32, N x M); the inputs are regenerated on the device from the
same formula (input_value in harness.c)."""
import argparse
import json
import os
import sys
import time

import numpy as np

import loom

# name: (loom.lut format, act_quant): "a8" cases quantize the activations
# to int8 per row (BitNet b1.58's W1.58A8), the exact kernel.
FORMATS = {"w1": ("binary", None), "w158": ("ternary", None), "w2": ("int2", None),
           "w4": ("int4", None), "w158a8": ("ternary", "row")}
BITS = {"w1": 1, "w158": 1.58, "w2": 2, "w4": 4, "w158a8": 1.58}


def inputs(n, k):
    """x[i, j] in [-1, 1), as harness.c's input_value computes it."""
    i = np.arange(n, dtype=np.uint64)[:, None]
    j = np.arange(k, dtype=np.uint64)[None, :]
    h = (i * np.uint64(2654435761) + j * np.uint64(40503) + np.uint64(12345)) % np.uint64(1 << 24)
    return (h.astype(np.float64) / (1 << 23) - 1.0).astype(np.float32)


def main():
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("dir")
    parser.add_argument("--shape", default="4096x4096", help="MxK")
    parser.add_argument("--formats", default=",".join(FORMATS))
    parser.add_argument("--n", default="1,128")
    parser.add_argument("--interpret", action="store_true",
                        help="libraries whose kernels run as host loops (the "
                        "dry run checks the whole flow without a GPU)")
    args = parser.parse_args()
    m, k = (int(v) for v in args.shape.split("x"))
    ns = [int(v) for v in args.n.split(",")]
    os.makedirs(args.dir, exist_ok=True)
    rng = np.random.default_rng(2026)
    cases = []
    for name in args.formats.split(","):
        start = time.time()
        print(f"[prepare] {name} {m}x{k}: quantize, compile", end="", flush=True)
        fmt, act_quant = FORMATS[name]
        w = loom.lut.quantize(rng.normal(size=(m, k)), fmt, group_size=128)

        def gemm(x, w=w, act_quant=act_quant):
            return loom.lut.mpgemm(x, w, act_quant=act_quant)
        library = os.path.join(args.dir, f"{name}.so")
        # The host code for any x86-64 with AVX2: the GPU machine's CPU is
        # not this one.
        loom.compile(loom.Function(gemm, name="gemm", args=[loom.tensor(None, k)]),
                     library, target="nvptx", cpu="x86-64-v3",
                     pipeline_options="interpret=1" if args.interpret else "")
        dense = w.dequantize().astype(np.float64)
        bits = 2 if w.format in ("ternary", "binary") else int(w.format[-1])
        scales = np.repeat(np.abs(w.scales.astype(np.float64)), k // w.scales.shape[1], axis=1)
        for n in ns:
            x = inputs(n, k)
            if act_quant:
                # What the kernel multiplies: X quantized per row (lut.md 1.3).
                step = np.abs(x.astype(np.float64)).max(axis=1, keepdims=True) / 127
                x = (np.round(x / step) * step).astype(np.float32)
            want = x.astype(np.float64) @ dense.T
            magnitude = np.abs(x).astype(np.float64) @ (np.abs(dense) + scales * 2 ** bits).T
            want.astype(np.float32).tofile(os.path.join(args.dir, f"{name}.n{n}.expected"))
            cases.append({"case": f"{name}.n{n}", "library": f"{name}.so", "format": name,
                          "m": m, "k": k, "n": n, "bits": BITS[name],
                          "group": 128, "tolerance": float(1e-5 * magnitude.max() + 1e-6)})
        print(f" ({time.time() - start:.1f} s)", flush=True)
    with open(os.path.join(args.dir, "cases.json"), "w") as f:
        json.dump(cases, f, indent=1)
    # The same, one case per line, for the shell and harness.c on the GPU
    # machine (which may have no Python).
    with open(os.path.join(args.dir, "cases.tsv"), "w") as f:
        for c in cases:
            weight_bytes = c["m"] * c["k"] * c["bits"] / 8 + c["m"] * c["k"] // c["group"] * 4
            f.write(f"{c['case']} {c['library']} {c['m']} {c['k']} {c['n']} "
                    f"{c['tolerance']:.9g} {weight_bytes:.0f}\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
