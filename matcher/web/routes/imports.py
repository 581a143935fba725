"""Import a round from an Excel workbook (or a zip of CSV files): first a preview that lists
every problem by sheet, row and column, and nothing saved; then "Opslaan" replaces the round
with the service's ``replace_round``.

The previewed round travels in the preview's form (compressed JSON) with the round's version as
it was read, so the round saved is the round previewed, checked again, and an import started
before someone else's change is refused rather than overwriting it."""

from __future__ import annotations

import base64
import binascii
import zlib
from pathlib import Path
from typing import Annotated

from fastapi import APIRouter, Form, Response, UploadFile
from fastapi.responses import RedirectResponse
from pydantic import ValidationError

from matcher.domain.round import Round
from matcher.io.limits import MAX_FILE_BYTES
from matcher.io.problems import InputError, InputProblem
from matcher.service.problems import ServiceError
from matcher.service.records import replace_round, round_etag
from matcher.service.uploads import read_upload
from matcher.web.guard import Reading, Writing
from matcher.web.i18n import N_
from matcher.web.pages import PageRoute

router = APIRouter(
    prefix="/web/locaties/{location}", route_class=PageRoute, include_in_schema=False
)

TOO_LARGE = N_("The file is too large.")
STALE = N_(
    "The data of this location changed after the preview. Nothing was saved: upload the file again."
)


@router.get("/import")
def upload_form(here: Reading) -> Response:
    return here.page.render("import.html", here=here)


@router.post("/import")
async def preview(here: Writing, file: UploadFile) -> Response:
    """The file read as the command line reads it: its problems, or what would be saved."""
    page = here.page
    name = Path(file.filename or "round").name
    content = await file.read(MAX_FILE_BYTES + 1)
    problems: list[InputProblem] = []
    round_ = None
    if len(content) > MAX_FILE_BYTES:
        problems = [InputProblem(name, None, None, page.gettext(TOO_LARGE))]
    else:
        try:
            round_ = read_upload(name, content, page.ctx.clock().date())
        except InputError as error:
            problems = error.problems
    store = here.store()
    return page.render(
        "import_preview.html",
        422 if problems else 200,
        here=here,
        name=name,
        problems=problems,
        round=round_,
        current=store.load(),
        data=_packed(round_) if round_ is not None else "",
        version=round_etag(store.version()),
    )


@router.post("/import/opslaan")
def save(
    here: Writing,
    data: Annotated[str, Form(max_length=4 * MAX_FILE_BYTES)],
    version: Annotated[str, Form(max_length=40)],
) -> Response:
    """Replace the round with the previewed one (refused when the location changed since)."""
    round_ = _unpacked(data)
    if round_ is None:
        raise here.page.refuse(400)
    try:
        replace_round(here.store(), round_, version, here.user.actor, here.page.ctx.clock())
    except ServiceError as error:
        if error.status == 412:
            raise here.page.refuse(409, here.page.gettext(STALE)) from None
        raise
    return RedirectResponse(f"/web/locaties/{here.location_id}/gezinnen", status_code=303)


def _packed(round_: Round) -> str:
    return base64.urlsafe_b64encode(zlib.compress(round_.model_dump_json().encode())).decode()


def _unpacked(data: str) -> Round | None:
    try:
        text = zlib.decompressobj().decompress(base64.urlsafe_b64decode(data), 16 * MAX_FILE_BYTES)
        return Round.model_validate_json(text)
    except (binascii.Error, zlib.error, ValueError, ValidationError):
        return None
