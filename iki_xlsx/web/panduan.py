"""Panduan: the operators' guide (docs/panduan.md, in Bahasa Indonesia) as the app's help page,
with its pictures (the screenshots the browser test takes). The text is Markdown without raw
HTML; a picture is served only by a name the guide's folder holds (never a path)."""

from __future__ import annotations

import re
from pathlib import Path

from starlette.requests import Request
from starlette.responses import FileResponse, Response
from starlette.routing import BaseRoute, Route

from iki_xlsx.web.app import page, refusal, render, web_of

DOCS = Path(__file__).resolve().parents[2] / "docs"
GUIDE = DOCS / "panduan.md"
PICTURES = DOCS / "panduan"
PICTURE_NAME = re.compile(r"^[a-z0-9-]+\.png$")


def guide_html(prefix: str) -> str | None:
    """The guide as HTML (raw HTML in it is shown as text), its pictures at this app's paths;
    None when the guide is not installed beside the package."""
    from markdown_it import MarkdownIt

    try:
        text = GUIDE.read_text(encoding="utf-8")
    except OSError:
        return None
    html = MarkdownIt("commonmark", {"html": False}).enable("table").render(text)
    return re.sub(r'src="panduan/([a-z0-9-]+\.png)"',
                  lambda m: f'src="{prefix}/panduan/gambar/{m.group(1)}"', html)


@page()
def guide_page(request: Request) -> Response:
    html = guide_html(web_of(request).prefix)
    if html is None:
        return refusal(request, 404, "Panduan tidak terpasang bersama aplikasi ini; bacalah "
                                     "docs/panduan.md di folder iki-xlsx.")
    return render(request, "panduan.html", {"guide": html})


@page()
def guide_picture(request: Request) -> Response:
    name = str(request.path_params["name"])
    path = PICTURES / name
    if not PICTURE_NAME.match(name) or not path.is_file():
        return refusal(request, 404, "Gambar panduan tidak ditemukan.")
    return FileResponse(path, media_type="image/png")


ROUTES: list[BaseRoute] = [
    Route("/panduan", guide_page, methods=["GET"]),
    Route("/panduan/gambar/{name}", guide_picture, methods=["GET"]),
]
