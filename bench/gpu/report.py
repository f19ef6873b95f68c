"""The GPU report: per case the kernel time, the weight bandwidth it
reaches and the goals of the GPU issue (N = 1, W <= 2: >= 0.70 of the HBM
read bandwidth; N >= 128: >= 0.70 of cuBLAS fp16 for the same FLOPs), all
against the baselines of the same run.

usage: report.py BASELINES.json CASES.jsonl RESULTS.json"""
import json
import sys


def main():
    baselines = json.load(open(sys.argv[1]))
    cases = [json.loads(line) for line in open(sys.argv[2]) if line.strip()]
    cublas = {b["n"]: b["us"] for b in baselines["cublas_fp16"]}
    hbm = baselines["hbm_read_gbps"]
    print(f"device: {baselines['device']}; HBM read {hbm:.0f} GB/s")
    print(f"{'case':<12} {'ok':<4} {'kernel us':>10} {'call us':>10} "
          f"{'GB/s':>8} {'of HBM':>7} {'cuBLAS us':>10} {'vs cuBLAS':>9}  goal")
    for case in cases:
        r = case["result"]
        if "error" in r:
            print(f"{case['case']:<12} error: {r['error']}")
            continue
        n, bits = case["n"], case["case"].split(".")[0]
        of_hbm = r["weight_gbps"] / hbm if hbm else 0
        base = cublas.get(n)
        vs = base / r["kernel_us"] if base and r["kernel_us"] else 0
        goal = ""
        if not hbm:
            goal = "(dry run: no GPU measurement)"
        elif n == 1 and bits in ("w1", "w158", "w2", "w158a8"):
            goal = f"N=1 >= 0.70 of HBM: {'PASS' if of_hbm >= 0.70 else 'FAIL'}"
        elif n >= 128:
            goal = f"N>=128 >= 0.70 of cuBLAS: {'PASS' if vs >= 0.70 else 'FAIL'}"
        case.update(of_hbm=of_hbm, cublas_us=base, vs_cublas=vs, goal=goal)
        print(f"{case['case']:<12} {'yes' if r['correct'] else 'NO':<4} "
              f"{r['kernel_us']:>10.2f} {r['call_us']:>10.1f} {r['weight_gbps']:>8.0f} "
              f"{of_hbm:>7.2f} {base or 0:>10.2f} {vs:>9.2f}  {goal}")
    json.dump({"baselines": baselines, "cases": cases}, open(sys.argv[3], "w"), indent=1)
    return 0 if all("error" not in c["result"] and c["result"]["correct"] for c in cases) else 1


if __name__ == "__main__":
    sys.exit(main())
