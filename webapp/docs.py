"""The API's docs page (``/api/v1/docs``) with Swagger UI served by this server, so it works offline.

FastAPI's default docs page loads Swagger UI's script and style from a CDN and its icon from FastAPI's
site: on a machine without the internet (this assistant's normal place) the page stays blank. The files
come from the pinned PyPI package ``swagger-ui-bundle-v2`` (Swagger UI 5, which reads the OpenAPI 3.1
schema FastAPI writes; the older ``swagger-ui-bundle`` ships Swagger UI 4, which cannot) and are served
here through FastAPI's documented custom-docs route, ``get_swagger_ui_html``.
"""
from __future__ import annotations

from pathlib import Path

from fastapi import FastAPI, Request
from fastapi.openapi.docs import get_swagger_ui_html
from fastapi.responses import FileResponse, HTMLResponse
from starlette.exceptions import HTTPException

ASSETS = "/docs/assets"  # under the API's own prefix, beside the page
# The three files the page loads, and nothing else of the package (its demo index.html points elsewhere).
FILES = {"swagger-ui-bundle.js": "text/javascript; charset=utf-8", "swagger-ui.css": "text/css; charset=utf-8",
         "favicon-32x32.png": "image/png"}
CACHE = "public, max-age=86400"  # the files change only with the pinned package
# validatorUrl None: Swagger UI would otherwise fetch a "valid" badge from swagger.io for the schema.
SWAGGER_PARAMETERS = {"validatorUrl": None}


def swagger_ui_folder() -> Path:
    from swagger_ui_bundle import swagger_ui_path

    return Path(str(swagger_ui_path))


def install_docs(api: FastAPI, docs_url: str = "/docs") -> None:
    """Add the docs page and its assets to ``api`` (created with ``docs_url=None``); the page links only
    to this server (the API's ``root_path``, i.e. its mount prefix, in front of every URL)."""
    folder = swagger_ui_folder()

    @api.get(docs_url, include_in_schema=False)
    def docs(request: Request) -> HTMLResponse:
        root = request.scope.get("root_path", "").rstrip("/")
        return get_swagger_ui_html(openapi_url=f"{root}{api.openapi_url}", title=f"{api.title} · docs",
                                   swagger_js_url=f"{root}{ASSETS}/swagger-ui-bundle.js",
                                   swagger_css_url=f"{root}{ASSETS}/swagger-ui.css",
                                   swagger_favicon_url=f"{root}{ASSETS}/favicon-32x32.png",
                                   oauth2_redirect_url=None, swagger_ui_parameters=SWAGGER_PARAMETERS)

    @api.get(ASSETS + "/{name}", include_in_schema=False)
    def asset(name: str) -> FileResponse:
        if name not in FILES:
            raise HTTPException(404, f"没有文件「{name[:40]}」。")
        return FileResponse(folder / name, media_type=FILES[name], headers={"Cache-Control": CACHE})
