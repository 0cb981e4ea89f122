"""Time and peak memory of `dslgen check` on large and hostile specs.

Usage: PYTHONPATH=. .venv/bin/python bench/spec_loading.py [--sizes 1,2,4]

Each case runs `api.check_spec` in a fresh process (so its peak RSS is its own) on a copy of
examples/minimal with: tasks.yaml grown to N MB of valid tasks; spec.yaml grown to N MB of
user-simulator rules; and a 9-level alias bomb (1.6 KB that would expand to 387 million
values). Targets (issue 10): time linear in size, under 10 s and 500 MB.
"""
from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
MINIMAL = ROOT / "examples" / "minimal"

CHILD = """
import json, resource, sys, time
t0 = time.perf_counter()
from dslgen import api
t1, c1 = time.perf_counter(), time.process_time()
found = api.check_spec(sys.argv[1])
t2, c2 = time.perf_counter(), time.process_time()
print(json.dumps({"seconds": t2 - t1, "cpu_s": c2 - c1, "import_s": t1 - t0,
                  "peak_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
                  "codes": sorted({d.code for d in found})}))
"""

TASK = """  - id: task_{i}
    goal: You want to borrow book number {i} and learn which books you have on loan afterwards.
    known: {{member_id: m{i}, favourite: "book {i}"}}
    persona: reader
    rubric:
      expected_calls:
        - tool: find_book
          arguments: {{title: Dune}}
        - tool: borrow_book
          arguments: {{member_id: m1, book_id: b1}}
      checkpoints:
        - text: The agent confirms before lending book {i}.
"""

RULE = "    - Ask for one thing per turn, and answer politely when asked about item number {i}.\n"


def grown(text_of, megabytes: float) -> str:
    parts, size, i = [], 0, 0
    while size < megabytes * 1_000_000:
        part = text_of(i)
        parts.append(part)
        size += len(part)
        i += 1
    return "".join(parts)


def case_big_tasks(folder: Path, mb: float) -> Path:
    (folder / "domain" / "tasks.yaml").write_text("tasks:\n" + grown(lambda i: TASK.format(i=i), mb))
    return folder / "spec.yaml"


def case_big_spec(folder: Path, mb: float) -> Path:
    spec = folder / "spec.yaml"
    text = spec.read_text().replace("  rules:\n", "  rules:\n" + grown(lambda i: RULE.format(i=i), mb), 1)
    spec.write_text(text)
    return spec


def case_alias_bomb(folder: Path, _mb: float) -> Path:
    lines = ['a0: &a0 ["lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol"]']
    lines += [f"a{i}: &a{i} [{', '.join([f'*a{i - 1}'] * 9)}]" for i in range(1, 9)]
    spec = folder / "spec.yaml"
    spec.write_text(spec.read_text() + "\n".join(lines) + "\n")
    return spec


def measure(make, mb: float) -> dict:
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp) / "project"
        shutil.copytree(MINIMAL, folder)
        spec = make(folder, mb)
        size = sum(f.stat().st_size for f in folder.rglob("*.yaml"))
        out = subprocess.run([sys.executable, "-c", CHILD, str(spec)], capture_output=True, text=True,
                             cwd=ROOT, env={"PYTHONPATH": str(ROOT), "PATH": ""}, check=True)
        return {"bytes": size, **json.loads(out.stdout)}


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--sizes", default="1,2,4", help="megabytes of the grown file, comma separated")
    args = parser.parse_args()
    print(f"load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores")
    print(f"{'case':<28}{'YAML bytes':>12}{'check s':>10}{'CPU s':>8}{'peak MB':>10}  diagnostics")
    for name, make in (("tasks.yaml grown", case_big_tasks), ("spec.yaml grown", case_big_spec)):
        for mb in (float(s) for s in args.sizes.split(",")):
            r = measure(make, mb)
            print(f"{name + f' to {mb:g} MB':<28}{r['bytes']:>12,}{r['seconds']:>10.2f}{r['cpu_s']:>8.2f}{r['peak_mb']:>10.0f}  "
                  f"{','.join(r['codes']) or 'none'}")
    r = measure(case_alias_bomb, 0)
    print(f"{'alias bomb (9 levels)':<28}{r['bytes']:>12,}{r['seconds']:>10.2f}{r['cpu_s']:>8.2f}{r['peak_mb']:>10.0f}  "
          f"{','.join(r['codes'])}")


if __name__ == "__main__":
    main()
