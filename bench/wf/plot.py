#!/usr/bin/env python3
"""Draws a bench/run wf JSON file as an SVG: makespans against the bound,
and, given the --timelines directory, Gantt charts of the calls.

Top panel: per workload, S/LB, P/LB and M/LB (log scale), so that the
distance of each policy from the lower bound reads directly. Below, for
map-reduce and the multi-agent pipeline, the LLM calls of the parallel
client (P) and of the compiled graph (Loom) on one time axis: P runs two
requests at a time and pays a round trip per call; Loom batches the map.

Usage: plot.py RESULTS.json OUT.svg [TIMELINE_DIR]   (standard library only)
"""
import json
import math
import os
import sys

COLORS = {"S": "#7f7f7f", "P": "#1f77b4", "Loom": "#d62728"}
W, PAD = 900, 60


def bars(records):
    rows = [r for r in records if "lower_bound_s" in r]
    h = 300
    svg = [f'<text x="{PAD}" y="20" font-size="14">makespan / lower bound '
           f'(log scale; 1 = optimal)</text>']
    top = max(r["sequential_s"] / r["lower_bound_s"] for r in rows)
    scale = (h - 70) / math.log10(top * 1.2)
    group = (W - 2 * PAD) / len(rows)
    for decade in range(0, int(math.log10(top)) + 2):
        y = h - 40 - decade * scale
        if y < 30:
            break
        svg.append(f'<line x1="{PAD}" x2="{W - PAD}" y1="{y:.1f}" y2="{y:.1f}" '
                   f'stroke="#ddd"/><text x="{PAD - 8}" y="{y + 4:.1f}" '
                   f'font-size="10" text-anchor="end">{10 ** decade}</text>')
    for i, r in enumerate(rows):
        x0 = PAD + i * group + 4
        for j, (name, key) in enumerate([("S", "sequential_s"),
                                         ("P", "client_parallel_s"),
                                         ("Loom", "makespan_s")]):
            ratio = r[key] / r["lower_bound_s"]
            bh = max(1.0, math.log10(ratio) * scale)
            x = x0 + j * (group - 8) / 3
            svg.append(f'<rect x="{x:.1f}" y="{h - 40 - bh:.1f}" '
                       f'width="{(group - 8) / 3 - 1:.1f}" height="{bh:.1f}" '
                       f'fill="{COLORS[name]}"><title>{r["workload"]} {name}: '
                       f'{ratio:.2f} x LB</title></rect>')
        svg.append(f'<text x="{x0 + (group - 8) / 2:.1f}" y="{h - 26}" '
                   f'font-size="9" text-anchor="middle">{r["workload"]}</text>'
                   f'<text x="{x0 + (group - 8) / 2:.1f}" y="{h - 14}" '
                   f'font-size="9" text-anchor="middle">M/LB '
                   f'{r["makespan_s"] / r["lower_bound_s"]:.2f}</text>')
    for j, name in enumerate(COLORS):
        svg.append(f'<rect x="{W - PAD - 180 + j * 60}" y="8" width="10" '
                   f'height="10" fill="{COLORS[name]}"/><text '
                   f'x="{W - PAD - 166 + j * 60}" y="17" font-size="11">'
                   f'{name}</text>')
    return svg, h


def gantt(path, title, policy, y0, horizon):
    events = [e for e in json.load(open(path))["traceEvents"]
              if e["ph"] == "X"]
    events.sort(key=lambda e: e["ts"])
    # Greedy lanes: a call takes the first lane free at its start.
    lanes = []
    placed = []
    for e in events:
        for k, end in enumerate(lanes):
            if end <= e["ts"]:
                lanes[k] = e["ts"] + e["dur"]
                break
        else:
            k = len(lanes)
            lanes.append(e["ts"] + e["dur"])
        placed.append((k, e))
    lane_h = max(2.0, min(10.0, 150 / max(1, len(lanes))))
    h = 40 + len(lanes) * lane_h
    sx = (W - 2 * PAD) / horizon
    svg = [f'<text x="{PAD}" y="{y0 + 16}" font-size="12">{title}: '
           f'{policy}, {len(events)} calls, '
           f'{max(e["ts"] + e["dur"] for e in events) / 1e6:.1f} s</text>']
    for k, e in placed:
        svg.append(f'<rect x="{PAD + e["ts"] * sx:.1f}" '
                   f'y="{y0 + 24 + k * lane_h:.1f}" '
                   f'width="{max(0.5, e["dur"] * sx):.1f}" '
                   f'height="{lane_h * 0.8:.1f}" fill="{COLORS[policy]}">'
                   f'<title>{e["name"]}</title></rect>')
    return svg, h


def main(path, out, timelines=None):
    records = json.load(open(path))
    svg, y = bars(records)
    if timelines:
        for name in ("map_reduce_15", "multi_agent"):
            files = {p: os.path.join(timelines, f"{name}.{suffix}.json")
                     for p, suffix in (("P", "p"), ("Loom", "loom"))}
            if not all(os.path.exists(f) for f in files.values()):
                continue
            horizon = max(e["ts"] + e["dur"] for f in files.values()
                          for e in json.load(open(f))["traceEvents"]
                          if e["ph"] == "X")
            for policy, f in files.items():
                part, h = gantt(f, name, policy, y, horizon)
                svg += part
                y += h
    print(f'<svg xmlns="http://www.w3.org/2000/svg" width="{W}" '
          f'height="{y + 20}" font-family="sans-serif">'
          f'<rect width="100%" height="100%" fill="white"/>'
          + "".join(svg) + "</svg>", file=open(out, "w"))


if __name__ == "__main__":
    if len(sys.argv) not in (3, 4):
        sys.exit(__doc__)
    main(*sys.argv[1:])
