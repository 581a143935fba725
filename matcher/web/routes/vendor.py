"""The files the pages load, from this server only (the pages' security policy allows no other
origin): the app's stylesheet, its own scripts under ``js/``, and under ``vendor/<package>/``
the packages copied from the npm registry with their licences (see each package's README or
LICENSE)."""

from __future__ import annotations

from pathlib import Path

from fastapi import APIRouter, Response

STATIC = Path(__file__).resolve().parent.parent / "static"
TYPES = {
    ".js": "text/javascript; charset=utf-8",
    ".css": "text/css; charset=utf-8",
    ".txt": "text/plain; charset=utf-8",
    ".png": "image/png",
    ".geojson": "application/geo+json",
}

router = APIRouter(prefix="/web", include_in_schema=False)


@router.get("/static/{name:path}")
def static(name: str) -> Response:
    """The file ``name`` under ``static/`` (404 for any other, ``..`` included)."""
    path = (STATIC / name).resolve()
    media_type = TYPES.get(path.suffix)
    if media_type is None or not path.is_relative_to(STATIC) or not path.is_file():
        return Response(status_code=404)
    return Response(
        path.read_bytes(),
        media_type=media_type,
        headers={"Cache-Control": "public, max-age=3600", "X-Content-Type-Options": "nosniff"},
    )
