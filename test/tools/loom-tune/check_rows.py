"""Summarizes a loom-tune dataset for FileCheck: tasks, statuses, passes,
pass-1 candidates per task (in file order) and knob names. Every row must
have the feature count of its decision's schema."""
import json
import sys

# Features per schema (lib/CostModel/Schemas/).
FEATURES = {"lut.gemm": 19, "moe.dispatch": 21, "linalg.tile": 25,
            "wf.latency": 18}

rows = [json.loads(line) for line in open(sys.argv[1])]
expected_tasks = int(sys.argv[2])
tasks = []
for row in rows:
    for key in ("schema", "version", "schema_hash", "target", "machine",
                "task", "task_desc", "candidate", "knobs", "features",
                "median_us", "mad_us", "samples", "cpu_share", "status",
                "pass"):
        assert key in row, key
    assert len(row["features"]) == FEATURES[row["schema"]], row["schema"]
    if row["task"] not in tasks:
        tasks.append(row["task"])
print("tasks", len(tasks))
assert len(tasks) == expected_tasks
# Contended rows depend on the load of the machine; invalid ones never
# should.
print("invalid", sum(1 for r in rows if r["status"] == "invalid"))
assert all(r["status"] in ("ok", "contended", "invalid") for r in rows)
print("passes", " ".join(sorted({r["pass"] for r in rows})))
counts = [sum(1 for r in rows if r["task"] == t and r["pass"] == "1")
          for t in tasks]
print("candidates per task", " ".join(map(str, counts)))
print("knobs", " ".join(sorted(rows[0]["knobs"])))
