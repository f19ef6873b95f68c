#!/usr/bin/env python3
"""Compares the example's output with the numpy reference.

Usage: check.py OUTPUT.npy EXPECTED.npy   (exit 0 iff within 1e-4 relative)
"""
import sys

import numpy as np


def main():
    got, want = np.load(sys.argv[1]), np.load(sys.argv[2])
    if got.shape != want.shape:
        print(f"CHECK FAILED: output shape {got.shape}, expected {want.shape}")
        return 1
    err = np.abs(got - want).max() / np.abs(want).max()
    print(f"max relative error vs numpy: {err:.2e}")
    ok = err <= 1e-4
    print("CHECK PASSED" if ok else "CHECK FAILED")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
