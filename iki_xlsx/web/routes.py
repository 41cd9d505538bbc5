"""Every route of the web app, grouped by resource (one module each).

A single office's app serves `OFFICE` at the root; a kabupaten's serves its home (the offices
the person may open) at the root and `OFFICE` under `/kantor/{kantor}/` for each office
kantor.csv lists. `SHARED` (signing in and out, the accounts, the API) is both's.
"""

from __future__ import annotations

from starlette.routing import BaseRoute, Mount

from iki_xlsx.web import (
    accounts,
    blueprints,
    dokumen,
    files,
    kabupaten,
    recap,
    returns,
    session,
    status,
    tasks,
    workbooks,
)
from iki_xlsx.web.app import OFFICE_PREFIX

SHARED: list[BaseRoute] = [*session.ROUTES, *accounts.ROUTES]
OFFICE: list[BaseRoute] = [*status.ROUTES, *files.ROUTES, *tasks.ROUTES, *returns.ROUTES,
                           *workbooks.ROUTES, *recap.ROUTES, *blueprints.ROUTES,
                           *dokumen.ROUTES]
KABUPATEN: list[BaseRoute] = [*kabupaten.ROUTES,
                              Mount(OFFICE_PREFIX + "/{kantor}", routes=OFFICE)]
ROUTES = [*SHARED, *OFFICE]  # a single office's
