"""The kabupaten load test (issue 24): C clients upload the returns of K kecamatan at once
through the web app on PostgreSQL while an IMAP pull runs; every file stored once, every
verdict right, none lost. Reported: throughput (distinct returns stored per second, from the
first upload to the last verdict) and the latency of an upload (from its POST to its verdicts).

Set-up (not timed): a throwaway PostgreSQL server (like the tests', unless --url names a
database), a kabupaten workspace in output/bench/load-KxN/ whose accounts and each of whose
kecamatan keep their store in a schema of their own (`kec_KODE`) with their own raw-file
folder; each kecamatan's units and the sample-filled returns of `iki-kecamatan-jabung`
(registered as generated), one return per kecamatan with a mistake (its verdict must be perlu
perbaikan); W web workers (`iki-xlsx web`, each its own process, as behind the reverse proxy);
one account, operator of every kecamatan, signed in once per client; a dovecot mailbox (the
first kecamatan's `[imap]`) holding some returns that clients also upload (stored once).

Each client uploads its share in batches (one POST of several files to the kecamatan's Terima
page), then polls the job until its verdicts are in. The IMAP pull is started when the clients
start. At the end every kecamatan's store is compared with what was sent: each distinct file
recorded exactly once, its raw copy whole, with the verdict it must have.

Run: .venv/bin/python -m benchmarks.bench_load [--kecamatan 30] [--returns 1000] [--clients 20]
     [--workers 2] [--batch 5] [--imap 20]
"""

from __future__ import annotations

import argparse
import hashlib
import os
import re
import shutil
import socket
import statistics
import subprocess
import sys
import threading
import time
from dataclasses import dataclass, field
from email.message import EmailMessage
from pathlib import Path

import httpx

from benchmarks.bench_generate import machine
from iki_xlsx.accounts.roles import Grant, Role
from iki_xlsx.blueprint.load import load_blueprint
from iki_xlsx.blueprint.model import Blueprint
from iki_xlsx.core.units import Unit
from iki_xlsx.service.demo import write_mistaken
from iki_xlsx.service.kabupaten import load_kabupaten
from iki_xlsx.service.site import Site
from iki_xlsx.workbook.generate import generate

ROOT = Path(__file__).resolve().parent.parent
BLUEPRINT = ROOT / "blueprints" / "iki-kecamatan-jabung.yaml"
PERIODE = 2026
LOGIN, SANDI = "pengunggah", "sandi-beban-2026"
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


@dataclass
class Office:
    kode: str
    files: list[Path]  # its returns, as sent
    mistaken: Path  # the one whose verdict must be perlu perbaikan


@dataclass
class Measured:
    latencies: list[float] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def build(folder: Path, bp: Blueprint, kecamatan: int, each: int, url: str,
          imap: tuple[int, str] | None) -> list[Office]:
    """The kabupaten workspace, its offices' stores registered and their returns made."""
    from iki_xlsx.service.kabupaten import add_office, init_kabupaten
    from iki_xlsx.store.db import Store

    shutil.rmtree(folder, ignore_errors=True)
    root = folder / "kabupaten"
    assert init_kabupaten(root).ok
    (root / "iki.toml").write_text(
        'kabupaten = "Kabupaten Beban"\nwilayah = "Provinsi Jawa Timur"\nkota = "Kepanjen"\n'
        f'zona_waktu = "WIB"\n\n[basis_data]\nurl = "{url}"\nskema = "kabupaten"\n'
        f'berkas = "{folder / "berkas" / "kabupaten"}"\n', encoding="utf-8")
    offices = []
    for number in range(kecamatan):
        kode = f"35070{number + 10:02d}"
        office_root = root / "kantor" / kode
        (office_root / "blueprints").mkdir(parents=True)
        shutil.copy(BLUEPRINT, office_root / "blueprints" / BLUEPRINT.name)
        units = [Unit(f"{kode}{i:03d}", f"Desa Contoh {kode}-{i:03d}") for i in range(1, each)]
        (office_root / "unit.csv").write_text(
            "kode,nama\n" + "".join(f"{u.kode},{u.nama}\n" for u in units), encoding="utf-8")
        extra = (f'\n[imap]\nhost = "127.0.0.1:{imap[0]}"\nuser = "{imap[1]}"\n'
                 if imap is not None and number == 0 else "")
        (office_root / "iki.toml").write_text(
            f'kantor = "Kecamatan {kode}"\nwilayah = "Kabupaten Beban, Provinsi Jawa Timur"\n'
            f'kota = "Kepanjen"\nzona_waktu = "WIB"\n\n[basis_data]\nurl = "{url}"\n'
            f'skema = "kec_{kode}"\nberkas = "{folder / "berkas" / kode}"\n{extra}',
            encoding="utf-8")
        add_office(load_kabupaten(root), kode, None)
        store: Store = load_kabupaten(root).workspace(kode).store()
        assert generate(bp, units, PERIODE, folder / "dibuat" / kode, register=store).ok
        made = generate(bp, units, PERIODE, folder / "kembali" / kode, sample=True)
        assert made.ok
        mistaken, _ = write_mistaken(bp, units, PERIODE, folder / "salah" / kode)
        offices.append(Office(kode, sorted(made.files), mistaken))
    book = Site.at(root).accounts()
    book.add(LOGIN, "Pengunggah Beban", SANDI,
             [Grant(Role.OPERATOR, office.kode) for office in offices])
    return offices


def start_workers(root: Path, count: int, env: dict[str, str]) -> list[
        tuple[subprocess.Popen[bytes], str]]:
    workers = []
    for _ in range(count):
        port = free_port()
        process = subprocess.Popen(
            [sys.executable, "-m", "iki_xlsx", "--ruang", str(root), "web", "--port", str(port),
             "--wajib-masuk"], env=env, stdout=subprocess.DEVNULL)
        workers.append((process, f"http://127.0.0.1:{port}"))
    for process, base in workers:
        for _ in range(600):
            try:
                httpx.get(base + "/masuk", timeout=2)
                break
            except httpx.HTTPError:
                if process.poll() is not None:
                    raise RuntimeError("a web worker did not start") from None
                time.sleep(0.1)
    return workers


def csrf_of(html: str) -> str:
    found = re.search(r'name="csrf" value="([^"]+)"', html)
    assert found, "a page without a CSRF token"
    return found.group(1)


def signed_in(base: str) -> httpx.Client:
    client = httpx.Client(base_url=base, timeout=600)
    token = csrf_of(client.get("/masuk").text)
    done = client.post("/masuk", data={"csrf": token, "nama_masuk": LOGIN, "sandi": SANDI,
                                       "lanjut": "/"})
    assert done.status_code == 303, done.status_code
    return client


def wait_job(client: httpx.Client, prefix: str, location: str) -> dict[str, object]:
    ident = location.rsplit("/", 1)[1]
    while True:
        state: dict[str, object] = client.get(f"{prefix}/tugas/{ident}").json()
        if state["keadaan"] != "berjalan":
            return state
        time.sleep(0.2)


def client_work(base: str, batches: list[tuple[str, list[Path]]], measured: Measured) -> None:
    client = signed_in(base)
    for kode, files in batches:
        prefix = f"/kantor/{kode}"
        token = csrf_of(client.get(f"{prefix}/terima").text)
        start = time.perf_counter()
        sent = client.post(f"{prefix}/terima", data={"csrf": token},
                           files=[("berkas", (p.name, p.read_bytes(), XLSX)) for p in files],
                           follow_redirects=False)
        if sent.status_code != 303:
            with measured.lock:
                measured.errors.append(f"{kode}: upload answered {sent.status_code}")
            continue
        state = wait_job(client, prefix, sent.headers["location"])
        with measured.lock:
            measured.latencies.append(time.perf_counter() - start)
            if state["keadaan"] != "selesai":
                measured.errors.append(f"{kode}: job {state['keadaan']}: {state['galat']}")


def imap_work(base: str, kode: str, measured: Measured) -> None:
    client = signed_in(base)
    prefix = f"/kantor/{kode}"
    token = csrf_of(client.get(f"{prefix}/terima").text)
    start = time.perf_counter()
    sent = client.post(f"{prefix}/terima/imap", data={"csrf": token, "sandi": ""},
                       follow_redirects=False)
    state = wait_job(client, prefix, sent.headers["location"])
    with measured.lock:
        measured.errors += [] if state["keadaan"] == "selesai" else [f"IMAP: {state}"]
    print(f"IMAP pull of {kode}: {state['keadaan']} in {time.perf_counter() - start:.1f} s")


def verify(root: Path, offices: list[Office]) -> int:
    """Every distinct file recorded once in its kecamatan's store, whole, with its verdict."""
    kabupaten = load_kabupaten(root)
    total = 0
    for office in offices:
        store = kabupaten.workspace(office.kode).store()
        expected = {hashlib.sha256(p.read_bytes()).hexdigest(): "ok" for p in office.files}
        expected[hashlib.sha256(office.mistaken.read_bytes()).hexdigest()] = "needs-correction"
        recorded = store.submissions()
        shas = [row.sha256 for row in recorded]
        assert len(shas) == len(set(shas)), f"{office.kode}: a file recorded twice"
        assert set(shas) == set(expected), f"{office.kode}: files lost or foreign"
        for row in recorded:
            assert row.status == expected[row.sha256], (office.kode, row.status)
            raw = store.raw_path(row.sha256).read_bytes()
            assert hashlib.sha256(raw).hexdigest() == row.sha256
        total += len(shas)
    return total


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--kecamatan", type=int, default=30)
    parser.add_argument("--returns", type=int, default=1000, help="returns in all")
    parser.add_argument("--clients", type=int, default=20)
    parser.add_argument("--workers", type=int, default=2, help="web worker processes")
    parser.add_argument("--batch", type=int, default=5, help="files per upload")
    parser.add_argument("--imap", type=int, default=20,
                        help="returns of the first kecamatan in its mailbox (also uploaded)")
    args = parser.parse_args()
    from tests.mailservers import PASSWORD as IMAP_PASSWORD
    from tests.mailservers import Dovecot
    from tests.pgserver import PASSWORD, PostgresServer

    bp = load_blueprint(BLUEPRINT).blueprint
    assert bp is not None
    each = max(2, round(args.returns / args.kecamatan))  # the office's own return counts too
    folder = ROOT / "output" / "bench" / f"load-{args.kecamatan}x{each}"
    server, dovecot = PostgresServer(), Dovecot().start()
    workers: list[tuple[subprocess.Popen[bytes], str]] = []
    try:
        url = server.url(server.create_database("beban"))
        user = dovecot.mailbox("kecamatan")
        os.environ["IKI_DB_PASSWORD"] = PASSWORD
        made = time.perf_counter()
        offices = build(folder, bp, args.kecamatan, each, url, (dovecot.port, user))
        for path in offices[0].files[:args.imap]:
            mail = EmailMessage()
            mail["From"], mail["To"], mail["Subject"] = ("desa@contoh.id", "iki@kec.id", "IKI")
            mail.set_content("Terlampir.")
            mail.add_attachment(path.read_bytes(), maintype="application",
                                subtype=XLSX.split("/")[1], filename=path.name)
            dovecot.deliver(user, bytes(mail))
        print(f"machine: {machine()}; load average {os.getloadavg()[0]:.1f}")
        sent = [(o.kode, p) for o in offices for p in [*o.files, o.mistaken]]
        print(f"set up in {time.perf_counter() - made:.0f} s: {len(offices)} kecamatan, "
              f"{len(sent)} returns, {args.imap} of them also in the mailbox")
        env = {**os.environ, "SSL_CERT_FILE": str(dovecot.cert),
               "IKI_IMAP_PASSWORD": IMAP_PASSWORD}
        workers = start_workers(folder / "kabupaten", args.workers, env)
        shares: list[list[tuple[str, list[Path]]]] = [[] for _ in range(args.clients)]
        batches = [(kode, [p for _, p in group]) for kode, group in _batched(sent, args.batch)]
        for number, batch in enumerate(batches):
            shares[number % args.clients].append(batch)
        measured = Measured()
        threads = [threading.Thread(target=client_work,
                                    args=(workers[n % len(workers)][1], share, measured))
                   for n, share in enumerate(shares)]
        threads.append(threading.Thread(target=imap_work, args=(workers[0][1],
                                                                offices[0].kode, measured)))
        start = time.perf_counter()
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        seconds = time.perf_counter() - start
        assert not measured.errors, measured.errors[:5]
        stored = verify(folder / "kabupaten", offices)
        lat = sorted(measured.latencies)
        p95 = lat[min(len(lat) - 1, int(0.95 * len(lat)))]
        print(f"{args.clients} clients, {args.workers} web workers, {len(batches)} uploads of "
              f"up to {args.batch} files: {stored} returns stored once each, verdicts right, "
              f"none lost, in {seconds:.1f} s = {stored / seconds:.2f} returns/s; upload "
              f"latency (POST to verdicts) median {statistics.median(lat):.1f} s, p95 "
              f"{p95:.1f} s, max {lat[-1]:.1f} s; load average {os.getloadavg()[0]:.1f}")
    finally:
        for process, _ in workers:
            process.terminate()
            process.wait(30)
        dovecot.remove()
        server.stop()


def _batched(sent: list[tuple[str, Path]], size: int) -> list[tuple[str, list[tuple[str, Path]]]]:
    """Consecutive files of one kecamatan, `size` at a time."""
    batches: list[tuple[str, list[tuple[str, Path]]]] = []
    for kode, path in sent:
        if batches and batches[-1][0] == kode and len(batches[-1][1]) < size:
            batches[-1][1].append((kode, path))
        else:
            batches.append((kode, [(kode, path)]))
    return batches


if __name__ == "__main__":
    main()
