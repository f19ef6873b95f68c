#!/usr/bin/env python3
"""Draws a bench/run moe JSON file as an SVG chart of GFLOP/s against T.

One panel per configuration; one line per (implementation, threads,
routing), useful FLOPs (moe.md §4) over the p10 time. The single-sgemm
ceiling is the dashed line: a point on it runs the layer's expert work as
fast as one OpenBLAS GEMM chain of the same FLOPs.

Usage: plot.py RESULTS.json OUT.svg   (standard library only)
"""
import json
import math
import sys

COLORS = {"loom": "#d62728", "expert_loop_sgemm": "#1f77b4",
          "single_sgemm": "#2ca02c", "reference": "#7f7f7f"}
W, H, PAD = 420, 320, 56


def main(path, out):
    records = [r for r in json.load(open(path)) if r["variant"] in COLORS]
    configs = sorted({r["config"] for r in records},
                     key=lambda c: [r["config"] for r in records].index(c))
    svg = []
    for panel, config in enumerate(configs):
        rs = [r for r in records if r["config"] == config]
        series = {}
        for r in rs:
            key = (r["variant"], r["threads"], r["routing"])
            series.setdefault(key, []).append(
                (r["t"], r["useful_gflop"] / (r["time_us"] * 1e-6)))
        ts = sorted({r["t"] for r in rs})
        ymax = max(g for pts in series.values() for _, g in pts) * 1.1
        x0 = panel * (W + 20)
        lo, hi = math.log(ts[0]), math.log(ts[-1]) if ts[-1] > ts[0] else 1

        def sx(t):
            span = hi - lo if hi > lo else 1
            return x0 + PAD + (math.log(t) - lo) / span * (W - 1.5 * PAD)

        def sy(g):
            return H - PAD + 10 - g / ymax * (H - 1.6 * PAD)

        svg.append(f'<text x="{x0 + W / 2}" y="20" text-anchor="middle" '
                   f'font-size="14">{config}</text>')
        svg.append(f'<line x1="{x0 + PAD}" y1="{H - PAD + 10}" '
                   f'x2="{x0 + W - PAD / 2}" y2="{H - PAD + 10}" '
                   'stroke="black"/>')
        svg.append(f'<line x1="{x0 + PAD}" y1="{H - PAD + 10}" '
                   f'x2="{x0 + PAD}" y2="30" stroke="black"/>')
        for t in ts:
            svg.append(f'<text x="{sx(t)}" y="{H - PAD + 26}" '
                       f'text-anchor="middle" font-size="10">{t}</text>')
        for i in range(5):
            g = ymax * i / 4
            svg.append(f'<text x="{x0 + PAD - 6}" y="{sy(g) + 3}" '
                       f'text-anchor="end" font-size="10">{g:.0f}</text>')
        svg.append(f'<text x="{x0 + W / 2}" y="{H - 8}" text-anchor="middle" '
                   'font-size="11">tokens T</text>')
        svg.append(f'<text x="{x0 + 14}" y="{H / 2}" font-size="11" '
                   f'transform="rotate(-90 {x0 + 14} {H / 2})" '
                   'text-anchor="middle">GFLOP/s</text>')
        legend = 0
        for (variant, threads, routing), pts in sorted(series.items()):
            pts.sort()
            path_d = " ".join(f"{'M' if i == 0 else 'L'}{sx(t):.1f},{sy(g):.1f}"
                              for i, (t, g) in enumerate(pts))
            dash = ' stroke-dasharray="5,3"' if variant == "single_sgemm" else ""
            width = 2 if threads == 1 else 1
            svg.append(f'<path d="{path_d}" fill="none" '
                       f'stroke="{COLORS[variant]}" stroke-width="{width}"'
                       f'{dash} opacity="{1 if routing == "balanced" else 0.5}"/>')
            for t, g in pts:
                svg.append(f'<circle cx="{sx(t):.1f}" cy="{sy(g):.1f}" r="2.5" '
                           f'fill="{COLORS[variant]}"/>')
            if routing == "balanced":
                svg.append(f'<text x="{x0 + PAD + 8}" y="{40 + 12 * legend}" '
                           f'font-size="10" fill="{COLORS[variant]}">'
                           f'{variant} {threads}t</text>')
                legend += 1
    width = len(configs) * (W + 20)
    with open(out, "w") as f:
        f.write(f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" '
                f'height="{H}" font-family="sans-serif">\n'
                + "\n".join(svg) + "\n</svg>\n")


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2])
