"""Each case of the hostile corpus (tests/hostile.py) checked alone by `iki-xlsx check --json`
in a fresh process: its verdict, wall and CPU time, and peak memory (not a test).

The corpus is built once into output/hostile/ and reused. The times include the command's
start-up (imports, blueprints: the first row, a good return, shows it).

    .venv/bin/python -m benchmarks.bench_hostile
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

from benchmarks.bench_generate import machine
from tests.hostile import build_workbook_cases, good_workbooks, measured

ROOT = Path(__file__).resolve().parent.parent
FOLDER = ROOT / "output" / "hostile"


def main() -> None:
    good = good_workbooks(FOLDER / "baik")
    cases = build_workbook_cases(good[0], FOLDER / "berkas")
    print(f"machine: {machine()}")
    print("| case | size | verdict (first finding) | wall s | CPU s | peak MB |")
    print("|---|---|---|---|---|---|")
    for name, path in [("good return (for scale)", good[0]),
                       *((f"{c.name}: {c.what}", c.path) for c in cases)]:
        run = measured([sys.executable, "-m", "iki_xlsx", "check", "--json", str(path)])
        result = json.loads(run.done.stdout)[0]
        code = result["findings"][0]["code"] if result["findings"] else "-"
        print(f"| {name} | {_size(path.stat().st_size)} | {result['status']} ({code}) | "
              f"{run.seconds:.2f} | {run.cpu_seconds:.2f} | {run.peak_mb:.0f} |", flush=True)


def _size(size: int) -> str:
    return f"{size / 1_048_576:.1f} MB" if size >= 1_048_576 else f"{size // 1024} KB"


if __name__ == "__main__":
    main()
