"""loom.compile's cache: an identical compile is a hit (the same library),
any change of the module or the options a miss; cache=False and
LOOM_DISABLE_CACHE bypass it."""
import os

import numpy as np

import loom


def scaled(factor):
    return loom.Function(lambda x: x * factor, name="scale", args=[loom.tensor(None, 4)])


def test_hits_and_misses():
    x = np.ones((2, 4), np.float32)
    first = loom.compile(scaled(2.0))
    again = loom.compile(scaled(2.0))
    assert not first.from_cache and again.from_cache
    assert again.path == first.path
    assert os.environ["LOOM_CACHE_DIR"] in first.path
    np.testing.assert_array_equal(again(x), 2 * x)
    other = loom.compile(scaled(3.0))
    assert not other.from_cache and other.path != first.path
    np.testing.assert_array_equal(other(x), 3 * x)
    oracle = loom.compile(scaled(2.0), reference=True)
    assert not oracle.from_cache and oracle.path != first.path


def test_bypass(monkeypatch):
    loom.compile(scaled(5.0))
    uncached = loom.compile(scaled(5.0), cache=False)
    assert not uncached.from_cache
    assert os.environ["LOOM_CACHE_DIR"] not in uncached.path
    monkeypatch.setenv("LOOM_DISABLE_CACHE", "1")
    assert not loom.compile(scaled(5.0)).from_cache
