"""loom.ops and loom.linalg (scalars, casts, comparisons, slices, reshapes,
index-expression maps and reductions, softmax, RMSNorm) compiled and run,
against numpy, with dynamic and static dimensions."""
import numpy as np
import pytest

import loom
from loom import linalg, ops


@loom.function
def attention_scores(q: loom.tensor(None, 4, 8), k: loom.tensor(6, 4, 8)):
    return linalg.softmax(linalg.contract("nhe,she->nhs", q, k) * 0.25)


@loom.function
def norm(x: loom.tensor(None, 16), g: loom.tensor(16)):
    return linalg.rmsnorm(x, g, eps=1e-5)


@loom.function
def reductions(x: loom.tensor(None, 5)):
    return linalg.reduce("nj->n", x, "max"), linalg.reduce("nj->j", x, "sum")


@loom.function
def causal(x: loom.tensor(None, 6), pos: loom.tensor(1, dtype=np.int64)):
    p = ops.convert(ops.extract(pos, 0), "index")

    def mask(a):
        future = ops.compare(">", linalg.index(1), linalg.index(0) + p)
        return ops.select(future, float("-inf"), a)
    return linalg.apply(mask, "nj->nj", x)


@loom.function
def cache_update(cache: loom.tensor(8, 4), rows: loom.tensor(None, 4),
                 pos: loom.tensor(1, dtype=np.int64)):
    p = ops.convert(ops.extract(pos, 0), "index")
    updated = ops.insert(rows, cache, [p, 0])
    head = ops.slice(updated, [0, 1], [3, 2])
    return updated, head


@loom.function
def reshapes(x: loom.tensor(None, 12)):
    heads = ops.split_dim(x, 1, [3, 4])
    swapped = linalg.apply(lambda a: a * 2.0, "nhe->nhe", heads)
    return ops.merge_dims(swapped, 1, 2), ops.split_dim(x, 0, [None, 2])


@loom.function
def positions(x: loom.tensor(None, 3)):
    def angle(a):
        row = ops.convert(ops.convert(linalg.index(0), "i64"), "f32")
        return ops.cos(row) * a + ops.sin(row)
    return linalg.apply(angle, "nj->nj", x)


@pytest.fixture(scope="module")
def model():
    return loom.compile(loom.Module(attention_scores, norm, reductions, causal,
                                    cache_update, reshapes, positions))


def test_attention_scores(model, rng):
    q = rng.normal(size=(3, 4, 8)).astype(np.float32)
    k = rng.normal(size=(6, 4, 8)).astype(np.float32)
    s = np.einsum("nhe,she->nhs", q, k) * 0.25
    want = np.exp(s - s.max(-1, keepdims=True))
    want /= want.sum(-1, keepdims=True)
    np.testing.assert_allclose(model.attention_scores(q, k), want, rtol=1e-5, atol=1e-6)


def test_norm_and_reductions(model, rng):
    x = rng.normal(size=(5, 16)).astype(np.float32)
    g = rng.uniform(0.5, 1.5, 16).astype(np.float32)
    want = x / np.sqrt((x.astype(np.float64) ** 2).mean(1, keepdims=True) + 1e-5) * g
    np.testing.assert_allclose(model.norm(x, g), want, rtol=1e-5, atol=1e-6)
    y = rng.normal(size=(4, 5)).astype(np.float32)
    top, total = model.reductions(y)
    np.testing.assert_array_equal(top, y.max(1))
    np.testing.assert_allclose(total, y.sum(0), rtol=1e-6)


def test_masks_slices_reshapes(model, rng):
    x = rng.normal(size=(3, 6)).astype(np.float32)
    masked = model.causal(x, np.array([2], np.int64))
    rows, cols = np.indices(x.shape)
    np.testing.assert_array_equal(masked, np.where(cols > rows + 2, -np.inf, x))

    cache = rng.normal(size=(8, 4)).astype(np.float32)
    rows_in = rng.normal(size=(2, 4)).astype(np.float32)
    updated, head = model.cache_update(cache, rows_in, np.array([5], np.int64))
    want = cache.copy()
    want[5:7] = rows_in
    np.testing.assert_array_equal(updated, want)
    np.testing.assert_array_equal(head, want[0:3, 1:3])

    z = rng.normal(size=(4, 12)).astype(np.float32)
    merged, split = model.reshapes(z)
    np.testing.assert_array_equal(merged, 2 * z)
    np.testing.assert_array_equal(split, z.reshape(2, 2, 12))

    p = rng.normal(size=(4, 3)).astype(np.float32)
    n = np.arange(4, dtype=np.float32)[:, None]
    np.testing.assert_allclose(model.positions(p), np.cos(n) * p + np.sin(n), rtol=1e-5, atol=1e-6)


def test_spec_errors():
    with pytest.raises(ValueError, match="names 1 operands, got 2"):
        loom.Module(loom.Function(lambda a, b: linalg.contract("ij->i", a, b), name="f",
                                  args=[loom.tensor(2, 2), loom.tensor(2, 2)]))
    with pytest.raises(ValueError, match="rank 2"):
        loom.Module(loom.Function(lambda a: linalg.reduce("i->", a), name="g",
                                  args=[loom.tensor(2, 2)]))
