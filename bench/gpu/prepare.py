"""Builds what bench/gpu/run-on-gpu.sh runs on the GPU, on a machine where
Loom builds (the GPU machine may lack LLVM): for each case a GPU library
(loom.compile target="nvptx") and, for fixed inputs, the expected outputs
from numpy with their error bound.

- lut cases: one low-bit GEMM (the weight a constant in the library), the
  expected outputs from numpy on the dequantized weight. Large N takes the
  GEMM path that decodes the weight slices it stages (docs/GPU.md) from
  the roofline's crossover on;
  `--tf32-formats` are built again with tensor-cores=1 (TF32 mma.sync) for
  their N > 1 (`<format>_tf32` cases; two by default, so that the prepared
  directory stays within what the device tool carries, 64 MiB).
- moe cases: one f32 SwiGLU MoE layer (top-2, renormalized) whose router
  and expert weights are inputs, so the library stays small; the expected
  outputs from the numpy MoE of moe.md (test/python/references.py). Built
  twice: on the threads (fp32) and with tensor-cores=1 (TF32 mma.sync).

Writes DIR/cases.json, DIR/cases.tsv (one line per case for the shell:
case, library, entry, tolerance, bytes, repetitions, inputs), DIR/
baselines.args (what baselines.cu measures), DIR/<case library>.so and
DIR/<case>.expected (raw float32). The inputs are regenerated on the
device from the same formula (input_value in harness.c)."""
import argparse
import json
import os
import sys
import time

import numpy as np

import loom

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
sys.path.insert(0, os.path.join(ROOT, "test", "python"))
import references  # noqa: E402

# name: (loom.lut format, act_quant): "a8" cases quantize the activations
# to int8 per row (BitNet b1.58's W1.58A8), the exact kernel.
FORMATS = {"w1": ("binary", None), "w158": ("ternary", None), "w2": ("int2", None),
           "w4": ("int4", None), "w158a8": ("ternary", "row")}
BITS = {"w1": 1, "w158": 1.58, "w2": 2, "w4": 4, "w158a8": 1.58}


def inputs(shape, seed=0, scale=1.0):
    """Input `seed` of a case: element (i, j) of its rows (all leading
    dimensions flattened) and columns, in [-scale, scale), as harness.c's
    input_value computes it."""
    rows, cols = int(np.prod(shape[:-1])), shape[-1]
    i = np.arange(rows, dtype=np.uint64)[:, None]
    j = np.arange(cols, dtype=np.uint64)[None, :]
    h = (i * np.uint64(2654435761) + j * np.uint64(40503) + np.uint64(12345 + 7919 * seed)) \
        % np.uint64(1 << 24)
    v = (h.astype(np.float64) / (1 << 23) - 1.0).astype(np.float32) * np.float32(scale)
    return v.reshape(shape)


def input_spec(shape, scale=1.0):
    """The harness's form of an input: dims joined by x, then :scale."""
    return "x".join(str(d) for d in shape) + f":{scale:.9g}"


def lut_cases(args, rng, interpret, tensor_cores=False):
    m, k = (int(v) for v in args.shape.split("x"))
    cases = []
    for name in args.formats.split(","):
        fmt, act_quant = FORMATS[name]
        w = loom.lut.quantize(rng.normal(size=(m, k)), fmt, group_size=128)
        # The exact kernel (int8 activations) has no GEMM path.
        if tensor_cores and (act_quant or name not in args.tf32_formats.split(",")):
            continue
        library = f"{name}_tf32" if tensor_cores else name
        start = time.time()
        print(f"[prepare] {library} {m}x{k}: quantize, compile", end="", flush=True)

        def gemm(x, w=w, act_quant=act_quant):
            return loom.lut.mpgemm(x, w, act_quant=act_quant)
        compile_case(args.dir, library, loom.Function(gemm, name="gemm",
                                                      args=[loom.tensor(None, k)]),
                     interpret, "tensor-cores=1" if tensor_cores else "")
        dense = w.dequantize().astype(np.float64)
        bits = 2 if w.format in ("ternary", "binary") else int(w.format[-1])
        scales = np.repeat(np.abs(w.scales.astype(np.float64)), k // w.scales.shape[1], axis=1)
        weight_bytes = m * k * BITS[name] / 8 + m * k // 128 * 4
        for n in (int(v) for v in args.n.split(",")):
            if tensor_cores and n == 1:
                continue
            x = inputs((n, k))
            if act_quant:
                # What the kernel multiplies: X quantized per row (lut.md 1.3).
                step = np.abs(x.astype(np.float64)).max(axis=1, keepdims=True) / 127
                x = (np.round(x / step) * step).astype(np.float32)
            want = x.astype(np.float64) @ dense.T
            magnitude = np.abs(x).astype(np.float64) @ (np.abs(dense) + scales * 2 ** bits).T
            # TF32 keeps 10 mantissa bits of each operand.
            relative = 2e-3 if tensor_cores else 1e-5
            cases.append(dict(case=f"{library}.n{n}", kind="lut", library=f"{library}.so",
                              entry="gemm", format=name, m=m, k=k, n=n, bits=BITS[name],
                              group=128, bytes=weight_bytes, reps=20 if n > 16 else 200,
                              inputs=[input_spec((n, k))], want=want,
                              tolerance=float(relative * magnitude.max() + 1e-6)))
        print(f" ({time.time() - start:.1f} s)", flush=True)
    return cases


def moe_cases(args, interpret, name="moe", options="", relative_tolerance=1e-4):
    experts, k, d, h = (int(v) for v in args.moe.split(","))
    start = time.time()
    print(f"[prepare] {name} E={experts} k={k} d={d} h={h}: compile", end="", flush=True)

    def layer(x, router, w_in, w_out):
        return loom.moe.layer(x, router, w_in, w_out, k=k, renormalize=True)
    compile_case(args.dir, name, loom.Function(
        layer, name="moe", args=[loom.tensor(None, d), loom.tensor(experts, d),
                                 loom.tensor(experts, 2 * h, d),
                                 loom.tensor(experts, d, h)]), interpret, options)
    # Inputs 1..3 (0 is x): the router and the experts, scaled so that the
    # logits and the hidden activations stay near 1.
    shapes = [((experts, d), d ** -0.5), ((experts, 2 * h, d), d ** -0.5),
              ((experts, d, h), h ** -0.5)]
    weights = [inputs(shape, seed + 1, scale) for seed, (shape, scale) in enumerate(shapes)]
    cases = []
    for tokens in (int(v) for v in args.tokens.split(",")):
        x = inputs((tokens, d))
        want = references.moe_layer(x, *weights, k=k, renormalize=True)
        specs = [input_spec((tokens, d))] + [input_spec(shape, scale)
                                             for shape, scale in shapes]
        # The weights of the experts the tokens chose, read once each.
        chosen = min(experts, tokens * k)
        cases.append(dict(case=f"{name}.t{tokens}", kind="moe", library=f"{name}.so",
                          entry="moe", t=tokens, e=experts, k=k, d=d, h=h,
                          bytes=chosen * 3 * h * d * 4, reps=20, inputs=specs, want=want,
                          tolerance=float(relative_tolerance * np.abs(want).max() + 1e-5)))
    print(f" ({time.time() - start:.1f} s)", flush=True)
    return cases


def compile_case(directory, name, function, interpret, options=""):
    # The host code for any x86-64 with AVX2: the GPU machine's CPU is
    # not this one.
    options = " ".join(filter(None, ["interpret=1" if interpret else "", options]))
    loom.compile(function, os.path.join(directory, f"{name}.so"), target="nvptx",
                 cpu="x86-64-v3", pipeline_options=options)


def main():
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("dir")
    parser.add_argument("--shape", default="4096x4096", help="lut GEMMs' MxK")
    parser.add_argument("--formats", default=",".join(FORMATS))
    parser.add_argument("--n", default="1,128", help="lut GEMMs' token counts")
    parser.add_argument("--tf32-formats", default="w158,w4",
                        help="lut formats also built with tensor-cores=1")
    parser.add_argument("--moe", default="8,2,1024,1024",
                        help="the MoE layer's E,k,d,h (SwiGLU: w_in is E x 2h x d)")
    parser.add_argument("--tokens", default="1,8,64,512",
                        help="the MoE layer's token counts (1 and 8: decode steps, "
                        "on the grouped GEMM's narrow tile)")
    parser.add_argument("--interpret", action="store_true",
                        help="libraries whose kernels run as host loops (the "
                        "dry run checks the whole flow without a GPU)")
    args = parser.parse_args()
    os.makedirs(args.dir, exist_ok=True)
    cases = lut_cases(args, np.random.default_rng(2026), args.interpret)
    cases += lut_cases(args, np.random.default_rng(2026), args.interpret, tensor_cores=True)
    cases += moe_cases(args, args.interpret)
    # The same layer on TF32 tensor cores: within TF32's rounding.
    cases += moe_cases(args, args.interpret, "moe_tf32", "tensor-cores=1", 2e-3)
    baselines = sorted({f"gemm:{c['m']}:{c['k']}:{c['n']}" for c in cases if c["kind"] == "lut"})
    baselines += sorted({f"moe:{c['t']}:{c['e']}:{c['k']}:{c['d']}:{c['h']}"
                         for c in cases if c["kind"] == "moe"})
    with open(os.path.join(args.dir, "baselines.args"), "w") as f:
        f.write(" ".join(baselines) + "\n")
    # One line per case for the shell and harness.c on the GPU machine
    # (which may have no Python).
    with open(os.path.join(args.dir, "cases.tsv"), "w") as f:
        for c in cases:
            c.pop("want").astype(np.float32).tofile(
                os.path.join(args.dir, f"{c['case']}.expected"))
            f.write(f"{c['case']} {c['library']} {c['entry']} {c['tolerance']:.9g} "
                    f"{c['bytes']:.0f} {c['reps']} {' '.join(c['inputs'])}\n")
    with open(os.path.join(args.dir, "cases.json"), "w") as f:
        json.dump(cases, f, indent=1)
    return 0


if __name__ == "__main__":
    sys.exit(main())
