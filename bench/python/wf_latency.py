#!/usr/bin/env python3
"""wf.latency's estimates against measured compute-node times.

34 wf.compute bodies — lut.linear in the kernels' layout (ternary, int4 in
groups of 32, binary; 1024x1024, 4096x1024, 2048x4096; N = 1, 16, 64),
moe.layer (T = 1 to 256), elementwise adds — are costed by `loom-opt
--wf-schedule=isa=avx512-vnni`, once analytically (cost-model=roofline) and
once by the shipped learned model (cost-model=auto); each node's priority
is its estimate, the nodes being independent graph outputs. They are timed
as functions of one library on one thread, median of 7 calls, each after
the caches are evicted (a 256 MiB write; --hot: back to back, as a loop
calling one node finds them). None of these bodies is a loom-tune task,
and the larger GEMMs are twice the weights of any. Prints each node, and
for each estimate Kendall's tau, the median measured/estimated ratio and
the share within 2x.

Usage: wf_latency.py BUILD_DIR [--hot]
"""
import itertools
import os
import re
import subprocess
import sys
import time

import numpy as np

BITPLANE = "#lut.layout<bitplane, g = 4, lanes = 1x1, tile_m = 128>"
FORMATS = {"ternary": "#lut.quant<ternary, group = per_tensor, scale = f32>",
           "int4": "#lut.quant<signed, bits = 4, group = 32, scale = f32>",
           "binary": "#lut.quant<binary, group = per_tensor, scale = f32>"}


def cases():
    for fmt, (m, k), n in itertools.product(FORMATS, [(1024, 1024), (4096, 1024), (2048, 4096)],
                                             [1, 16, 64]):
        yield ("lut", fmt, m, k, n)
    for t, d, h, e in [(1, 256, 512, 8), (16, 256, 512, 8), (64, 256, 512, 8),
                       (256, 512, 512, 8), (32, 512, 1024, 16)]:
        yield ("moe", t, d, h, e)
    for n, d in [(256, 4096), (64, 65536)]:
        yield ("add", n, d)


def body(case):
    """(input type, result type, the ops computing %y from %in)."""
    if case[0] == "lut":
        _, fmt, m, k, n = case
        scales = f"tensor<{m}x{k // 32}xf32>" if fmt == "int4" else "tensor<1x1xf32>"
        packed = f"!lut.packed<{m}x{k}, {FORMATS[fmt]}, {BITPLANE}>"
        return (f"tensor<{n}x{k}xf32>", f"tensor<{n}x{m}xf32>", f"""
    %c = arith.constant dense<1> : tensor<{m}x{k}xi8>
    %s = arith.constant dense<0.01> : {scales}
    %w = lut.pack %c, %s : tensor<{m}x{k}xi8>, {scales} -> {packed}
    %y = lut.linear %in, %w : tensor<{n}x{k}xf32>, {packed} -> tensor<{n}x{m}xf32>""")
    if case[0] == "moe":
        _, t, d, h, e = case
        types = (f"tensor<{t}x{d}xf32>, tensor<{e}x{d}xf32>, tensor<{e}x{2 * h}x{d}xf32>, "
                 f"tensor<{e}x{d}x{h}xf32>")
        return (f"tensor<{t}x{d}xf32>", f"tensor<{t}x{d}xf32>", f"""
    %r = arith.constant dense<0.01> : tensor<{e}x{d}xf32>
    %a = arith.constant dense<0.01> : tensor<{e}x{2 * h}x{d}xf32>
    %b = arith.constant dense<0.01> : tensor<{e}x{d}x{h}xf32>
    %y = moe.layer %in, %r, %a, %b {{routing = #moe.routing<k = 2>, capacity = #moe.capacity<factor = 0.0>, ffn = #moe.ffn<swiglu>}} : ({types}) -> tensor<{t}x{d}xf32>""")
    _, n, d = case
    return (f"tensor<{n}x{d}xf32>", f"tensor<{n}x{d}xf32>",
            f"\n    %y = arith.addf %in, %in : tensor<{n}x{d}xf32>")


def kendall_tau(a, b):
    concordant = discordant = 0
    for i, j in itertools.combinations(range(len(a)), 2):
        s = (a[i] - a[j]) * (b[i] - b[j])
        concordant += s > 0
        discordant += s < 0
    return (concordant - discordant) / (concordant + discordant)


def main():
    build = sys.argv[1]
    sys.path.insert(0, os.path.join(build, "python_packages"))
    import loom
    all_cases = list(cases())
    bodies = [body(c) for c in all_cases]
    nodes = "\n".join(f"""  %o{i} = wf.compute(%x{i}) : ({tin}) -> {tout} {{
  ^bb0(%in: {tin}):{ops}
    wf.yield %y : {tout}
  }}""" for i, (tin, tout, ops) in enumerate(bodies))
    args = ", ".join(f"%x{i}: {tin}" for i, (tin, _, _) in enumerate(bodies))
    results = ", ".join(tout for _, tout, _ in bodies)
    graph = (f"wf.graph @g({args}) -> ({results}) {{\n{nodes}\n  wf.return "
             + ", ".join(f"%o{i}" for i in range(len(bodies))) + f" : {results}\n}}\n")
    def estimates_by(cost_model):
        scheduled = subprocess.run(
            [os.path.join(build, "bin", "loom-opt"), "-",
             f"--wf-schedule=isa=avx512-vnni cost-model={cost_model}"],
            input=graph, capture_output=True, text=True, check=True).stdout
        return [int(p) for p in re.findall(
            r"wf.compute\(%arg\d+\) \{wf.sched = #wf.sched<priority = (\d+)", scheduled)]
    estimates = {name: estimates_by(name) for name in ("roofline", "auto")}
    hot = "--hot" in sys.argv[2:]
    evict = np.zeros(64 << 20, dtype=np.float32)
    functions = "\n".join(f"func.func @f{i}(%in: {tin}) -> {tout} {{{ops}\n  return %y : {tout}\n}}"
                          for i, (tin, tout, ops) in enumerate(bodies))
    model = loom.compile(loom.parse(functions), cache=False)
    model.set_num_threads(1)
    measured = []
    for i, (case, (tin, _, _)) in enumerate(zip(all_cases, bodies)):
        shape = [int(v) for v in tin[len("tensor<"):-len("xf32>")].split("x")]
        x = np.random.default_rng(i).uniform(-1, 1, shape).astype(np.float32)
        run = getattr(model, f"f{i}")
        for _ in range(3):
            run(x)
        times = []
        for _ in range(7):
            if not hot:
                evict += 1
            start = time.perf_counter()
            run(x)
            times.append(time.perf_counter() - start)
        measured.append(sorted(times)[3] * 1e6)
        print(f"  {str(case):36s} roofline {estimates['roofline'][i]:7d} us, "
              f"learned {estimates['auto'][i]:7d} us, measured {measured[-1]:9.0f} us",
              file=sys.stderr)
    print(f"{len(all_cases)} compute nodes, timed {'hot' if hot else 'cold'}:")
    for name, label in (("roofline", "roofline"), ("auto", "learned")):
        ratio = np.array(measured) / np.maximum(estimates[name], 1)
        print(f"  {label:8s} Kendall tau {kendall_tau(estimates[name], measured):.3f}, "
              f"measured / estimated median {np.median(ratio):.2f}, "
              f"within 2x {np.mean((ratio > 0.5) & (ratio < 2)):.2f}")


if __name__ == "__main__":
    main()
