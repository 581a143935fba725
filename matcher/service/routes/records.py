"""Data in and out: a location's volunteers, families, coordinators, active matches, declined
pairs and exclusions by the case system's own ids, and the whole round as one document.

(No ``from __future__ import annotations`` here: the routes are made per kind, and FastAPI reads
each route's body model from its annotations.)"""

from enum import Enum
from pathlib import Path
from typing import Annotated, Any

from fastapi import APIRouter, Header, Response, UploadFile
from fastapi import Path as PathParam
from pydantic import BaseModel

from matcher.domain.people import Id
from matcher.domain.round import Round
from matcher.io.limits import MAX_FILE_BYTES
from matcher.io.problems import InputError, InputProblem
from matcher.service.access import Reader, Writer
from matcher.service.problems import PROBLEM_RESPONSES, ServiceError
from matcher.service.records import (
    KINDS,
    Kind,
    delete_record,
    etag,
    get_record,
    listed,
    put_record,
    replace_round,
    round_etag,
)
from matcher.service.uploads import read_upload

router = APIRouter(prefix="/v1/locations/{location}", responses=PROBLEM_RESPONSES)

IfMatch = Annotated[
    str | None, Header(description="the ETag read; required to replace an existing record")
]
PairId = Annotated[Id, PathParam(description="an id in the case system")]
"""A family's or a volunteer's id naming a pair: checked as the records' ids are (422)."""
STALE = PROBLEM_RESPONSES[409] | {"description": "If-Match is stale: read it again"}
REQUIRED = PROBLEM_RESPONSES[409] | {"description": "If-Match is required to replace"}


def _single(kind: Kind) -> None:
    """GET, PUT and DELETE of one record named by one id."""
    model: Any = kind.model
    path = f"/{kind.segment}/{{record_id}}"
    tags: list[str | Enum] = [kind.segment]

    @router.get(path, summary=f"One of {kind.segment}", tags=tags, name=f"get_{kind.field}")
    def get(here: Reader, record_id: str, response: Response) -> model:
        item = get_record(here.ctx.store(here.location_id), kind, (record_id,))
        response.headers["ETag"] = etag(item)
        return item

    @router.put(
        path,
        summary=f"Create or replace one of {kind.segment} (idempotent)",
        tags=tags,
        name=f"put_{kind.field}",
        responses={201: {"model": model, "description": "Created"}, 412: STALE, 428: REQUIRED},
    )
    def put(
        here: Writer,
        record_id: str,
        body: model,
        response: Response,
        if_match: IfMatch = None,
    ) -> model:
        _same_id(kind, (record_id,), body)
        item, created = put_record(
            here.ctx.store(here.location_id),
            kind,
            body,
            if_match,
            here.caller.actor,
            here.ctx.clock(),
        )
        response.status_code = 201 if created else 200
        response.headers["ETag"] = etag(item)
        return item

    @router.delete(
        path,
        status_code=204,
        summary=f"Delete one of {kind.segment}",
        tags=tags,
        name=f"delete_{kind.field}",
        responses={412: STALE},
    )
    def delete(here: Writer, record_id: str, if_match: IfMatch = None) -> Response:
        delete_record(
            here.ctx.store(here.location_id),
            kind,
            (record_id,),
            if_match,
            here.caller.actor,
            here.ctx.clock(),
        )
        return Response(status_code=204)


def _pair(kind: Kind) -> None:
    """PUT and DELETE of a pair named by family and volunteer (no body: the pair is its ids)."""
    model: Any = kind.model
    path = f"/{kind.segment}/{{family_id}}/{{volunteer_id}}"
    tags: list[str | Enum] = [kind.segment]

    @router.put(
        path,
        summary=f"Add a pair to {kind.segment} (idempotent)",
        tags=tags,
        name=f"put_{kind.field}",
        responses={201: {"model": model, "description": "Created"}},
    )
    def put(here: Writer, family_id: PairId, volunteer_id: PairId, response: Response) -> model:
        body = kind.model.model_validate({"family_id": family_id, "volunteer_id": volunteer_id})
        item, created = put_record(
            here.ctx.store(here.location_id), kind, body, "*", here.caller.actor, here.ctx.clock()
        )
        response.status_code = 201 if created else 200
        return item

    @router.delete(
        path,
        status_code=204,
        summary=f"Remove a pair from {kind.segment}",
        tags=tags,
        name=f"delete_{kind.field}",
    )
    def delete(here: Writer, family_id: PairId, volunteer_id: PairId) -> Response:
        delete_record(
            here.ctx.store(here.location_id),
            kind,
            (family_id, volunteer_id),
            None,
            here.caller.actor,
            here.ctx.clock(),
        )
        return Response(status_code=204)


def _listing(kind: Kind) -> None:
    model: Any = kind.model

    @router.get(
        f"/{kind.segment}",
        summary=f"All {kind.segment}",
        tags=[kind.segment],
        name=f"list_{kind.field}",
    )
    def get_all(here: Reader) -> list[model]:
        return list(listed(here.ctx.store(here.location_id).load(), kind))


for _kind in KINDS.values():
    _listing(_kind)
    if _kind.model.model_fields.keys() >= {"family_id", "volunteer_id"} and "slot" not in (
        _kind.model.model_fields
    ):
        _pair(_kind)
    else:
        _single(_kind)


def _same_id(kind: Kind, key: tuple[str, ...], body: BaseModel) -> None:
    if kind.key(body) != key:
        field = "family_id" if kind.field == "active_matches" else "id"
        raise InputError(
            [InputProblem("request body", None, field, f"must be {key[0]!r}, as in the path")]
        )


@router.get("/round", summary="The whole round as one document (matcher schema)", tags=["round"])
def export_round(here: Reader, response: Response) -> Round:
    store = here.ctx.store(here.location_id)
    round_ = store.load()
    response.headers["ETag"] = round_etag(store.version())
    return round_


class Imported(BaseModel):
    version: int
    volunteers: int
    families: int


@router.put(
    "/round",
    summary="Replace the whole round (bulk import as JSON)",
    tags=["round"],
    responses={412: STALE},
)
def import_round_json(
    here: Writer, body: Round, response: Response, if_match: IfMatch = None
) -> Imported:
    return _imported(here, body, if_match, response)


@router.post(
    "/round/import",
    summary="Replace the whole round from a file: .xlsx, .json, or a .zip of CSV files",
    tags=["round"],
    responses={
        412: STALE,
        413: PROBLEM_RESPONSES[409] | {"description": "The file is too large"},
    },
)
def import_round_file(
    here: Writer, file: UploadFile, response: Response, if_match: IfMatch = None
) -> Imported:
    name = Path(file.filename or "round").name
    content = file.file.read(MAX_FILE_BYTES + 1)
    if len(content) > MAX_FILE_BYTES:
        raise ServiceError(
            413, "Content Too Large", f"{name} is larger than {MAX_FILE_BYTES} bytes"
        )
    round_ = read_upload(name, content, here.ctx.clock().date())
    return _imported(here, round_, if_match, response)


def _imported(here: Any, round_: Round, if_match: str | None, response: Response) -> Imported:
    version = replace_round(
        here.ctx.store(here.location_id), round_, if_match, here.caller.actor, here.ctx.clock()
    )
    response.headers["ETag"] = round_etag(version)
    return Imported(
        version=version, volunteers=len(round_.volunteers), families=len(round_.families)
    )
