#!/usr/bin/env python3
"""Writes the decoder-block example: one block of a low-bit MoE LLM.

    x1 = x + Wo . attention(rope(Wq . rms(x)), rope(Wk . rms(x)), Wv . rms(x), cache)
    y  = x1 + moe(rms(x1))          top-2 of 8 SwiGLU experts

Wq, Wk, Wv, Wo are ternary lut weights (one scale per tensor, BitNet b1.58
style); the experts' gate/up weights are ternary with one scale per row, their
down weights 2-bit signed codes with a scale per group of 32. Attention has 4
heads with rotary position embeddings (half-split, GPT-NeoX style) and a KV
cache of S positions that the caller threads through the calls.

Entry points (all take and return tensors):
  step(x[?, D], pos[1] i64, k_cache[S, D], v_cache[S, D]) -> (y, k_cache', v_cache')
      one prefill (N tokens at positions pos..pos+N-1) or decode (N = 1) step;
  attention_part(x, pos, k_cache, v_cache) -> (x1, k_cache', v_cache')
  ffn_part(x1) -> y
      the two halves of step, so that the runner can time the glue.

The numpy code below recomputes the block from the same numbers without any
of Loom's code; the runner's outputs are checked against it.

Usage: generate.py OUT_DIR [--prefill N] [--decode M]
"""
import argparse
import math
import os

import numpy as np

D, HEADS, S = 64, 4, 64          # model dim, heads, KV cache positions
HD = D // HEADS                  # head dim
E, K, H = 8, 2, 96               # experts, top-k, expert hidden size
EPS = 1e-6


def hexdense(a):
    return 'dense<"0x' + np.ascontiguousarray(a).tobytes().hex().upper() + '">'


def tt(shape, elt="f32"):
    return "tensor<" + "x".join(str(s) for s in shape) + f"x{elt}>"


TERNARY_T = "#lut.quant<ternary, group = per_tensor, scale = f32>"
TERNARY_C = "#lut.quant<ternary, group = per_channel, scale = f32>"
SIGNED2 = "#lut.quant<signed, bits = 2, group = 32, scale = f32>"


def packed(m, k, quant):
    return f"!lut.packed<{m}x{k}, {quant}>"


class Weights:
    def __init__(self, rng):
        def ternary(m, k):
            return rng.integers(0, 3, (m, k)).astype(np.int8)
        self.g1 = rng.uniform(0.5, 1.5, D).astype(np.float32)
        self.g2 = rng.uniform(0.5, 1.5, D).astype(np.float32)
        self.proj = {n: ternary(D, D) for n in "qkvo"}
        self.proj_scale = {n: np.float32(rng.uniform(0.05, 0.15)) for n in "qkvo"}
        self.router = rng.uniform(-1, 1, (E, D)).astype(np.float32)
        self.w13 = ternary(E * 2 * H, D)
        self.w13_scale = rng.uniform(0.02, 0.08, (E * 2 * H, 1)).astype(np.float32)
        self.w2 = rng.integers(0, 4, (E * D, H)).astype(np.int8)
        self.w2_scale = rng.uniform(0.02, 0.08, (E * D, H // 32)).astype(np.float32)


def mlir(w):
    xd = tt(("?", D))
    cache = tt((S, D))
    pos = tt((1,), "i64")
    lines = []
    add = lines.append

    def constant(name, a, elt):
        add(f"    %{name} = arith.constant {hexdense(a)} : {tt(a.shape, elt)}")

    def rmsnorm(out, x, g):
        add(f"""    %{out}_sq0 = tensor.empty(%n) : tensor<?xf32>
    %{out}_zero = linalg.fill ins(%zero : f32) outs(%{out}_sq0 : tensor<?xf32>) -> tensor<?xf32>
    %{out}_sq = linalg.generic {{indexing_maps = [#nj, #n_], iterator_types = ["parallel", "reduction"]}} ins(%{x} : {xd}) outs(%{out}_zero : tensor<?xf32>) {{
    ^bb0(%a: f32, %acc: f32):
      %m = arith.mulf %a, %a : f32
      %s = arith.addf %acc, %m : f32
      linalg.yield %s : f32
    }} -> tensor<?xf32>
    %{out}_e = tensor.empty(%n) : {xd}
    %{out} = linalg.generic {{indexing_maps = [#nj, #n_, #_j, #nj], iterator_types = ["parallel", "parallel"]}} ins(%{x}, %{out}_sq, %{g} : {xd}, tensor<?xf32>, {tt((D,))}) outs(%{out}_e : {xd}) {{
    ^bb0(%a: f32, %ss: f32, %gg: f32, %o: f32):
      %mean = arith.divf %ss, %dimf : f32
      %me = arith.addf %mean, %eps : f32
      %r = math.sqrt %me : f32
      %nrm = arith.divf %a, %r : f32
      %v = arith.mulf %nrm, %gg : f32
      linalg.yield %v : f32
    }} -> {xd}""")

    def linear(out, x, name, quant, codes, scale, m, k):
        constant(f"{name}_codes", codes, "i8")
        constant(f"{name}_scale", scale, "f32")
        add(f"    %{name} = lut.pack %{name}_codes, %{name}_scale : {tt(codes.shape, 'i8')}, {tt(scale.shape)} -> {packed(m, k, quant)}")
        add(f"    %{out} = lut.linear %{x}, %{name} : {tt(('?', k))}, {packed(m, k, quant)} -> {tt(('?', m))}")

    def rope(out, x):
        # [N, D] -> [N, HEADS, 2, HD/2]; rotate the two halves of each head.
        r = tt(("?", HEADS, 2, HD // 2))
        half = tt(("?", HEADS, HD // 2))
        add(f"""    %{out}_4 = tensor.expand_shape %{x} [[0], [1, 2, 3]] output_shape [%n, {HEADS}, 2, {HD // 2}] : {xd} into {r}
    %{out}_a = tensor.extract_slice %{out}_4[0, 0, 0, 0] [%n, {HEADS}, 1, {HD // 2}] [1, 1, 1, 1] : {r} to {half}
    %{out}_b = tensor.extract_slice %{out}_4[0, 0, 1, 0] [%n, {HEADS}, 1, {HD // 2}] [1, 1, 1, 1] : {r} to {half}
    %{out}_e = tensor.empty(%n) : {half}
    %{out}_ra, %{out}_rb = linalg.generic {{indexing_maps = [#nhi, #nhi, #ni, #ni, #nhi, #nhi], iterator_types = ["parallel", "parallel", "parallel"]}} ins(%{out}_a, %{out}_b, %cos, %sin : {half}, {half}, {tt(('?', HD // 2))}, {tt(('?', HD // 2))}) outs(%{out}_e, %{out}_e : {half}, {half}) {{
    ^bb0(%a: f32, %b: f32, %c: f32, %s: f32, %o1: f32, %o2: f32):
      %ac = arith.mulf %a, %c : f32
      %bs = arith.mulf %b, %s : f32
      %bc = arith.mulf %b, %c : f32
      %as = arith.mulf %a, %s : f32
      %ra = arith.subf %ac, %bs : f32
      %rb = arith.addf %bc, %as : f32
      linalg.yield %ra, %rb : f32, f32
    }} -> ({half}, {half})
    %{out}_r0 = tensor.empty(%n) : {r}
    %{out}_r1 = tensor.insert_slice %{out}_ra into %{out}_r0[0, 0, 0, 0] [%n, {HEADS}, 1, {HD // 2}] [1, 1, 1, 1] : {half} into {r}
    %{out}_r2 = tensor.insert_slice %{out}_rb into %{out}_r1[0, 0, 1, 0] [%n, {HEADS}, 1, {HD // 2}] [1, 1, 1, 1] : {half} into {r}
    %{out} = tensor.collapse_shape %{out}_r2 [[0], [1, 2, 3]] : {r} into {xd}""")

    add("#nj = affine_map<(n, j) -> (n, j)>")
    add("#n_ = affine_map<(n, j) -> (n)>")
    add("#_j = affine_map<(n, j) -> (j)>")
    add("#nhi = affine_map<(n, h, i) -> (n, h, i)>")
    add("#ni = affine_map<(n, h, i) -> (n, i)>")
    add("#q = affine_map<(n, h, s, e) -> (n, h, e)>")
    add("#kv = affine_map<(n, h, s, e) -> (s, h, e)>")
    add("#nhs4 = affine_map<(n, h, s, e) -> (n, h, s)>")
    add("#nhs = affine_map<(n, h, s) -> (n, h, s)>")
    add("#nh = affine_map<(n, h, s) -> (n, h)>")
    add("#ctx_p = affine_map<(n, h, e, s) -> (n, h, s)>")
    add("#ctx_v = affine_map<(n, h, e, s) -> (s, h, e)>")
    add("#ctx_o = affine_map<(n, h, e, s) -> (n, h, e)>")
    add("")
    # attention half
    add(f"func.func private @attention(%x: {xd}, %pos: {pos}, %kc: {cache}, %vc: {cache}) -> ({xd}, {cache}, {cache}) {{")
    add(f"""    %c0 = arith.constant 0 : index
    %n = tensor.dim %x, %c0 : {xd}
    %zero = arith.constant 0.0 : f32
    %eps = arith.constant {EPS:e} : f32
    %dimf = arith.constant {float(D):e} : f32
    %p64 = tensor.extract %pos[%c0] : {pos}
    %p = arith.index_cast %p64 : i64 to index""")
    constant("g1", w.g1, "f32")
    rmsnorm("h", "x", "g1")
    for name in "qkv":
        linear(f"{name}0", "h", f"w{name}", TERNARY_T, w.proj[name],
               np.array([[w.proj_scale[name]]], np.float32), D, D)
    # cos/sin tables for positions p..p+n-1: angle = pos * 10000^(-2i/HD).
    add(f"""    %cs_e = tensor.empty(%n) : {tt(('?', HD // 2))}
    %cos, %sin = linalg.generic {{indexing_maps = [#nj, #nj], iterator_types = ["parallel", "parallel"]}} outs(%cs_e, %cs_e : {tt(('?', HD // 2))}, {tt(('?', HD // 2))}) {{
    ^bb0(%o1: f32, %o2: f32):
      %row = linalg.index 0 : index
      %i = linalg.index 1 : index
      %at = arith.addi %row, %p : index
      %at64 = arith.index_cast %at : index to i64
      %posf = arith.sitofp %at64 : i64 to f32
      %i64 = arith.index_cast %i : index to i64
      %if = arith.sitofp %i64 : i64 to f32
      %step = arith.constant {-2.0 * math.log(10000.0) / HD:e} : f32
      %ex = arith.mulf %if, %step : f32
      %freq = math.exp %ex : f32
      %ang = arith.mulf %posf, %freq : f32
      %c = math.cos %ang : f32
      %s = math.sin %ang : f32
      linalg.yield %c, %s : f32, f32
    }} -> ({tt(('?', HD // 2))}, {tt(('?', HD // 2))})""")
    rope("q", "q0")
    rope("k", "k0")
    # KV cache update at rows p..p+n-1 (the runner keeps p + n <= S).
    add(f"""    %kc1 = tensor.insert_slice %k into %kc[%p, 0] [%n, {D}] [1, 1] : {xd} into {cache}
    %vc1 = tensor.insert_slice %v0 into %vc[%p, 0] [%n, {D}] [1, 1] : {xd} into {cache}
    %q3 = tensor.expand_shape %q [[0], [1, 2]] output_shape [%n, {HEADS}, {HD}] : {xd} into {tt(('?', HEADS, HD))}
    %k3 = tensor.expand_shape %kc1 [[0], [1, 2]] output_shape [{S}, {HEADS}, {HD}] : {cache} into {tt((S, HEADS, HD))}
    %v3 = tensor.expand_shape %vc1 [[0], [1, 2]] output_shape [{S}, {HEADS}, {HD}] : {cache} into {tt((S, HEADS, HD))}
    %sc_e = tensor.empty(%n) : {tt(('?', HEADS, S))}
    %sc_z = linalg.fill ins(%zero : f32) outs(%sc_e : {tt(('?', HEADS, S))}) -> {tt(('?', HEADS, S))}
    %scores = linalg.generic {{indexing_maps = [#q, #kv, #nhs4], iterator_types = ["parallel", "parallel", "parallel", "reduction"]}} ins(%q3, %k3 : {tt(('?', HEADS, HD))}, {tt((S, HEADS, HD))}) outs(%sc_z : {tt(('?', HEADS, S))}) {{
    ^bb0(%a: f32, %b: f32, %acc: f32):
      %m = arith.mulf %a, %b : f32
      %s = arith.addf %acc, %m : f32
      linalg.yield %s : f32
    }} -> {tt(('?', HEADS, S))}
    %ninf = arith.constant 0xFF800000 : f32
    %scale = arith.constant {1.0 / math.sqrt(HD):e} : f32
    %masked = linalg.generic {{indexing_maps = [#nhs, #nhs], iterator_types = ["parallel", "parallel", "parallel"]}} ins(%scores : {tt(('?', HEADS, S))}) outs(%sc_e : {tt(('?', HEADS, S))}) {{
    ^bb0(%a: f32, %o: f32):
      %row = linalg.index 0 : index
      %col = linalg.index 2 : index
      %limit = arith.addi %row, %p : index
      %future = arith.cmpi ugt, %col, %limit : index
      %sa = arith.mulf %a, %scale : f32
      %v = arith.select %future, %ninf, %sa : f32
      linalg.yield %v : f32
    }} -> {tt(('?', HEADS, S))}
    %mx_e = tensor.empty(%n) : {tt(('?', HEADS))}
    %mx_i = linalg.fill ins(%ninf : f32) outs(%mx_e : {tt(('?', HEADS))}) -> {tt(('?', HEADS))}
    %mx = linalg.generic {{indexing_maps = [#nhs, #nh], iterator_types = ["parallel", "parallel", "reduction"]}} ins(%masked : {tt(('?', HEADS, S))}) outs(%mx_i : {tt(('?', HEADS))}) {{
    ^bb0(%a: f32, %acc: f32):
      %m = arith.maximumf %acc, %a : f32
      linalg.yield %m : f32
    }} -> {tt(('?', HEADS))}
    %ex = linalg.generic {{indexing_maps = [#nhs, #nh, #nhs], iterator_types = ["parallel", "parallel", "parallel"]}} ins(%masked, %mx : {tt(('?', HEADS, S))}, {tt(('?', HEADS))}) outs(%sc_e : {tt(('?', HEADS, S))}) {{
    ^bb0(%a: f32, %m: f32, %o: f32):
      %d = arith.subf %a, %m : f32
      %e = math.exp %d : f32
      linalg.yield %e : f32
    }} -> {tt(('?', HEADS, S))}
    %sm_z = linalg.fill ins(%zero : f32) outs(%mx_e : {tt(('?', HEADS))}) -> {tt(('?', HEADS))}
    %sm = linalg.generic {{indexing_maps = [#nhs, #nh], iterator_types = ["parallel", "parallel", "reduction"]}} ins(%ex : {tt(('?', HEADS, S))}) outs(%sm_z : {tt(('?', HEADS))}) {{
    ^bb0(%a: f32, %acc: f32):
      %s = arith.addf %acc, %a : f32
      linalg.yield %s : f32
    }} -> {tt(('?', HEADS))}
    %probs = linalg.generic {{indexing_maps = [#nhs, #nh, #nhs], iterator_types = ["parallel", "parallel", "parallel"]}} ins(%ex, %sm : {tt(('?', HEADS, S))}, {tt(('?', HEADS))}) outs(%sc_e : {tt(('?', HEADS, S))}) {{
    ^bb0(%a: f32, %s: f32, %o: f32):
      %v = arith.divf %a, %s : f32
      linalg.yield %v : f32
    }} -> {tt(('?', HEADS, S))}
    %ctx_e = tensor.empty(%n) : {tt(('?', HEADS, HD))}
    %ctx_z = linalg.fill ins(%zero : f32) outs(%ctx_e : {tt(('?', HEADS, HD))}) -> {tt(('?', HEADS, HD))}
    %ctx3 = linalg.generic {{indexing_maps = [#ctx_p, #ctx_v, #ctx_o], iterator_types = ["parallel", "parallel", "parallel", "reduction"]}} ins(%probs, %v3 : {tt(('?', HEADS, S))}, {tt((S, HEADS, HD))}) outs(%ctx_z : {tt(('?', HEADS, HD))}) {{
    ^bb0(%a: f32, %b: f32, %acc: f32):
      %m = arith.mulf %a, %b : f32
      %s = arith.addf %acc, %m : f32
      linalg.yield %s : f32
    }} -> {tt(('?', HEADS, HD))}
    %ctx = tensor.collapse_shape %ctx3 [[0], [1, 2]] : {tt(('?', HEADS, HD))} into {xd}""")
    linear("o", "ctx", "wo", TERNARY_T, w.proj["o"], np.array([[w.proj_scale["o"]]], np.float32), D, D)
    add(f"""    %x1 = arith.addf %x, %o : {xd}
    return %x1, %kc1, %vc1 : {xd}, {cache}, {cache}
}}
""")
    # MoE half
    add(f"func.func private @ffn(%x: {xd}) -> {xd} {{")
    add(f"""    %c0 = arith.constant 0 : index
    %n = tensor.dim %x, %c0 : {xd}
    %zero = arith.constant 0.0 : f32
    %eps = arith.constant {EPS:e} : f32
    %dimf = arith.constant {float(D):e} : f32""")
    constant("g2", w.g2, "f32")
    rmsnorm("h", "x", "g2")
    constant("router", w.router, "f32")
    constant("w13_codes", w.w13, "i8")
    constant("w13_scale", w.w13_scale, "f32")
    constant("w2_codes", w.w2, "i8")
    constant("w2_scale", w.w2_scale, "f32")
    p13, p2 = packed(E * 2 * H, D, TERNARY_C), packed(E * D, H, SIGNED2)
    add(f"""    %w13p = lut.pack %w13_codes, %w13_scale : {tt(w.w13.shape, 'i8')}, {tt(w.w13_scale.shape)} -> {p13}
    %w2p = lut.pack %w2_codes, %w2_scale : {tt(w.w2.shape, 'i8')}, {tt(w.w2_scale.shape)} -> {p2}
    %w13f = lut.dequantize %w13p : {p13} -> {tt((E * 2 * H, D))}
    %w2f = lut.dequantize %w2p : {p2} -> {tt((E * D, H))}
    %w13 = tensor.expand_shape %w13f [[0, 1], [2]] output_shape [{E}, {2 * H}, {D}] : {tt((E * 2 * H, D))} into {tt((E, 2 * H, D))}
    %w2 = tensor.expand_shape %w2f [[0, 1], [2]] output_shape [{E}, {D}, {H}] : {tt((E * D, H))} into {tt((E, D, H))}
    %m = moe.layer %h, %router, %w13, %w2 {{routing = #moe.routing<k = {K}, renormalize>, capacity = #moe.capacity<factor = 0.0>, ffn = #moe.ffn<swiglu>}} : ({xd}, {tt((E, D))}, {tt((E, 2 * H, D))}, {tt((E, D, H))}) -> {xd}
    %y = arith.addf %x, %m : {xd}
    return %y : {xd}
}}
""")
    add(f"""func.func @attention_part(%x: {xd}, %pos: {pos}, %kc: {cache}, %vc: {cache}) -> ({xd}, {cache}, {cache}) {{
  %r:3 = call @attention(%x, %pos, %kc, %vc) : ({xd}, {pos}, {cache}, {cache}) -> ({xd}, {cache}, {cache})
  return %r#0, %r#1, %r#2 : {xd}, {cache}, {cache}
}}

func.func @ffn_part(%x: {xd}) -> {xd} {{
  %y = call @ffn(%x) : ({xd}) -> {xd}
  return %y : {xd}
}}

// The block as a workflow graph of its two tensor computations.
wf.graph @step(%x: {xd}, %pos: {pos}, %kc: {cache}, %vc: {cache}) -> ({xd}, {cache}, {cache}) {{
  %a:3 = wf.compute(%x, %pos, %kc, %vc) : ({xd}, {pos}, {cache}, {cache}) -> ({xd}, {cache}, {cache}) {{
  ^bb0(%xi: {xd}, %pi: {pos}, %ki: {cache}, %vi: {cache}):
    %r:3 = func.call @attention(%xi, %pi, %ki, %vi) : ({xd}, {pos}, {cache}, {cache}) -> ({xd}, {cache}, {cache})
    wf.yield %r#0, %r#1, %r#2 : {xd}, {cache}, {cache}
  }}
  %y = wf.compute(%a#0) : ({xd}) -> {xd} {{
  ^bb0(%xi: {xd}):
    %r = func.call @ffn(%xi) : ({xd}) -> {xd}
    wf.yield %r : {xd}
  }}
  wf.feedback %y : {xd}
  wf.return %y, %a#1, %a#2 : {xd}, {cache}, {cache}
}}""")
    return "// Generated by examples/decoder_block/generate.py; do not edit.\n" + "\n".join(lines) + "\n"


# ---------------------------------------------------------- Python API

def build_with_loom(loom, w):
    """The same block built with Loom's Python package (docs/Python.md):
    returns the @loom.function step, attention_part and ffn_part."""
    from loom import linalg, ops

    # The reference layout, as the MLIR above: the same numbers exactly.
    def quant(codes, scale, fmt, group):
        return loom.lut.QuantizedWeight(codes, np.asarray(scale, np.float32).reshape(
            (1, 1) if group is None else scale.shape), None, fmt, group, layout="codes")

    proj = {c: quant(w.proj[c], [[w.proj_scale[c]]], "ternary", None) for c in "qkvo"}
    w13 = quant(w.w13, w.w13_scale, "ternary", -1)
    w2 = quant(w.w2, w.w2_scale, "int2", 32)
    xd, pos, cache = loom.tensor(None, D), loom.tensor(1, dtype="i64"), loom.tensor(S, D)

    def rope(x, cos, sin):
        n = ops.dim(x, 0)
        r = ops.split_dim(x, 1, [HEADS, 2, HD // 2])
        halves = [ops.slice(r, [0, 0, h, 0], [n, HEADS, 1, HD // 2]) for h in (0, 1)]
        spec = "nhzi,nhzi,ni,ni->nhzi"
        ra = linalg.apply(lambda a, b, c, s: a * c - b * s, spec, *halves, cos, sin)
        rb = linalg.apply(lambda a, b, c, s: b * c + a * s, spec, *halves, cos, sin)
        out = ops.insert(ra, ops.empty([n, HEADS, 2, HD // 2]), [0, 0, 0, 0])
        return ops.merge_dims(ops.insert(rb, out, [0, 0, 1, 0]), 1, 3)

    @loom.function(args=[xd, pos, cache, cache])
    def attention_part(x, position, kc, vc):
        n = ops.dim(x, 0)
        p = ops.convert(ops.extract(position, 0), "index")
        h = linalg.rmsnorm(x, loom.constant(w.g1), eps=EPS)
        q0, k0, v0 = (loom.lut.linear(h, proj[c]) for c in "qkv")

        def angle():
            at = ops.convert(ops.convert(linalg.index(0) + p, "i64"), "f32")
            i = ops.convert(ops.convert(linalg.index(1), "i64"), "f32")
            return at * ops.exp(i * (-2.0 * math.log(10000.0) / HD))
        cos = linalg.generate(lambda: ops.cos(angle()), [n, HD // 2])
        sin = linalg.generate(lambda: ops.sin(angle()), [n, HD // 2])
        q, k = rope(q0, cos, sin), rope(k0, cos, sin)
        kc1, vc1 = ops.insert(k, kc, [p, 0]), ops.insert(v0, vc, [p, 0])
        scores = linalg.contract("nhe,she->nhs", ops.split_dim(q, 1, [HEADS, HD]),
                                 ops.split_dim(kc1, 1, [HEADS, HD]))

        def causal(a):
            future = ops.compare(">", linalg.index(2), linalg.index(0) + p)
            return ops.select(future, float("-inf"), a * (1.0 / math.sqrt(HD)))
        probs = linalg.softmax(linalg.apply(causal, "nhs->nhs", scores))
        ctx = linalg.contract("nhs,she->nhe", probs, ops.split_dim(vc1, 1, [HEADS, HD]))
        return x + loom.lut.linear(ops.merge_dims(ctx, 1, 2), proj["o"]), kc1, vc1

    @loom.function(args=[xd])
    def ffn_part(x):
        h = linalg.rmsnorm(x, loom.constant(w.g2), eps=EPS)
        experts_in = ops.split_dim(loom.lut.dequantize(w13), 0, [E, 2 * H])
        experts_out = ops.split_dim(loom.lut.dequantize(w2), 0, [E, D])
        return x + loom.moe.layer(h, w.router, experts_in, experts_out, k=K,
                                  renormalize=True)

    @loom.function(args=[xd, pos, cache, cache])
    def step(x, position, kc, vc):
        x1, kc1, vc1 = attention_part(x, position, kc, vc)
        return ffn_part(x1), kc1, vc1

    return step, attention_part, ffn_part


# ----------------------------------------------------------------- numpy

def dequant_ternary(codes, scale):
    return (np.minimum(codes.astype(np.int64) & 3, 2) - 1).astype(np.float64) * scale


def dequant_signed2(codes, scale):
    v = ((codes.astype(np.int64) & 3) - 2).astype(np.float64)
    return v * np.repeat(scale.astype(np.float64), 32, axis=1)


def rms(x, g):
    x = x.astype(np.float64)
    return x / np.sqrt((x * x).mean(axis=1, keepdims=True) + EPS) * g


def rope(x, start):
    n = x.shape[0]
    x = x.reshape(n, HEADS, 2, HD // 2)
    pos = np.arange(start, start + n, dtype=np.float64)[:, None]
    freq = np.exp(np.arange(HD // 2) * (-2.0 * math.log(10000.0) / HD))
    ang = pos * freq
    c, s = np.cos(ang)[:, None, :], np.sin(ang)[:, None, :]
    a, b = x[:, :, 0, :], x[:, :, 1, :]
    return np.stack([a * c - b * s, b * c + a * s], axis=2).reshape(n, D)


def reference_step(w, x, start, kc, vc):
    n = x.shape[0]
    h = rms(x, w.g1)
    q, k, v = (h @ dequant_ternary(w.proj[c], w.proj_scale[c]).T for c in "qkv")
    q, k = rope(q, start), rope(k, start)
    kc, vc = kc.copy(), vc.copy()
    kc[start:start + n], vc[start:start + n] = k, v
    q3, k3, v3 = q.reshape(n, HEADS, HD), kc.reshape(S, HEADS, HD), vc.reshape(S, HEADS, HD)
    scores = np.einsum("nhe,she->nhs", q3, k3) / math.sqrt(HD)
    future = np.arange(S)[None, :] > (start + np.arange(n))[:, None]
    scores[np.broadcast_to(future[:, None, :], scores.shape)] = -np.inf
    p = np.exp(scores - scores.max(axis=2, keepdims=True))
    p /= p.sum(axis=2, keepdims=True)
    ctx = np.einsum("nhs,she->nhe", p, v3).reshape(n, D)
    x1 = x + ctx @ dequant_ternary(w.proj["o"], w.proj_scale["o"]).T
    h2 = rms(x1, w.g2)
    logits = h2 @ w.router.astype(np.float64).T
    pr = np.exp(logits - logits.max(axis=1, keepdims=True))
    pr /= pr.sum(axis=1, keepdims=True)
    w13 = dequant_ternary(w.w13, w.w13_scale).reshape(E, 2 * H, D)
    w2 = dequant_signed2(w.w2, w.w2_scale).reshape(E, D, H)
    out = np.zeros((n, D))
    for t in range(n):
        top = sorted(range(E), key=lambda e: (-pr[t, e], e))[:K]
        wt = pr[t, top] / max(pr[t, top].sum(), 2.0 ** -23)
        for e, a in zip(top, wt):
            g, u = w13[e, :H] @ h2[t], w13[e, H:] @ h2[t]
            out[t] += a * (w2[e] @ (g / (1 + np.exp(-g)) * u))
    return x1 + out, kc, vc


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("out_dir")
    ap.add_argument("--prefill", type=int, default=16)
    ap.add_argument("--decode", type=int, default=16)
    args = ap.parse_args()
    os.makedirs(args.out_dir, exist_ok=True)
    rng = np.random.default_rng(2026)
    w = Weights(rng)
    with open(os.path.join(args.out_dir, "block.mlir"), "w") as f:
        f.write(mlir(w))
    # Inputs: the prefill tokens and one new token per decode step; the
    # reference outputs of every step, threading the cache.
    tokens = rng.uniform(-1, 1, (args.prefill + args.decode, D)).astype(np.float32)
    np.save(os.path.join(args.out_dir, "tokens.npy"), tokens)
    kc, vc = np.zeros((S, D)), np.zeros((S, D))
    y, kc, vc = reference_step(w, tokens[:args.prefill], 0, kc, vc)
    outs = [y]
    for i in range(args.decode):
        pos = args.prefill + i
        y, kc, vc = reference_step(w, tokens[pos:pos + 1], pos, kc, vc)
        outs.append(y)
    np.save(os.path.join(args.out_dir, "expected.npy"), np.concatenate(outs).astype(np.float64))


if __name__ == "__main__":
    main()
