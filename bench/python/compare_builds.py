"""Times lut GEMMs compiled by two Loom builds against each other.

A kernel change is judged by the same GEMMs from the build before it and
the build with it, timed round-robin in one process (measuring.md: drift
between separate runs on these VMs is as large as the effects), with
outputs compared bit for bit.

  /usr/bin/python3 bench/python/compare_builds.py --baseline OLD/build \\
      [--formats int4:32,int2:64,ternary] [--shape 4096x4096] [--n 1,8,32,128]
      [--threads 1] [--calls 10]

OLD/build is the baseline's build directory (its python_packages holds
its loom package); the candidate is the loom package on PYTHONPATH.
"""

import argparse
import os
import subprocess
import sys
import tempfile
import time


def parse():
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("--baseline", required=True,
                   help="the baseline's build directory")
    p.add_argument("--formats", default="int4:32,int2:64,ternary",
                   help="FORMAT[:GROUP] list for loom.lut.quantize")
    p.add_argument("--shape", default="4096x4096", help="MxK of the weight")
    p.add_argument("--n", default="1,8,32,128", help="token counts")
    p.add_argument("--threads", type=int, default=1)
    p.add_argument("--calls", type=int, default=10,
                   help="calls of each library per point, at least")
    p.add_argument("--compile-into", help=argparse.SUPPRESS)
    return p.parse_args()


def formats(args):
    for spec in args.formats.split(","):
        name, _, group = spec.partition(":")
        yield spec, name, int(group) if group else None


def compile_all(args, directory):
    """Compiles every format with the loom on sys.path into `directory`."""
    import numpy as np
    import loom
    m, k = (int(v) for v in args.shape.split("x"))
    for spec, name, group in formats(args):
        w = loom.lut.quantize(np.random.default_rng(0).normal(size=(m, k)),
                              name, group_size=group)
        gemm = loom.Function(lambda x: loom.lut.mpgemm(x, w, act_quant="row"),
                             name="gemm", args=[loom.tensor(None, k)])
        loom.compile(gemm, output=os.path.join(directory, spec + ".so"),
                     cache=False)


def main():
    args = parse()
    if args.compile_into:
        compile_all(args, args.compile_into)
        return 0
    package = os.path.join(os.path.abspath(args.baseline), "python_packages")
    if not os.path.isdir(os.path.join(package, "loom")):
        sys.exit(f"compare_builds: no loom package under {package}")
    os.environ["OMP_NUM_THREADS"] = str(args.threads)
    import numpy as np
    import loom

    with tempfile.TemporaryDirectory() as scratch:
        dirs = {}
        for tag, path in (("baseline", package),
                          ("candidate", os.environ.get("PYTHONPATH", ""))):
            dirs[tag] = os.path.join(scratch, tag)
            os.mkdir(dirs[tag])
            print(f"compiling with the {tag} build ...", flush=True)
            env = dict(os.environ, PYTHONPATH=path)
            subprocess.run([sys.executable, __file__, "--baseline",
                            args.baseline, "--formats", args.formats,
                            "--shape", args.shape, "--compile-into",
                            dirs[tag]], env=env, check=True)
        k = int(args.shape.split("x")[1])
        print(f"\n{'format':<12}{'N':>5}{'baseline us':>13}"
              f"{'candidate us':>14}{'ratio':>8}  identical")
        for spec, _, _ in formats(args):
            libs = {t: loom.load(os.path.join(d, spec + ".so"))
                    for t, d in dirs.items()}
            for n in (int(v) for v in args.n.split(",")):
                x = np.random.default_rng(n).uniform(-1, 1, (n, k))
                x = x.astype(np.float32)
                same = np.array_equal(libs["baseline"](x),
                                      libs["candidate"](x))
                times = {t: [] for t in libs}
                # At least 50 ms of calls per library and point.
                calls = args.calls
                while True:
                    for _ in range(calls):
                        for tag, lib in libs.items():
                            start = time.perf_counter()
                            lib(x)
                            times[tag].append(time.perf_counter() - start)
                    if sum(times["baseline"]) >= 0.05:
                        break
                p10 = {t: np.percentile(v, 10) * 1e6 for t, v in times.items()}
                print(f"{spec:<12}{n:>5}{p10['baseline']:>13.0f}"
                      f"{p10['candidate']:>14.0f}"
                      f"{p10['candidate'] / p10['baseline']:>8.3f}  "
                      f"{'yes' if same else 'NO'}", flush=True)
    print("\n(ratio = candidate's p10 time / baseline's, timed round-robin; "
          "identical: np.array_equal of the outputs)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
