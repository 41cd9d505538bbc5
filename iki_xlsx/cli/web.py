"""`iki-xlsx web`: the operator's web app for the workspace; `--atur-sandi` sets a role's
password."""

from __future__ import annotations

import sys

import click

from iki_xlsx.cli.common import fail_usage, workspace


@click.command()
@click.option("--host", default="127.0.0.1", show_default=True, metavar="ALAMAT",
              help="Alamat yang didengarkan; selain 127.0.0.1 wajib masuk dengan kata sandi.")
@click.option("--port", type=click.IntRange(1, 65535), default=8000, show_default=True,
              help="Port.")
@click.option("--izinkan-host", "extra_hosts", multiple=True, metavar="NAMA",
              help="Nama host atau alamat lain yang dipakai peramban (boleh berulang).")
@click.option("--wajib-masuk", "login", is_flag=True,
              help="Wajib masuk dengan kata sandi juga di komputer ini (komputer bersama).")
@click.option("--atur-sandi", "role", type=click.Choice(["operator", "pemeriksa"]), default=None,
              help="Atur kata sandi peran ini (disimpan sebagai hash scrypt), lalu keluar.")
def web(host: str, port: int, extra_hosts: tuple[str, ...], login: bool,
        role: str | None) -> None:
    """Buka aplikasi web operator untuk ruang kerja ini di peramban."""
    from iki_xlsx.web.security import Passwords
    from iki_xlsx.web.serve import plan_serving, serve
    from iki_xlsx.web.site import Site

    ws = workspace()
    if ws is None:
        fail_usage("ruang kerja tidak ditemukan; jalankan di folder ruang kerja (berisi "
                   "iki.toml) atau dengan iki-xlsx --ruang FOLDER web")
    site = Site(ws.root.resolve())
    if role is not None:
        first = click.prompt(f"Kata sandi baru untuk {role}", hide_input=True)
        if click.prompt("Ulangi kata sandi", hide_input=True) != first:
            fail_usage("kedua kata sandi tidak sama; tidak ada yang diubah")
        try:
            Passwords(site.root).set(role, first)
        except ValueError as exc:
            fail_usage(str(exc))
        click.echo(f"Kata sandi {role} disimpan (hanya hash scrypt) di {site.root}.")
        sys.exit(0)
    plan = plan_serving(site, host, extra_hosts, login)
    if plan.refusal:
        fail_usage(plan.refusal)
    _port_free(host, port)
    shown = f"[{host}]" if ":" in host else host
    click.echo(f"iki-xlsx web melayani {ws.config.kantor} di http://{shown}:{port}/ "
               f"({'wajib masuk' if plan.login_required else 'hanya komputer ini'}); "
               "hentikan dengan Ctrl+C.")
    serve(site, host, port, extra_hosts, plan.login_required)


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
