"""Every route of the web app, grouped by resource (one module each)."""

from __future__ import annotations

from starlette.routing import BaseRoute

from iki_xlsx.web import (
    blueprints,
    dokumen,
    files,
    recap,
    returns,
    session,
    status,
    tasks,
    workbooks,
)

ROUTES: list[BaseRoute] = [*session.ROUTES, *status.ROUTES, *files.ROUTES, *tasks.ROUTES,
                           *returns.ROUTES, *workbooks.ROUTES, *recap.ROUTES,
                           *blueprints.ROUTES, *dokumen.ROUTES]
