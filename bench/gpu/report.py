"""The GPU report: per case the kernel time (all of a call's launches), the
bandwidth its weights reach and the goals of the GPU issue, against the
baselines of the same run:

- lut, N = 1, W <= 2: >= 0.70 of the HBM read bandwidth;
- lut, N >= 128: >= 0.70 of cuBLAS fp16 for the same FLOPs;
- moe, T >= 512: >= 0.70 of one cuBLAS fp16 GEMM of the layer's FLOPs;
- moe, T <= 64: >= 3x faster than the per-expert cuBLAS loop.

usage: report.py BASELINES.json CASES.json CASES.jsonl RESULTS.json"""
import json
import sys


def lut_goal(case, result, baselines):
    cublas = {(b["m"], b["k"], b["n"]): b["us"] for b in baselines["cublas_fp16"]}
    base = cublas.get((case["m"], case["k"], case["n"]))
    hbm = baselines["hbm_read_gbps"]
    of_hbm = result["weight_gbps"] / hbm if hbm else 0
    vs = base / result["kernel_us"] if base and result["kernel_us"] else 0
    if case["n"] == 1 and case["bits"] <= 2:
        goal = f"N=1 >= 0.70 of HBM: {'PASS' if of_hbm >= 0.70 else 'FAIL'}"
    elif case["n"] >= 128:
        goal = f"N>=128 >= 0.70 of cuBLAS: {'PASS' if vs >= 0.70 else 'FAIL'}"
    else:
        goal = ""
    return dict(of_hbm=of_hbm, cublas_us=base, vs_cublas=vs, goal=goal)


def moe_goal(case, result, baselines):
    key = ("t", "e", "k", "d", "h")
    base = next((b for b in baselines["moe"]
                 if all(b[f] == case[f] for f in key)), None)
    us = result["kernel_us"]
    vs_one = base["one_gemm_us"] / us if base and us else 0
    vs_loop = base["per_expert_us"] / us if base and us else 0
    if case["t"] >= 512:
        goal = f"T>=512 >= 0.70 of one cuBLAS GEMM: {'PASS' if vs_one >= 0.70 else 'FAIL'}"
    elif case["t"] <= 64:
        goal = f"T<=64 >= 3x the per-expert loop: {'PASS' if vs_loop >= 3 else 'FAIL'}"
    else:
        goal = ""
    return dict(cublas_us=base and base["one_gemm_us"], vs_cublas=vs_one,
                per_expert_us=base and base["per_expert_us"], vs_per_expert=vs_loop,
                goal=goal)


def main():
    baselines = json.load(open(sys.argv[1]))
    prepared = {c["case"]: c for c in json.load(open(sys.argv[2]))}
    cases = [json.loads(line) for line in open(sys.argv[3]) if line.strip()]
    hbm = baselines["hbm_read_gbps"]
    print(f"device: {baselines['device']}; HBM read {hbm:.0f} GB/s")
    print(f"{'case':<16} {'ok':<4} {'kernel us':>10} {'call us':>10} "
          f"{'GB/s':>8} {'cuBLAS us':>10} {'vs cuBLAS':>9} {'loop x':>7}  goal")
    for case in cases:
        r = case["result"]
        if "error" in r:
            print(f"{case['case']:<16} error: {r['error']}")
            continue
        spec = prepared[case["case"]]
        case.update(spec)
        case.update((lut_goal if spec["kind"] == "lut" else moe_goal)(spec, r, baselines))
        if not hbm:
            case["goal"] = "(dry run: no GPU measurement)"
        print(f"{case['case']:<16} {'yes' if r['correct'] else 'NO':<4} "
              f"{r['kernel_us']:>10.2f} {r['call_us']:>10.1f} {r['weight_gbps']:>8.0f} "
              f"{case['cublas_us'] or 0:>10.2f} {case['vs_cublas']:>9.2f} "
              f"{case.get('vs_per_expert', 0):>7.2f}  {case['goal']}")
    json.dump({"baselines": baselines, "cases": cases}, open(sys.argv[4], "w"), indent=1)
    return 0 if all("error" not in c["result"] and c["result"]["correct"] for c in cases) else 1


if __name__ == "__main__":
    sys.exit(main())
