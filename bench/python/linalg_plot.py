#!/usr/bin/env python3
"""Draws a bench/run linalg JSON file as an SVG chart: per contraction, the
time of the learned model's tile, the roofline's and OpenBLAS's over the
best tile's, with the 5 % goal line.

Usage: linalg_plot.py RESULTS.json OUT.svg   (standard library only)
"""
import json
import sys

VARIANTS = [("learned", "#d62728"), ("roofline", "#1f77b4"), ("openblas", "#2ca02c")]
LEFT, ROW, BAR, WIDTH, TOP = 170, 46, 12, 420, 40
XMAX = 2.0  # bars beyond it are clipped, their value written at the end


def main(path, out):
    results = json.load(open(path))
    height = TOP + ROW * len(results) + 50
    x = lambda ratio: LEFT + WIDTH * min(ratio, XMAX) / XMAX
    svg = [f'<svg xmlns="http://www.w3.org/2000/svg" width="{LEFT + WIDTH + 90}" '
           f'height="{height}" font-family="sans-serif" font-size="11">',
           f'<text x="{LEFT}" y="18" font-size="13">time / best tile (lower is better)</text>']
    for tick in (0, 0.5, 1.0, 1.5, 2.0):
        svg.append(f'<line x1="{x(tick)}" y1="{TOP - 6}" x2="{x(tick)}" '
                   f'y2="{height - 44}" stroke="#ddd"/>')
        svg.append(f'<text x="{x(tick)}" y="{height - 30}" text-anchor="middle">{tick:g}</text>')
    svg.append(f'<line x1="{x(1.05)}" y1="{TOP - 6}" x2="{x(1.05)}" y2="{height - 44}" '
               f'stroke="#000" stroke-dasharray="4 3"><title>goal: within 5 %</title></line>')
    for row, r in enumerate(results):
        y0 = TOP + row * ROW
        best = min(v for k, v in r["median_us"].items() if k.startswith("tile ")
                   or k in ("learned", "roofline"))
        svg.append(f'<text x="{LEFT - 8}" y="{y0 + 20}" text-anchor="end">{r["name"]}</text>')
        for i, (variant, color) in enumerate(VARIANTS):
            if variant not in r["median_us"]:  # no OpenBLAS for f16
                continue
            ratio = r["median_us"][variant] / best
            y = y0 + i * BAR
            svg.append(f'<rect x="{LEFT}" y="{y}" width="{x(ratio) - LEFT:.1f}" '
                       f'height="{BAR - 2}" fill="{color}"><title>{variant}: '
                       f'{r["median_us"][variant]:.1f} us, {ratio:.3f}x</title></rect>')
            if ratio > XMAX:
                svg.append(f'<text x="{x(ratio) + 3}" y="{y + BAR - 3}">{ratio:.2f}</text>')
    for i, (variant, color) in enumerate(VARIANTS):
        lx = LEFT + i * 110
        svg.append(f'<rect x="{lx}" y="{height - 18}" width="10" height="10" fill="{color}"/>')
        svg.append(f'<text x="{lx + 14}" y="{height - 9}">{variant}</text>')
    svg.append('</svg>')
    open(out, "w").write("\n".join(svg) + "\n")


if __name__ == "__main__":
    main(*sys.argv[1:3])
