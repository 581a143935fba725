"""Scripts and vendored packages the pages load from this server only (the pages' security
policy allows no other origin): ``/web/static/js/<name>`` are the app's own scripts,
``/web/static/vendor/<package>/<file>`` the packages copied from the npm registry with their
licences (see each package's README or LICENSE)."""

from __future__ import annotations

from pathlib import Path

from fastapi import APIRouter, Response

STATIC = Path(__file__).resolve().parent.parent / "static"
TYPES = {
    ".js": "text/javascript; charset=utf-8",
    ".css": "text/css; charset=utf-8",
    ".png": "image/png",
    ".geojson": "application/geo+json",
}

router = APIRouter(prefix="/web/static", include_in_schema=False)


@router.get("/js/{name}")
def script(name: str) -> Response:
    """One of the app's own scripts."""
    return _file(STATIC / "js", name)


@router.get("/vendor/{package}/{name:path}")
def vendored(package: str, name: str) -> Response:
    """A file of a vendored package (its images folder included)."""
    return _file(STATIC / "vendor", f"{package}/{name}")


def _file(folder: Path, name: str) -> Response:
    """The file ``name`` inside ``folder`` (404 for anything else, ``..`` included)."""
    path = (folder / name).resolve()
    media_type = TYPES.get(path.suffix)
    if media_type is None or not path.is_relative_to(folder) or not path.is_file():
        return Response(status_code=404)
    return Response(
        path.read_bytes(),
        media_type=media_type,
        headers={"Cache-Control": "public, max-age=3600", "X-Content-Type-Options": "nosniff"},
    )
