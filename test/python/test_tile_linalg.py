"""loom-tile-linalg: linalg contractions tiled to register tiles and
vectorized, against numpy's einsum, over the contraction forms the models
use (plain, transposed operands, batched, attention's scores and context),
awkward sizes, and register tiles of the knob space with vectors along n
(outer products) and along k (partial sums)."""
import itertools

import numpy as np
import pytest

import loom
from loom import linalg

SPECS = ["mk,kn->mn", "mk,nk->mn", "km,kn->mn", "bmk,bkn->bmn",
         "nhe,she->nhs", "nhs,she->nhe"]


def operand_shapes(spec, m, n, k, batch=3):
    size = {"m": m, "n": n, "k": k, "b": batch,
            # attention: n (tokens) is m, h a batch, s and e the others.
            "h": batch}
    inputs, _ = spec.split("->")
    letters = {"nhe,she->nhs": {"n": m, "s": n, "e": k},
               "nhs,she->nhe": {"n": m, "e": n, "s": k}}.get(spec, {})
    return [tuple(letters.get(c, size.get(c)) for c in operand)
            for operand in inputs.split(",")]


def contraction(spec, shapes):
    def body(a, b):
        return linalg.contract(spec, a, b)
    body.__name__ = "c_" + spec.replace(",", "_").replace("->", "_to_")
    return loom.function(args=[loom.tensor(*s) for s in shapes])(body)


def check(library, functions, shapes_of, rng):
    for spec, fn in functions.items():
        a, b = (rng.standard_normal(s, dtype=np.float32) for s in shapes_of[spec])
        got = getattr(library, fn.name)(a, b)
        want = np.einsum(spec, a.astype(np.float64), b.astype(np.float64))
        np.testing.assert_allclose(got, want, rtol=1e-4, atol=1e-4, err_msg=spec)


@pytest.mark.parametrize("m,n,k", [(1, 1, 1), (7, 13, 5), (1, 64, 48),
                                   (24, 32, 16), (12, 96, 64), (5, 17, 33)])
def test_cost_model_tiles(m, n, k, rng):
    """The tile the cost model picks (shipped model or roofline) and the
    roofline's, at sizes from scalar to several tiles."""
    shapes_of = {spec: operand_shapes(spec, m, n, k) for spec in SPECS}
    functions = {spec: contraction(spec, shapes_of[spec]) for spec in SPECS}
    for options in ["", "cost-model=roofline"]:
        library = loom.compile(loom.Module(*functions.values()),
                               pipeline_options=options)
        check(library, functions, shapes_of, rng)


def fits_avx2(tile_m, tile_n, tile_k, dim):
    """The knob space's register rule on AVX2 (16 registers of 8 lanes)."""
    if dim == "n":
        vectors = -(-tile_n // 8)
        return tile_m * vectors + vectors + 1 <= 16
    vectors = -(-tile_k // 8)
    return tile_k > 1 and tile_m * tile_n * vectors + tile_m * vectors + 1 <= 16


# Every tile the tests fix fits AVX2's registers, so that it is legal for
# any host with AVX2 or AVX-512 (check_fixed_tile pins isa=avx2, the others
# compile for the host). TILES: the tiles of the knob space (tile_m x
# tile_n x tile_k, vectors along n or k) that fit (all fit 24 x 64 x 16).
TILES = [t for t in itertools.product([4, 1, 2, 6, 8], [16, 8, 32, 64, 1], [1, 4, 16], "nk")
         if fits_avx2(*t)]


def check_fixed_tile(tile, m, n, k, rng):
    """The six forms at m x n x k with `tile` fixed (AVX2 kernels)."""
    shapes_of = {spec: operand_shapes(spec, m, n, k) for spec in SPECS}
    functions = {spec: contraction(spec, shapes_of[spec]) for spec in SPECS}
    library = loom.compile(
        loom.Module(*functions.values()),
        pipeline_options=f"isa=avx2 linalg-tile-sizes={tile[0]},{tile[1]},{tile[2]} "
                         f"linalg-vector-dim={tile[3]}")
    check(library, functions, shapes_of, rng)


@pytest.mark.parametrize("tile", TILES[::3], ids=lambda t: "x".join(map(str, t)))
def test_fixed_tiles(tile, rng):
    check_fixed_tile(tile, 24, 64, 16, rng)


def check_dynamic_rows(spec, options, rng, n=32, k=64):
    """`spec` compiled for any row count, run at rows below, at and between
    multiples of every tile_m."""
    shapes = operand_shapes(spec, None, n, k, batch=4)
    fn = contraction(spec, shapes)
    library = loom.compile(loom.Module(fn), pipeline_options=options)
    for rows in (1, 2, 5, 6, 7, 8, 13, 16, 19):
        concrete = [tuple(rows if d is None else d for d in s) for s in shapes]
        check(library, {spec: fn}, {spec: concrete}, rng)


@pytest.mark.parametrize("spec", ["mk,nk->mn", "nhe,she->nhs", "nhs,she->nhe"])
def test_dynamic_rows(spec, rng):
    """Tokens as a dynamic m dim (the decoder block's attention), with the
    cost model's tile: the rows its tile divides (a count known at run
    time) in whole tiles, the rest one at a time."""
    check_dynamic_rows(spec, "", rng)


@pytest.mark.parametrize("tile", [(2, 8, 4, "n"), (6, 16, 1, "n"), (8, 8, 4, "n"),
                                  (1, 8, 4, "k"), (4, 1, 4, "k")],
                         ids=lambda t: "x".join(map(str, t[:3])) + t[3])
@pytest.mark.parametrize("spec", SPECS)
def test_dynamic_rows_fixed_tiles(spec, tile, rng):
    """Fixed tiles of several rows over dynamic rows, along n and along k,
    on every form."""
    check_dynamic_rows(spec, f"linalg-tile-sizes={tile[0]},{tile[1]},{tile[2]} "
                             f"linalg-vector-dim={tile[3]}", rng)


@pytest.mark.parametrize("tile", [(4, 16, 16, "n"), (2, 1, 16, "k")],
                         ids=lambda t: "x".join(map(str, t[:3])) + t[3])
@pytest.mark.parametrize("spec", SPECS)
def test_dynamic_rows_with_remainders(spec, tile, rng):
    """Dynamic rows split at run time, n = 40 and k = 36 at compile time:
    up to eight parts, each tiled whole or clipped."""
    check_dynamic_rows(spec, f"linalg-tile-sizes={tile[0]},{tile[1]},{tile[2]} "
                             f"linalg-vector-dim={tile[3]}", rng, n=40, k=36)


@pytest.mark.parametrize("cpu", ["", "haswell"])
@pytest.mark.parametrize("options", ["", "cost-model=roofline",
                                     "linalg-tile-sizes=2,1,16 linalg-vector-dim=k",
                                     "linalg-tile-sizes=1,1,4"])
@pytest.mark.parametrize("spec", SPECS)
def test_half_precision(spec, options, cpu, rng):
    """f16 contractions, summed in f16 where the CPU has f16 arithmetic and
    else in f32, rounded once per register tile (haswell: never f16; this
    machine's own CPU may be either), at a static size with n and k
    remainders and over dynamic rows, and in tiles one row by one column
    (an f16 dot into an f32 sum): within f16's rounding of the
    float64 einsum (36 products of |x| < 1: the reference lowering's own
    error is about 0.01), where a lost or repeated slice is off by O(1)."""
    for m in (24, None):
        shapes = operand_shapes(spec, m, 40, 36)
        fn = loom.function(args=[loom.tensor(*s, dtype="f16") for s in shapes])(
            lambda a, b: linalg.contract(spec, a, b))
        fn.name = "c_half"
        library = loom.compile(loom.Module(fn), pipeline_options=options, cpu=cpu)
        for rows in ((24,) if m else (1, 7, 24)):
            a, b = (rng.uniform(-1, 1, tuple(rows if d is None else d for d in s))
                    .astype(np.float16) for s in shapes)
            got = library.c_half(a, b)
            assert got.dtype == np.float16
            want = np.einsum(spec, a.astype(np.float64), b.astype(np.float64))
            np.testing.assert_allclose(got, want, rtol=1e-2, atol=0.05, err_msg=spec)


@pytest.mark.parametrize("threads", [1, 2])
def test_dynamic_rows_parallel(threads, rng):
    """Dynamic rows in whole tiles run in parallel from the row count whose
    multiply-adds reach 2^18 (64 rows of 64 x 64, 16 of a batch of four),
    serially below: the same results around both thresholds, along n and
    along k, on one and two threads."""
    for options in ["linalg-tile-sizes=4,16,4", "linalg-tile-sizes=2,1,16 linalg-vector-dim=k"]:
        shapes_of = {spec: operand_shapes(spec, None, 64, 64, batch=4) for spec in SPECS}
        functions = {spec: contraction(spec, shapes_of[spec]) for spec in SPECS}
        library = loom.compile(loom.Module(*functions.values()), pipeline_options=options)
        library.set_num_threads(threads)
        for rows in (1, 15, 16, 17, 63, 64, 65, 130):
            concrete = {spec: [tuple(rows if d is None else d for d in s) for s in shapes]
                        for spec, shapes in shapes_of.items()}
            check(library, functions, concrete, rng)


@pytest.mark.parametrize("threads", [1, 2, 3])
def test_parallel_tiles(threads, rng):
    """Contractions of >= 2^18 multiply-adds run their register tiles in
    parallel (scf.forall on OpenMP): the same results on any thread count,
    along n and along k."""
    shapes_of = {spec: operand_shapes(spec, 64, 96, 128, batch=4) for spec in SPECS}
    functions = {spec: contraction(spec, shapes_of[spec]) for spec in SPECS}
    for options in ["", "linalg-tile-sizes=2,1,16 linalg-vector-dim=k"]:
        library = loom.compile(loom.Module(*functions.values()), pipeline_options=options)
        library.set_num_threads(threads)
        check(library, functions, shapes_of, rng)


# Sizes no tile of the knob space but 1 divides (primes), and sizes where
# one, two or all three of m, n and k leave a remainder.
REMAINDER_SIZES = [(23, 37, 19), (13, 64, 16), (24, 70, 16), (24, 64, 17),
                   (9, 33, 6)]


@pytest.mark.parametrize("tile", [t for t in TILES[1::3] if t[3] == "n"]
                         + [t for t in TILES if t[3] == "k"],
                         ids=lambda t: "x".join(map(str, t)))
def test_remainder_tiles(tile, rng):
    """Tiles that do not divide their loops: the contraction is split into
    the part the tile divides and remainder parts with clipped tiles."""
    for m, n, k in REMAINDER_SIZES:
        if tile[0] <= m and tile[1] <= n and tile[2] <= k:
            check_fixed_tile(tile, m, n, k, rng)


@pytest.mark.parametrize("threads", [1, 2])
def test_parallel_remainder_tiles(threads, rng):
    """Parts of >= 2^18 multiply-adds run in parallel, remainders too."""
    shapes_of = {spec: operand_shapes(spec, 67, 101, 131) for spec in SPECS}
    functions = {spec: contraction(spec, shapes_of[spec]) for spec in SPECS}
    for options in ["", "linalg-tile-sizes=6,16,4 linalg-vector-dim=n",
                    "linalg-tile-sizes=2,1,16 linalg-vector-dim=k"]:
        library = loom.compile(loom.Module(*functions.values()), pipeline_options=options)
        library.set_num_threads(threads)
        check(library, functions, shapes_of, rng)


def test_illegal_fixed_tile_is_a_compile_error():
    fn = contraction("mk,kn->mn", [(7, 5), (5, 13)])
    with pytest.raises(loom.CompileError, match="is not a legal tile of this contraction"):
        loom.compile(loom.Module(fn), pipeline_options="linalg-tile-sizes=8,8,1")
