#!/usr/bin/env python3
"""Compares the example's printed output with the numpy reference.

Usage: check.py OUTPUT.txt EXPECTED.txt   (exit 0 iff within 1e-4 relative)
"""
import re
import sys

import numpy as np


def main():
    text = open(sys.argv[1]).read()
    data = text.split("data =", 1)[1]
    got = np.array([float(v) for v in re.findall(r"[-+]?[0-9.]+(?:e[-+]?[0-9]+)?", data)])
    want = np.loadtxt(sys.argv[2]).ravel()
    if got.size != want.size:
        print(f"FAIL: {got.size} values printed, {want.size} expected")
        return 1
    err = np.abs(got - want).max() / np.abs(want).max()
    print(f"max relative error vs numpy: {err:.2e}")
    ok = err <= 1e-4
    print("CHECK PASSED" if ok else "CHECK FAILED")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
