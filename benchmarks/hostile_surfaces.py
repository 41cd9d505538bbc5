"""The hostile corpus beyond returned workbooks (tests/hostile.py, issue 29), each case decided
by the real command in a fresh process: its verdict, wall and CPU time and peak memory, by
class (not a test: the tests assert the verdicts, this measures what each costs).

Classes: the office's own files (blueprints, iki.toml, unit.csv: `blueprint periksa`, `status`),
intake (links out of the drop folder, a 95 MB e-mail, an mbox with a 300 MB message, a junk
drop: `terima`), the e-mail loop (machines' messages, thirty copies: `terima --imap --balas`
against dovecot and aiosmtpd on loopback), the web app (a hostile blueprint and an upload with
a refused name, a forged Host header: one request in a fresh process) and the store (a damaged
database: `status`, `rekap`). A row for scale starts each class.

    .venv/bin/python -m benchmarks.hostile_surfaces      (also run by benchmarks.bench_hostile)
"""

from __future__ import annotations

import os
import shutil
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from benchmarks.bench_generate import machine
from tests.hostile import (
    BUNDLED,
    build_drop_folder,
    build_junk_drop,
    build_mail_cases,
    build_office_cases,
    good_workbooks,
    measured,
)
from tests.mailservers import Dovecot, Kotak, SmtpServer

ROOT = Path(__file__).resolve().parent.parent
FOLDER = ROOT / "output" / "hostile"
COMMAND = [sys.executable, "-m", "iki_xlsx"]
BOUND_SECONDS = 10.0  # CPU of a case alone, start-up included (goal: under 2 s of work)
BOUND_MB = 400.0  # the largest process (goal: 300 MB)


@dataclass(frozen=True)
class Row:
    klass: str
    case: str
    size: str
    verdict: str
    wall: float
    cpu: float
    peak: float

    @property
    def over(self) -> bool:
        return self.cpu > BOUND_SECONDS or self.peak > BOUND_MB

    def line(self) -> str:
        mark = " OVER" if self.over else ""
        return (f"| {self.klass} | {self.case} | {self.size} | {self.verdict}{mark} | "
                f"{self.wall:.2f} | {self.cpu:.2f} | {self.peak:.0f} |")


def size(path: Path) -> str:
    total = path.stat().st_size if path.is_file() else sum(
        p.stat().st_size for p in path.rglob("*") if p.is_file() and not p.is_symlink())
    if total >= 1_048_576:
        return f"{total / 1_048_576:.1f} MB"
    return f"{total // 1024} KB" if total >= 1024 else f"{total} B"


def run(klass: str, case: str, where: Path, command: list[str],
        verdict: Callable[[str, str, int], str], env: dict[str, str] | None = None) -> Row:
    done = measured(command, env=env)
    said = verdict(done.done.stdout, done.done.stderr, done.done.returncode)
    if "Traceback" in done.done.stderr:
        said += " TRACEBACK"
    return Row(klass, case, size(where), said, done.seconds, done.cpu_seconds, done.peak_mb)


def first_line(stdout: str, stderr: str, code: int) -> str:
    lines = (stderr or stdout).splitlines()
    shown = lines[0] if lines else "-"
    return f"exit {code}: {shown[:90]}{'...' if len(shown) > 90 else ''}"


def last_line(stdout: str, stderr: str, code: int) -> str:
    lines = stdout.splitlines()
    return f"exit {code}: {lines[-1][:90] if lines else (stderr.splitlines() or ['-'])[0][:90]}"


def office_rows(folder: Path) -> Iterator[Row]:
    from iki_xlsx.blueprint.load import load_blueprint
    from iki_xlsx.service.workspace import WorkspaceError, load_workspace

    def code_of(case_path: Path, kind: str) -> str:
        if kind == "blueprint":
            return str(load_blueprint(case_path).findings[0].code)
        try:
            load_workspace(case_path)
        except WorkspaceError as exc:
            return str(exc.findings[0].code)
        return "-"

    yield run("office", "a valid blueprint (for scale)", BUNDLED / "iki-kecamatan-kota.yaml",
              [*COMMAND, "blueprint", "periksa", str(BUNDLED / "iki-kecamatan-kota.yaml")],
              lambda _o, _e, code: f"exit {code}")
    for case in build_office_cases(folder / "kantor"):
        command = ([*COMMAND, "blueprint", "periksa", str(case.path)] if case.kind == "blueprint"
                   else [*COMMAND, "--ruang", str(case.path), "status"])
        code = code_of(case.path, case.kind)
        yield run("office", f"{case.name}: {case.what}", case.path, command,
                  lambda _o, _e, exit_code, c=code: f"exit {exit_code} ({c})")


def intake_rows(folder: Path, good: list[Path]) -> Iterator[Row]:
    from iki_xlsx.service.workspace import init_workspace
    from iki_xlsx.web.security import Passwords

    def fresh(name: str) -> Path:
        store = folder / "simpan" / name
        shutil.rmtree(store, ignore_errors=True)
        return store

    yield run("intake", "one good return (for scale)", good[0],
              [*COMMAND, "terima", str(good[0]), "--store", str(fresh("baik"))], last_line)
    root = folder / "ruang"
    if not (root / "iki.toml").exists():
        init_workspace(root)
        Passwords(root).set("operator", "sandi-rahasia-1")
    drop = build_drop_folder(root, good[0], folder / "masuk")
    yield run("intake", "links out of the drop folder (iki.toml, web-sandi.json, /etc/passwd), "
              "a linked folder, a pipe", drop,
              [*COMMAND, "terima", str(drop), "--store", str(fresh("tautan"))], last_line)
    mail = build_mail_cases(good, folder / "surel")
    yield run("intake", "a 95 MB .eml: a good return and 70 MB of photographs",
              mail["eml-95mb"],
              [*COMMAND, "terima", str(mail["eml-95mb"]), "--store", str(fresh("eml"))],
              last_line)
    yield run("intake", "an .mbox whose first message is 300 MB, then a good return",
              mail["mbox-300mb"],
              [*COMMAND, "terima", str(mail["mbox-300mb"]), "--store", str(fresh("mbox"))],
              last_line)
    junk = build_junk_drop(folder / "sampah")
    store = fresh("sampah")
    yield run("intake", "a junk drop of 2,000 files named like returns", junk,
              [*COMMAND, "terima", str(junk), "--store", str(store)], last_line)
    yield run("intake", "status --riwayat after the junk drop", store / "iki.sqlite",
              [*COMMAND, "status", "--riwayat", "--store", str(store)],
              lambda out, _e, code: f"exit {code}, {len(out.splitlines())} lines")


@contextmanager
def mail_servers() -> Iterator[tuple[Dovecot, SmtpServer, Kotak]]:
    dovecot = Dovecot().start()
    handler = Kotak()
    try:
        with SmtpServer(handler) as smtp:
            yield dovecot, smtp, handler
    finally:
        dovecot.remove()


def mail_rows(folder: Path, good: list[Path]) -> Iterator[Row]:
    from tests.mailservers import PASSWORD
    from tests.test_hostile_mail import DSN, address, message, near_copy, units_csv

    units = units_csv(folder)
    env = {**os.environ, "IKI_IMAP_PASSWORD": PASSWORD}
    with mail_servers() as (dovecot, smtp, handler):
        def take(user: str, store: Path) -> list[str]:
            shutil.rmtree(store, ignore_errors=True)
            return [*COMMAND, "terima", "--imap", f"127.0.0.1:{dovecot.port}", "--user", user,
                    "--cafile", str(dovecot.cert), "--store", str(store), "--units", str(units),
                    "--balas", "--smtp", f"127.0.0.1:{smtp.port}", "--from",
                    "iki@kecamatan.example.id"]

        def answered(before: int) -> Callable[[str, str, int], str]:
            return lambda out, _e, code: (f"exit {code}, "
                                          f"{len(handler.messages) - before} answers sent")

        deliver = dovecot.deliver
        user = f"mesin-{os.getpid()}"
        for number, headers in enumerate(({"Auto-Submitted": "auto-replied"},
                                          {"Precedence": "auto_reply"},
                                          {"Return-Path": "<>"}, {"List-Id": "<x>"}), start=1):
            deliver(user, message(address(f"{number:02d}"), number, [], headers))
        last = deliver(user, DSN)
        before = len(handler.messages)
        yield run("mail", "five machines' messages (auto-replies, a bounce, a list, a DSN)",
                  last.parent, take(user, folder / "simpan-mesin"), answered(before), env)
        user = f"salinan-{os.getpid()}"
        copies = folder / "salinan"
        copies.mkdir(exist_ok=True)
        made = [near_copy(good[0], copies / f"salinan-{i:02d}.xlsx", i) for i in range(30)]
        last = deliver(user, message("orang.lain@surel.example.com", 1,
                                     [(p.name, p.read_bytes()) for p in made]))
        before = len(handler.messages)
        yield run("mail", "thirty copies of one unit's workbook in one message", last,
                  take(user, folder / "simpan-salinan"), answered(before), env)


WEB_SCRIPT = """
import sys
from pathlib import Path
from starlette.testclient import TestClient
from iki_xlsx.web import create_app
from iki_xlsx.web.site import Site
from tests.webspace import csrf_in, make_workspace

case, folder, file = sys.argv[1], Path(sys.argv[2]), sys.argv[3]
root = make_workspace(folder, with_blueprint=False)
with TestClient(create_app(Site(root)), base_url="http://127.0.0.1:8000") as client:
    if case == "host":
        print(client.get("/status", headers={"host": file}).status_code)
    else:
        csrf = csrf_in(client.get("/blueprint" if case == "blueprint" else "/terima").text)
        name = Path(file).name if case == "blueprint" else "../../../iki.toml"
        sent = client.post("/blueprint" if case == "blueprint" else "/terima",
                           data={"csrf": csrf}, files=[("berkas", (name, Path(file).read_bytes(),
                                                                   "application/octet-stream"))],
                           follow_redirects=False)
        if case != "blueprint":
            job = client.app.state.web.jobs.wait(sent.headers["location"].rsplit("/", 1)[1], 300)
            print(sent.status_code, job.state)
        else:
            print(sent.status_code)
"""


def web_rows(folder: Path, good: list[Path]) -> Iterator[Row]:
    cases = {c.name: c for c in build_office_cases(folder / "kantor")}

    def request(case: str, file: str, name: str) -> list[str]:
        target = folder / "web" / name
        shutil.rmtree(target, ignore_errors=True)
        return [sys.executable, "-c", WEB_SCRIPT, case, str(target), file]

    def answer(out: str, _e: str, code: int) -> str:
        return f"HTTP {out.strip() or '?'}" if code == 0 else f"exit {code}"

    yield run("web", "a good return uploaded on Terima (for scale)", good[0],
              request("terima", str(good[0]), "baik"), answer)
    for name in ("yaml-laughs-12", "yaml-alias-in-itself", "yaml-nested-100000",
                 "rumus-5000-terms"):
        yield run("web", f"blueprint upload: {cases[name].what}", cases[name].path,
                  request("blueprint", str(cases[name].path), name), answer)
    toml = folder / "iki.toml.unggah"
    toml.write_text('kantor = "Palsu"\n', encoding="utf-8")
    yield run("web", "an upload named ../../../iki.toml (kept and recorded, refused)", toml,
              request("terima", str(toml), "nama"), answer)
    yield run("web", "Host: 127.0.0.1:8000@evil.example", toml,
              request("host", "127.0.0.1:8000@evil.example", "host"), answer)


def store_rows(folder: Path, good: list[Path]) -> Iterator[Row]:
    store = folder / "simpan-rusak"
    shutil.rmtree(store, ignore_errors=True)
    measured([*COMMAND, "terima", *map(str, good), "--store", str(store)])
    yield run("store", "status of an intact store (for scale)", store / "iki.sqlite",
              [*COMMAND, "status", "--store", str(store)], first_line)
    database = store / "iki.sqlite"
    pages = database.stat().st_size // 4096
    with database.open("r+b") as handle:
        handle.seek(4096 * (pages // 2 - 1))
        handle.write(b"\xff" * 4096 * 3)
    for args in (["status"], ["rekap", "-o", str(folder / "rekap.xlsx")]):
        yield run("store", f"{args[0]} of a store with three pages overwritten", database,
                  [*COMMAND, *args, "--store", str(store)], first_line)


def rows(folder: Path = FOLDER) -> Iterator[Row]:
    good = good_workbooks(folder / "baik", 3)
    yield from office_rows(folder)
    yield from intake_rows(folder, good)
    yield from mail_rows(folder, good)
    yield from web_rows(folder, good)
    yield from store_rows(folder, good)


def table(folder: Path = FOLDER) -> bool:
    """Print the table; whether every row is within the bounds."""
    print("| class | case | size | verdict | wall s | CPU s | peak MB |")
    print("|---|---|---|---|---|---|---|")
    within = True
    for row in rows(folder):
        print(row.line(), flush=True)
        within = within and not row.over
    return within


def main() -> None:
    print(f"machine: {machine()}")
    sys.exit(0 if table() else 1)


if __name__ == "__main__":
    main()
