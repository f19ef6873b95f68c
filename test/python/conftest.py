"""Shared pieces of the Python package's tests (run by ctest as `python`)."""
import os
import sys

import pytest

LOOM_ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))


def load_example(name):
    """examples/<name>/generate.py as a module (its reference and its
    Python-built block)."""
    import importlib.util
    spec = importlib.util.spec_from_file_location(
        name, os.path.join(LOOM_ROOT, "examples", name, "generate.py"))
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.fixture(scope="session", autouse=True)
def compile_cache(tmp_path_factory):
    """A compile cache of the test session's own: hermetic runs, and
    test_cache.py can see hits and misses."""
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("LOOM_CACHE_DIR", str(tmp_path_factory.mktemp("loom-cache")))
        patch.delenv("LOOM_DISABLE_CACHE", raising=False)
        yield


@pytest.fixture
def rng():
    import numpy as np
    return np.random.default_rng(2026)
