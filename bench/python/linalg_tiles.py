#!/usr/bin/env python3
"""linalg.tile end to end: the register tile of a contraction chosen by the
learned model, by the roofline, and the best of every tile (exhaustive).

Per contraction, every tile of the knob space (tile_m x tile_n x tile_k,
vectors along n or k) that the compiler accepts is compiled through the CPU
pipeline (`linalg-tile-sizes`, `linalg-vector-dim`; an illegal tile is a
compile error) and screened; then
the learned model's choice (`cost-model=auto`, its tile read back from
`--dump-decisions`), the roofline's (`cost-model=roofline`), the three
fastest screened tiles, the untiled loops (the reference pipeline:
convert-linalg-to-loops, how Loom lowered contractions before) and OpenBLAS
through numpy (attention as batched matmuls) are re-timed
round-robin. Loom and OpenBLAS run on `--threads` threads (default 1; Loom
runs the register tiles of contractions of ≥ 2^18 multiply-adds in
parallel).

Prints per contraction: the tiles and their times over the best re-timed
tile, and the goal lines of the cost-model issue: learned within 5 % of the
best and no slower than the roofline.

Usage: linalg_tiles.py BUILD_DIR [--rounds N] [--threads N] [--cpu CPU] [--quick] [--only NAME,..] [--json FILE]
"""
import argparse
import itertools
import json
import os
import re
import statistics
import sys
import tempfile
import time


# (tile_m, tile_n, tile_k, vector_dim): the knob space of the linalg.tile
# decision (lib/Transforms/LinalgTileModel.cpp); the compiler rejects the
# tiles that are illegal for a contraction.
TILES = list(itertools.product([4, 1, 2, 6, 8], [16, 8, 32, 64, 1], [1, 4, 16], "nk"))

# (name, einsum spec, letter sizes[, options]): attention at decode and
# prefill for 8 heads of 64, a projection at decode and for 64 tokens
# (weights laid out [out, in]), a square matmul and a batched one; then
# attention and a projection compiled for any token count (the `dynamic`
# letter) and run at 64 tokens, a projection compiled so and run at one
# token (a decode step), and the square matmul in f16 (`dtype`;
# numpy has no f16 BLAS to compare with).
CONTRACTIONS = [
    ("scores-decode", "nhe,she->nhs", dict(n=1, h=8, e=64, s=512)),
    ("context-decode", "nhs,she->nhe", dict(n=1, h=8, s=512, e=64)),
    ("scores-prefill", "nhe,she->nhs", dict(n=64, h=8, e=64, s=64)),
    ("context-prefill", "nhs,she->nhe", dict(n=64, h=8, s=64, e=64)),
    ("proj-decode", "mk,nk->mn", dict(m=1, k=512, n=512)),
    ("proj-64", "mk,nk->mn", dict(m=64, k=512, n=256)),
    ("matmul-256", "mk,kn->mn", dict(m=256, k=256, n=256)),
    ("bmm", "bmk,bkn->bmn", dict(b=8, m=32, k=64, n=64)),
    ("context-prefill-dyn", "nhs,she->nhe", dict(n=64, h=8, s=64, e=64), dict(dynamic="n")),
    ("proj-64-dyn", "mk,nk->mn", dict(m=64, k=512, n=256), dict(dynamic="m")),
    ("proj-decode-dyn", "mk,nk->mn", dict(m=1, k=512, n=512), dict(dynamic="m")),
    ("matmul-256-f16", "mk,kn->mn", dict(m=256, k=256, n=256), dict(dtype="f16")),
]
QUICK = ["scores-decode", "proj-64", "proj-64-dyn"]


def shapes(spec, sizes, dynamic=None):
    """The operands' shapes; the `dynamic` letter's extent as None."""
    inputs = spec.split("->")[0].split(",")
    return [tuple(None if c == dynamic else sizes[c] for c in operand)
            for operand in inputs]


def blas_call(spec, a, b):
    """The contraction as numpy matmuls (OpenBLAS), operands pre-transposed
    outside the timing where a copy would be needed."""
    import numpy as np
    if spec == "mk,kn->mn":
        return lambda: a @ b
    if spec == "mk,nk->mn":
        return lambda: a @ b.T
    if spec == "bmk,bkn->bmn":
        return lambda: np.matmul(a, b)
    if spec == "nhe,she->nhs":
        q, k = np.ascontiguousarray(a.transpose(1, 0, 2)), np.ascontiguousarray(b.transpose(1, 2, 0))
        return lambda: np.matmul(q, k)
    if spec == "nhs,she->nhe":
        p, v = np.ascontiguousarray(a.transpose(1, 0, 2)), np.ascontiguousarray(b.transpose(1, 0, 2))
        return lambda: np.matmul(p, v)
    raise ValueError(spec)


def name_of(tile):
    """4x16x1/n: the register tile and the dim its vectors run along."""
    return "x".join(map(str, tile[:3])) + "/" + tile[3]


def per_call(fn, seconds=0.02):
    """Seconds per call: one warm-up, then calls for at least `seconds`."""
    fn()
    calls, start = 0, time.perf_counter()
    while True:
        fn()
        calls += 1
        elapsed = time.perf_counter() - start
        if elapsed >= seconds and calls >= 3:
            return elapsed / calls


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("build")
    parser.add_argument("--rounds", type=int, default=7)
    parser.add_argument("--quick", action="store_true")
    parser.add_argument("--only", help="comma-separated contraction names")
    parser.add_argument("--threads", type=int, default=1)
    parser.add_argument("--cpu", default="",
                        help="compile for this CPU (LLVM's name; default: this machine's), "
                             "which picks its class's model")
    parser.add_argument("--json")
    args = parser.parse_args()
    # OpenBLAS reads its thread count when numpy loads it.
    os.environ["OPENBLAS_NUM_THREADS"] = str(args.threads)
    sys.path.insert(0, os.path.join(args.build, "python_packages"))
    import numpy as np
    import loom
    from loom import linalg

    work = tempfile.mkdtemp(prefix="loom-linalg-tiles-")
    rng = np.random.default_rng(2026)
    results, passed = [], []
    chosen = [c for c in CONTRACTIONS if not args.quick or c[0] in QUICK]
    if args.only:
        names = args.only.split(",")
        unknown = set(names) - {c[0] for c in CONTRACTIONS}
        if unknown:
            sys.exit(f"--only: no contraction {', '.join(sorted(unknown))} "
                     f"(have: {', '.join(c[0] for c in CONTRACTIONS)})")
        chosen = [c for c in chosen if c[0] in names]
    for index, (name, spec, sizes, *extra) in enumerate(chosen):
        options = extra[0] if extra else {}
        dynamic, dtype = options.get("dynamic"), options.get("dtype", "f32")
        operand_shapes = shapes(spec, sizes)
        fn = loom.Function(lambda a, b: linalg.contract(spec, a, b), name="c",
                           args=[loom.tensor(*s, dtype=dtype)
                                 for s in shapes(spec, sizes, dynamic)])
        module = loom.Module(fn)
        a, b = (rng.standard_normal(s, dtype=np.float32).astype(
            np.float16 if dtype == "f16" else np.float32) for s in operand_shapes)
        want = np.einsum(spec, a.astype(np.float64), b.astype(np.float64))
        # f16 sums of 256 products of N(0, 1): rounding reaches ~0.3.
        rtol, atol = (2e-2, 1.0) if dtype == "f16" else (1e-3, 1e-3)

        def build(options, label, reference=False):
            model = loom.compile(module, os.path.join(work, f"lib{index}-{label}.so"),
                                 cpu=args.cpu, pipeline_options=options, reference=reference)
            model.set_num_threads(args.threads)
            got = model.c(a, b)
            if not np.allclose(got, want, rtol=rtol, atol=atol):
                sys.exit(f"{name}: {label} differs from numpy by {np.abs(got - want).max()}")
            return model

        def decided(options, label):
            path = os.path.join(work, f"{index}-{label}.json")
            loom.compile(module, os.path.join(work, f"lib{index}-{label}-d.so"),
                         cpu=args.cpu, pipeline_options=options, dump_decisions=path)
            # For dynamic rows the decode step's copy (one row) comes first;
            # the contraction that runs these rows is the last.
            entry = json.load(open(path))["loom-tile-linalg"][-1]
            knobs = entry["attribute"]
            return tuple(int(re.search(rf"{k} = (\d+)", knobs).group(1))
                         for k in ("tile_m", "tile_n", "tile_k")) + (
                re.search(r'vector_dim = "(\w)"', knobs).group(1),)

        learned, roofline = decided("", "learned"), decided("cost-model=roofline", "roofline")
        screened = {}
        for i, tile in enumerate(TILES):
            print(f"\r{name} ({index + 1}/{len(chosen)}): screening {i + 1}/{len(TILES)}",
                  end="", file=sys.stderr, flush=True)
            try:
                model = build(f"linalg-tile-sizes={tile[0]},{tile[1]},{tile[2]} "
                              f"linalg-vector-dim={tile[3]}", name_of(tile).replace("/", "-"))
            except loom.CompileError as error:
                if "is not a legal tile" not in str(error):
                    raise
                continue
            screened[tile] = (per_call(lambda: model.c(a, b), 0.01), model)
        print(file=sys.stderr)
        fastest = sorted(screened, key=lambda t: screened[t][0])[:3]
        variants = {f"tile {name_of(t)}": screened[t][1] for t in fastest}
        if dynamic:
            # Before dynamic rows were split, they were tiled one at a time.
            one_row = min((t for t in screened if t[0] == 1), key=lambda t: screened[t][0])
            variants[f"one-row {name_of(one_row)}"] = screened[one_row][1]
        if dynamic:
            # Compiled as chosen: with a version for one row, which no fixed
            # tile has.
            variants["learned"] = build("", "learned")
            variants["roofline"] = build("cost-model=roofline", "roofline")
        else:
            variants["learned"] = screened[learned][1]
            variants["roofline"] = screened[roofline][1]
        loops = build("", "loops", reference=True)
        calls = {v: (lambda m: lambda: m.c(a, b))(m) for v, m in variants.items()}
        calls["loops"] = lambda: loops.c(a, b)
        if dtype == "f32":
            calls["openblas"] = blas_call(spec, a, b)
        times = {v: [] for v in calls}
        for r in range(args.rounds):
            order = list(calls)[r % len(calls):] + list(calls)[:r % len(calls)]
            for v in order:
                times[v].append(per_call(calls[v]))
        median = {v: statistics.median(t) for v, t in times.items()}
        best_tile = min(median[f"tile {name_of(t)}"] for t in fastest)
        best = min(best_tile, median["learned"], median["roofline"])
        print(f"{name} ({spec} {' '.join(f'{k}={v}' for k, v in sizes.items())}"
              f"{f', {dynamic} dynamic' if dynamic else ''}"
              f"{f', {dtype}' if dtype != 'f32' else ''}): "
              f"{len(screened)} legal tiles; best {best * 1e6:.1f} us")
        for v in calls:
            tile = {"learned": learned, "roofline": roofline}.get(v)
            label = v + (f" ({name_of(tile)})" if tile else "")
            print(f"  {label:24s} {median[v] * 1e6:10.1f} us  {median[v] / best:6.3f}x best")
        ok_best = median["learned"] <= 1.05 * best
        # One tile is one library, timed twice: any difference is noise.
        same_tile = learned == roofline
        ok_roof = same_tile or median["learned"] <= median["roofline"] * 1.02
        passed.append(ok_best and ok_roof)
        print(f"  G: learned within 5 % of the best: {'PASS' if ok_best else 'FAIL'} "
              f"({median['learned'] / best:.3f}); no slower than the roofline (2 % noise): "
              f"{'PASS' if ok_roof else 'FAIL'} ({median['learned'] / median['roofline']:.3f}"
              f"{', the same tile' if same_tile else ''})")
        results.append({"name": name, "spec": spec, "sizes": sizes,
                        "dynamic": dynamic, "dtype": dtype, "legal_tiles": len(screened),
                        "learned": learned, "roofline": roofline,
                        "median_us": {v: t * 1e6 for v, t in median.items()}})
    print(f"learned within 5 % of the best and no slower than the roofline: "
          f"{sum(passed)}/{len(passed)} contractions")
    if args.json:
        with open(args.json, "w") as f:
            json.dump(results, f, indent=2)
        sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
        import linalg_plot
        chart = os.path.splitext(args.json)[0] + ".svg"
        linalg_plot.main(args.json, chart)
        print(f"wrote {chart}")


if __name__ == "__main__":
    main()
