"""The web app's Status page for a period of 400 units (goal: under 300 ms), and its other pages.

The returns of 400 desa of `iki-kecamatan-jabung` are generated once into output/bench/web-400/
(every 10th with a mistake, so findings show) and collected once into a store there; each run
then serves that workspace with the app (Starlette's test client, in process) and times each
page 20 times after one warm-up.

With --unggah it also uploads the same returns through Terima into a fresh copy of the
workspace and compares that with `collect` of the same files.

Run: .venv/bin/python -m benchmarks.bench_web [--units 400] [--unggah]
"""

from __future__ import annotations

import argparse
import re
import shutil
import statistics
import time
from pathlib import Path

from starlette.testclient import TestClient

from benchmarks.bench_generate import bundled, machine
from iki_xlsx.check import BlueprintIndex
from iki_xlsx.core.units import Unit
from iki_xlsx.intake.collect import collect
from iki_xlsx.plan.build import plan_workbook
from iki_xlsx.store.db import Store
from iki_xlsx.web import create_app, open_site
from iki_xlsx.workbook.generate import generate, recipients, workbook_filename, write_filled

BLUEPRINT = "iki-kecamatan-jabung"
GOAL_MS = 300.0


def workspace(folder: Path, count: int) -> Path:
    """The workspace with its store of `count` desa returns (made once, then reused)."""
    root = folder / "ruang"
    if (root / "simpan" / "iki.sqlite").exists() and (root / "iki.toml").exists():
        return root
    shutil.rmtree(root, ignore_errors=True)
    bp = next(b for b in bundled() if b.id == BLUEPRINT)
    units = [Unit(f"35070{i:05d}", f"Desa Contoh {i:03d}", f"desa{i:03d}@desa.example.id")
             for i in range(1, count + 1)]
    (root / "blueprints").mkdir(parents=True)
    shutil.copy(Path(__file__).resolve().parent.parent / "blueprints" / f"{BLUEPRINT}.yaml",
                root / "blueprints")
    (root / "iki.toml").write_text('kantor = "Kecamatan Contoh"\nwilayah = "Kabupaten Contoh"\n'
                                   'kota = "Contoh"\nzona_waktu = "WIB"\n')
    (root / "unit.csv").write_text("kode,nama,email\n" + "".join(
        f"{u.kode},{u.nama},{u.email}\n" for u in units))
    returns = folder / "kembali"
    shutil.rmtree(returns, ignore_errors=True)
    files = generate(bp, units, 2026, returns, sample=True).files
    everyone = recipients(bp, units)
    for unit in everyone[::10]:
        plan = plan_workbook(bp, unit, 2026, everyone)
        key = next(c.key for _, c in plan.input_cells()
                   if c.rule is not None and c.rule.tipe == "bulat")
        write_filled(bp, unit, everyone, 2026, returns / "salah" / workbook_filename(plan),
                     {key: "12 orang"})
    collect([returns / "salah", *files], Store(open_site(root).store_dir), BlueprintIndex([bp]))
    return root


def timed(client: TestClient, url: str, runs: int = 20) -> list[float]:
    assert client.get(url).status_code == 200
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        response = client.get(url)
        times.append((time.perf_counter() - start) * 1000)
        assert response.status_code == 200
    return times


def upload_versus_collect(folder: Path, root: Path) -> None:
    """The same returns collected by the library and uploaded through Terima, each into a fresh
    copy of the workspace (without its store)."""
    files = sorted((folder / "kembali").glob("*.xlsx"))
    took = {}
    for way in ("collect", "unggah"):
        copy = folder / f"banding-{way}"
        shutil.rmtree(copy, ignore_errors=True)
        shutil.copytree(root, copy, ignore=shutil.ignore_patterns("simpan", "keluaran"))
        site = open_site(copy)
        start = time.perf_counter()
        if way == "collect":
            collect(files, Store(site.store_dir), BlueprintIndex.from_folder(site.blueprints_dir))
        else:
            client = TestClient(create_app(site), base_url="http://127.0.0.1:8000")
            token = re.search(r'name="csrf" value="([^"]+)"', client.get("/terima").text)
            assert token is not None
            sent = client.post("/terima", data={"csrf": token.group(1)}, files=[
                ("berkas", (f.name, f.read_bytes(), "application/octet-stream")) for f in files],
                follow_redirects=False)
            jobs = client.app.state.web.jobs  # type: ignore[attr-defined]
            job = jobs.wait(sent.headers["location"].rsplit("/", 1)[1], timeout=600)
            assert job is not None and job.state == "selesai", job and job.error
        took[way] = time.perf_counter() - start
    print(f"{len(files)} returns: collect {took['collect']:.1f} s, upload through Terima "
          f"(transfer, stream to disk, collect in groups) {took['unggah']:.1f} s")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--units", type=int, default=400)
    parser.add_argument("--unggah", action="store_true",
                        help="also compare uploading the returns with collecting them")
    args = parser.parse_args()
    folder = Path("output") / "bench" / f"web-{args.units}"
    start = time.perf_counter()
    root = workspace(folder, args.units)
    print(f"machine: {machine()}")
    print(f"workspace ready in {time.perf_counter() - start:.1f} s: {args.units} desa + office, "
          f"{BLUEPRINT}")
    client = TestClient(create_app(open_site(root)), base_url="http://127.0.0.1:8000")
    status = client.get("/status").text
    rows = status.count("<tr>") - 1
    print(f"status page: {rows} unit rows, {len(status) / 1024:.0f} KB of HTML")
    for url in ("/status", "/status?keadaan=perlu+perbaikan", "/", "/status/unit/3507000001"):
        times = timed(client, url)
        print(f"GET {url}: median {statistics.median(times):.0f} ms, "
              f"max {max(times):.0f} ms over {len(times)}")
    median = statistics.median(timed(client, "/status"))
    print(f"goal: status page under {GOAL_MS:.0f} ms: {'met' if median < GOAL_MS else 'MISSED'}")
    if args.unggah:
        upload_versus_collect(folder, root)


if __name__ == "__main__":
    main()
