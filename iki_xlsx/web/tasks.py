"""The progress of a background job, polled by the pages' script."""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import BaseRoute, Route

from iki_xlsx.web.app import page, web_of


@page()
def job_progress(request: Request) -> Response:
    job = web_of(request).jobs.get(str(request.path_params["ident"]))
    if job is None:
        return JSONResponse({"galat": "tugas tidak dikenal"}, 404)
    return JSONResponse(job.to_dict())


ROUTES: list[BaseRoute] = [Route("/tugas/{ident}", job_progress)]
