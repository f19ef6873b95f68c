#!/usr/bin/env python3
"""Compares an example's outputs with its numpy reference.

Usage: check.py OUTPUT EXPECTED.npy
  OUTPUT is a .npy file, or raw float32 values (.bin) in EXPECTED's shape.
Exit 0 iff max |output - expected| <= 1e-4 * max |expected|.
"""
import sys

import numpy as np


def main():
    want = np.load(sys.argv[2])
    if sys.argv[1].endswith(".npy"):
        got = np.load(sys.argv[1])
    else:
        got = np.fromfile(sys.argv[1], dtype=np.float32)
        if got.size == want.size:
            got = got.reshape(want.shape)
    if got.shape != want.shape:
        print(f"CHECK FAILED: output shape {got.shape}, expected {want.shape}")
        return 1
    err = np.abs(got - want).max() / np.abs(want).max()
    print(f"{want.shape[0]} token outputs, max relative error vs numpy: {err:.2e}")
    ok = err <= 1e-4
    print("CHECK PASSED" if ok else "CHECK FAILED")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
