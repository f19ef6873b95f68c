#!/usr/bin/env python3
"""Draws a bench/run lut JSON file as an SVG roofline chart.

One panel per cache regime (hot, cold). Each point is one (format, N,
threads) of Loom or a baseline, placed at its arithmetic intensity
(2 M N K operations per weight byte read) and its attained throughput
(GOP/s); the diagonal is the read roofline measured in the same run
(weight bytes / roofline time, one line per thread count), so a point on
it streams its weights at the probe's bandwidth.

Usage: plot.py RESULTS.json OUT.svg   (standard library only)
"""
import json
import math
import sys

COLORS = {"loom": "#d62728", "dequant_openblas": "#1f77b4",
          "sgemm_fp32": "#2ca02c", "reference": "#7f7f7f",
          "onednn_int8": "#9467bd"}
MARKERS = {1: "circle", 2: "square"}
W, H, PAD = 460, 360, 56


def bytes_of(fmt, m, k):
    fmt = fmt.removesuffix("-aq")  # the exact mode reads the same weights
    bits = {"ternary": 2, "trit3": 5 / 3, "w1": 1, "w2": 2, "w3": 3,
            "w4": 4}[fmt]
    group = {"ternary": 0, "trit3": 0, "w1": 128, "w2": 128, "w3": 128,
             "w4": 32}[fmt]
    scales = (m * k / group) * (3 if fmt == "w2" else 2) if group else 4
    return m * k * bits / 8 + scales


def main(path, out):
    records = json.load(open(path))
    roof = {(r["format"], r["m"], r["k"], r["n"], r["threads"], r["cache"]): r
            for r in records if r["variant"] == "roofline"}
    panels = []
    for panel, cache in enumerate(("hot", "cold")):
        pts = []
        bws = {}
        for r in records:
            # The roofline is drawn as lines; the precompute alone is not a
            # GEMM to place on the chart.
            if r["cache"] != cache or r["variant"] in ("roofline", "precompute"):
                continue
            key = (r["format"], r["m"], r["k"], r["n"], r["threads"], cache)
            wb = bytes_of(r["format"], r["m"], r["k"])
            ops = 2.0 * r["m"] * r["k"] * r["n"]
            pts.append((ops / wb, ops / (r["time_us"] * 1e3), r))
            if key in roof:
                bw = wb / (roof[key]["time_us"] * 1e3)
                bws[r["threads"]] = max(bws.get(r["threads"], 0), bw)
        if not pts:
            continue
        xs = [p[0] for p in pts]
        ys = [p[1] for p in pts] + [bw * max(xs) for bw in bws.values()]
        lx0, lx1 = math.log10(min(xs)) - 0.3, math.log10(max(xs)) + 0.3
        ly0, ly1 = math.log10(min(ys)) - 0.3, math.log10(max(ys)) + 0.3
        x0 = panel * (W + 20)

        def sx(v):
            return x0 + PAD + (math.log10(v) - lx0) / (lx1 - lx0) * (W - 2 * PAD)

        def sy(v):
            return H - PAD - (math.log10(v) - ly0) / (ly1 - ly0) * (H - 2 * PAD)

        g = [f'<rect x="{x0 + PAD}" y="{PAD}" width="{W - 2 * PAD}" '
             f'height="{H - 2 * PAD}" fill="none" stroke="#000"/>',
             f'<text x="{x0 + W / 2}" y="{PAD - 20}" text-anchor="middle" '
             f'font-size="14">{cache}: GOP/s against ops per weight byte</text>']
        a, b = 10 ** lx0, 10 ** lx1
        for i, (threads, bw) in enumerate(sorted(bws.items())):
            g.append(f'<line x1="{sx(a)}" y1="{sy(max(bw * a, 10 ** ly0))}" '
                     f'x2="{sx(min(b, 10 ** ly1 / bw))}" '
                     f'y2="{sy(min(bw * b, 10 ** ly1))}" stroke="#000" '
                     f'stroke-dasharray="{"6 3" if threads == 1 else "2 2"}"/>')
            g.append(f'<text x="{x0 + W - PAD - 4}" y="{PAD + 14 + 13 * i}" '
                     f'text-anchor="end" font-size="11">read roofline, '
                     f'{threads} thread(s): {bw:.1f} GB/s</text>')
        for e in range(math.ceil(lx0), math.floor(lx1) + 1):
            g.append(f'<text x="{sx(10 ** e)}" y="{H - PAD + 16}" '
                     f'text-anchor="middle" font-size="10">1e{e}</text>')
        for e in range(math.ceil(ly0), math.floor(ly1) + 1):
            g.append(f'<text x="{x0 + PAD - 4}" y="{sy(10 ** e) + 3}" '
                     f'text-anchor="end" font-size="10">1e{e}</text>')
        for x, y, r in pts:
            color = COLORS.get(r["variant"], "#000")
            title = (f'{r["variant"]} {r["format"]} {r["m"]}x{r["k"]} '
                     f'N={r["n"]} {r["threads"]}t: {r["time_us"]:.0f} us')
            if r["threads"] == 1:
                shape = f'<circle cx="{sx(x)}" cy="{sy(y)}" r="4"'
            else:
                shape = f'<rect x="{sx(x) - 4}" y="{sy(y) - 4}" width="8" height="8"'
            g.append(f'{shape} fill="{color}" fill-opacity="0.75">'
                     f'<title>{title}</title></{shape.split()[0][1:]}>')
        panels.append("\n".join(g))
    legend = []
    for i, (name, color) in enumerate(COLORS.items()):
        legend.append(f'<circle cx="{PAD + i * 150}" cy="{H + 14}" r="4" '
                      f'fill="{color}"/><text x="{PAD + 8 + i * 150}" '
                      f'y="{H + 18}" font-size="11">{name}</text>')
    legend.append(f'<text x="{PAD}" y="{H + 36}" font-size="11">circle: 1 '
                  f'thread, square: 2 threads; hover a point for its figures'
                  f'</text>')
    with open(out, "w") as f:
        f.write(f'<svg xmlns="http://www.w3.org/2000/svg" '
                f'width="{2 * W + 20}" height="{H + 50}" '
                f'font-family="sans-serif">\n<rect width="100%" height="100%" '
                f'fill="#fff"/>\n' + "\n".join(panels) + "\n" +
                "\n".join(legend) + "\n</svg>\n")


if __name__ == "__main__":
    if len(sys.argv) != 3:
        sys.exit(__doc__)
    main(sys.argv[1], sys.argv[2])
