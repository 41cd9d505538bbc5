"""Starting the web app: which hosts it answers to, and whether it asks for a login."""

from __future__ import annotations

from dataclasses import dataclass

from iki_xlsx.service.site import Site as Served
from iki_xlsx.service.workspace import is_kabupaten
from iki_xlsx.web.app import create_app
from iki_xlsx.web.security import is_loopback, parse_host, session_secret
from iki_xlsx.web.site import Site


@dataclass(frozen=True)
class ServePlan:
    """How the server will run, or why it must not (`refusal`, in Bahasa Indonesia)."""

    login_required: bool
    refusal: str | None = None


def plan_serving(site: Site, host: str, extra_hosts: tuple[str, ...],
                 login: bool = False) -> ServePlan:
    """Loopback serves a single office's operator alone (unless `login`); any other address,
    and a kabupaten always, requires signing in with an account, so an account that can work
    must exist."""
    unparsed = [name for name in extra_hosts if parse_host(name) is None]
    if unparsed:
        return ServePlan(True, f"--izinkan-host {unparsed[0]} bukan nama host atau alamat "
                               "(contoh: iki.kecamatan.go.id, 192.168.1.10 atau "
                               "192.168.1.10:8000)")
    if is_loopback(host) and not login and not is_kabupaten(site.root):
        return ServePlan(login_required=False)
    if host in ("0.0.0.0", "::") and not extra_hosts:
        return ServePlan(True, f"--host {host} menerima semua alamat; sebutkan nama atau alamat "
                               "yang dipakai peramban dengan --izinkan-host (misalnya "
                               "--izinkan-host 192.168.1.10)")
    served = Served.at(site.root)
    if not served.accounts().can_work_alone():
        reason = f"--host {host} membuka aplikasi ke jaringan" if not is_loopback(host) \
            else "--wajib-masuk memerlukan akun"
        first = "admin" if served.kabupaten_kind else "operator"
        return ServePlan(True, f"{reason}; buat dulu akun yang dapat bekerja: iki-xlsx akun "
                               f"tambah NAMA_MASUK --nama NAMA --peran {first}")
    return ServePlan(login_required=True)


def serve(site: Site, host: str, port: int, extra_hosts: tuple[str, ...],
          login_required: bool) -> None:
    import uvicorn

    app = create_app(site, login_required=login_required, host=host, extra_hosts=extra_hosts,
                     secret=session_secret(site.root))
    # on loopback the only client that can connect is this machine's reverse proxy (several
    # workers behind it, deploy/): the client address it forwards is the one login limits count
    uvicorn.run(app, host=host, port=port, log_level="warning", server_header=False,
                proxy_headers=is_loopback(host), forwarded_allow_ips="127.0.0.1,::1",
                access_log=False)
