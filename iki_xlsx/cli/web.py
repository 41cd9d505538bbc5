"""`iki-xlsx web`: the web app for the workspace (a single office, or every office of a
kabupaten); `--atur-sandi ROLE` sets the password of a single office's account of that name
(made with that role when missing), as the first release set a role's password."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import TYPE_CHECKING, NoReturn

import click

from iki_xlsx.cli.common import fail_usage, print_findings, site

if TYPE_CHECKING:
    from iki_xlsx.core.findings import Finding
    from iki_xlsx.service.site import Site as Served


@click.command()
@click.option("--host", default="127.0.0.1", show_default=True, metavar="ALAMAT",
              help="Alamat yang didengarkan; selain 127.0.0.1 wajib masuk dengan akun.")
@click.option("--port", type=click.IntRange(1, 65535), default=8000, show_default=True,
              help="Port.")
@click.option("--izinkan-host", "extra_hosts", multiple=True, metavar="NAMA",
              help="Nama host atau alamat lain yang dipakai peramban (boleh berulang).")
@click.option("--wajib-masuk", "login", is_flag=True,
              help="Wajib masuk dengan kata sandi juga di komputer ini (komputer bersama).")
@click.option("--atur-sandi", "role", type=click.Choice(["operator", "pemeriksa"]), default=None,
              help="Atur kata sandi akun bernama peran ini (dibuat bila belum ada; disimpan "
                   "sebagai hash scrypt), lalu keluar. Akun lain: iki-xlsx akun.")
def web(host: str, port: int, extra_hosts: tuple[str, ...], login: bool,
        role: str | None) -> None:
    """Buka aplikasi web operator untuk ruang kerja ini di peramban."""
    from iki_xlsx.web.security import is_loopback
    from iki_xlsx.web.serve import plan_serving, serve
    from iki_xlsx.web.site import Site

    empty = _empty_folder()
    if empty is not None:  # no workspace yet: the office is set up in the browser, here only
        if role is not None or not is_loopback(host) or login:
            fail_usage(f"belum ada ruang kerja di {empty}; jalankan dulu iki-xlsx web di "
                       "komputer ini dan siapkan kantor di peramban")
        _port_free(host, port)
        shown = f"[{host}]" if ":" in host else host
        click.echo(f"iki-xlsx web: belum ada ruang kerja di {empty}; buka "
                   f"http://{shown}:{port}/ di peramban untuk menyiapkan kantor (hanya "
                   "komputer ini); hentikan dengan Ctrl+C.")
        serve(Site(empty), host, port, extra_hosts, False)
        return
    broken = _fixable_here(host, login, role)
    if broken is not None:  # settings or units list with errors: fixed in Pengaturan
        _port_free(host, port)
        shown = f"[{host}]" if ":" in host else host
        print_findings(broken[1])
        click.echo(f"iki-xlsx web melayani {broken[0]} di http://{shown}:{port}/ (hanya "
                   "komputer ini): perbaiki kesalahan di atas di halaman Pengaturan; hentikan "
                   "dengan Ctrl+C.")
        serve(Site(broken[0]), host, port, extra_hosts, False)
        return
    served = site()
    here = Site(served.root)
    if role is not None:
        _set_role_password(served, role)
    plan = plan_serving(here, host, extra_hosts, login)
    if plan.refusal:
        fail_usage(plan.refusal)
    _port_free(host, port)
    shown = f"[{host}]" if ":" in host else host
    click.echo(f"iki-xlsx web melayani {served.title()} di http://{shown}:{port}/ "
               f"({'wajib masuk' if plan.login_required else 'hanya komputer ini'}); "
               "hentikan dengan Ctrl+C.")
    serve(here, host, port, extra_hosts, plan.login_required)


def _empty_folder() -> Path | None:
    """The folder to set up in the browser: the one `--ruang` names when it holds no
    iki.toml, else the current folder when no workspace holds it; None when a workspace is
    there to serve."""
    from iki_xlsx.service.workspace import CONFIG_NAME, find_root

    explicit = click.get_current_context().find_root().params.get("ruang")
    if explicit:
        folder = Path(explicit)
        if not folder.is_dir():
            fail_usage(f"folder ruang kerja {folder} tidak ada; buat foldernya lebih dulu")
        return None if (folder / CONFIG_NAME).exists() else folder.resolve()
    return None if find_root(Path.cwd()) is not None else Path.cwd().resolve()


def _fixable_here(host: str, login: bool, role: str | None
                  ) -> tuple[Path, list[Finding]] | None:
    """The workspace to serve although its iki.toml or unit.csv has errors, and those errors:
    on this computer only, for the operator to fix in Pengaturan; None when it has none, or
    when it must be refused as before (another user can change it, a kabupaten's, a network
    address, a login asked, a password to set)."""
    from iki_xlsx.service.site import Site as Served
    from iki_xlsx.service.workspace import WorkspaceError, find_root
    from iki_xlsx.web.app import fixable_in_browser, kabupaten_like
    from iki_xlsx.web.security import is_loopback

    explicit = click.get_current_context().find_root().params.get("ruang")
    root = Path(explicit) if explicit else find_root(Path.cwd())
    if root is None or role is not None or login or not is_loopback(host):
        return None
    try:
        Served.at(root)
    except WorkspaceError as exc:
        if fixable_in_browser(exc.findings) and not kabupaten_like(root):
            return root.resolve(), exc.findings
    return None


def _set_role_password(served: Served, role: str) -> NoReturn:
    """The password of the account named `role` (made with that role when missing)."""
    from iki_xlsx.accounts.book import AccountError
    from iki_xlsx.accounts.roles import Grant, Role

    if served.kabupaten_kind:
        fail_usage("--atur-sandi hanya untuk ruang kerja satu kantor; di kabupaten pakai "
                   "iki-xlsx akun tambah|ubah")
    first = click.prompt(f"Kata sandi baru untuk {role}", hide_input=True)
    if click.prompt("Ulangi kata sandi", hide_input=True) != first:
        fail_usage("kedua kata sandi tidak sama; tidak ada yang diubah")
    book = served.accounts()
    try:
        if book.find(role) is None:
            book.add(role, role.capitalize(), first, [Grant(Role(role))])
        else:
            book.change(role, password=first)
    except AccountError as exc:
        fail_usage(str(exc))
    click.echo(f"Kata sandi akun {role} disimpan (hanya hash scrypt) di penyimpanan ruang "
               "kerja; sesinya yang terbuka berakhir.")
    sys.exit(0)


def _port_free(host: str, port: int) -> None:
    """Refuse (exit 2, one line) a port another program holds or an address not this
    computer's, before the server starts (it would say so in English and exit 3)."""
    import socket

    from iki_xlsx.core.findings import os_reason

    try:
        family = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)[0][0]
        with socket.socket(family, socket.SOCK_STREAM) as probe:
            probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)  # as the server does
            probe.bind((host, port))
    except OSError as exc:
        fail_usage(f"aplikasi web tidak dapat mendengarkan di {host} port {port} "
                   f"({os_reason(exc)}); pilih port lain dengan --port")
