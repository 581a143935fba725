"""The interactive API documentation: Swagger UI at ``/docs``, its script, style sheet and icon
served by the service itself from the vendored copy in ``matcher/service/static/swagger-ui``
(see its README), so the page works where nothing but the service can be reached. Like
``/openapi.json``, these need no API key: they describe the API and hold no data."""

from __future__ import annotations

from pathlib import Path

from fastapi import APIRouter, Request
from fastapi.openapi.docs import get_swagger_ui_html
from fastapi.responses import FileResponse, HTMLResponse

from matcher.service.problems import not_found

router = APIRouter(include_in_schema=False)

SWAGGER_UI = Path(__file__).resolve().parent.parent / "static" / "swagger-ui"
ASSETS = {
    "swagger-ui-bundle.js": "text/javascript; charset=utf-8",
    "swagger-ui.css": "text/css; charset=utf-8",
    "favicon-32x32.png": "image/png",
}
"""The files of the page, each with its media type (not guessed: some systems map .js wrongly)."""

POLICY = "; ".join(
    (
        "default-src 'none'",
        "script-src 'self' 'unsafe-inline'",
        "style-src 'self' 'unsafe-inline'",
        "img-src 'self' data:",
        "connect-src 'self'",
        "base-uri 'none'",
        "form-action 'none'",
        "frame-ancestors 'none'",
    )
)
"""The page's Content-Security-Policy: the browser loads nothing from anywhere but the service
(the inline parts are the few lines that start Swagger UI, and its styles)."""


@router.get("/docs", response_class=HTMLResponse)
def docs(request: Request) -> HTMLResponse:
    """Swagger UI over this service's OpenAPI document."""
    root = str(request.scope.get("root_path", "")).rstrip("/")
    page = get_swagger_ui_html(
        openapi_url=f"{root}{request.app.openapi_url}",
        title=f"{request.app.title} API",
        swagger_js_url=f"{root}/docs/assets/swagger-ui-bundle.js",
        swagger_css_url=f"{root}/docs/assets/swagger-ui.css",
        swagger_favicon_url=f"{root}/docs/assets/favicon-32x32.png",
        oauth2_redirect_url=None,
        swagger_ui_parameters={"validatorUrl": None},
    )
    page.headers["Content-Security-Policy"] = POLICY
    return page


@router.get("/docs/assets/{name}")
def docs_asset(name: str) -> FileResponse:
    """One file of the page (404 for anything but those named in ``ASSETS``)."""
    media_type = ASSETS.get(name)
    if media_type is None:
        raise not_found("such file")
    return FileResponse(
        SWAGGER_UI / name,
        media_type=media_type,
        headers={"Cache-Control": "public, max-age=86400", "X-Content-Type-Options": "nosniff"},
    )
