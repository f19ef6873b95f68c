"""Shared pieces of the Python package's tests (run by ctest as `python`)."""
import os
import sys

import pytest

LOOM_ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))


@pytest.fixture
def rng():
    import numpy as np
    return np.random.default_rng(2026)
