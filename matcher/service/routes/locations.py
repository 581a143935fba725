"""Locations (tenants), their API keys and their callback."""

from __future__ import annotations

import secrets
from datetime import datetime
from typing import Annotated, Literal

from fastapi import APIRouter, Depends, Path, Request, Response
from pydantic import BaseModel, Field, HttpUrl
from sqlalchemy import func, select, update

from matcher.db.store import DatabaseRoundStore
from matcher.db.tables import FamilyRow, LocationRow, VolunteerRow
from matcher.domain.people import Id
from matcher.io.problems import InputError
from matcher.service.access import Admin, LocationId, Reader, caller, context
from matcher.service.keys import Caller, KeyInfo, Scope, create_key, list_keys, revoke_key
from matcher.service.outbound import refusal
from matcher.service.problems import PROBLEM_RESPONSES, ServiceError, conflict, not_found

router = APIRouter(prefix="/v1", tags=["locations"], responses=PROBLEM_RESPONSES)


NAME = r"^[^\x00-\x1f\x7f]+$"
"""A name: any text without control characters (which no database column or log line wants)."""
KeyId = Annotated[str, Path(pattern=r"^[A-Za-z0-9_-]{1,64}$", description="the key's id")]


class NewLocation(BaseModel):
    id: Id = Field(description="the location's id, chosen by the case system")
    name: str = Field(min_length=1, max_length=200, pattern=NAME)


class Location(BaseModel):
    id: str
    name: str
    version: int = Field(description="raised by every change of the round")
    volunteers: int
    families: int
    callback_url: str | None = None


class NewKey(BaseModel):
    name: str = Field(min_length=1, max_length=200, pattern=NAME, description="what the key is for")
    scope: Literal[Scope.READ, Scope.WRITE, Scope.ADMIN] = Field(
        description="read, write or admin (each includes the ones before); a service key is "
        "made with matcher admin, never over HTTP"
    )


class KeyOut(BaseModel):
    id: str
    name: str
    scope: Scope
    created: datetime
    revoked: datetime | None = None


class CreatedKey(KeyOut):
    key: str = Field(description="the key itself: shown this once, store it safely")


class Callback(BaseModel):
    url: HttpUrl | None = Field(description="where to POST when a job ends (None: no callback)")


class CallbackSet(BaseModel):
    url: str | None
    secret: str | None = Field(
        default=None, description="the HMAC-SHA256 key of the signatures: shown this once"
    )


@router.post("/locations", status_code=201, summary="Create a location (service key)")
def create_location(
    body: NewLocation, request: Request, who: Annotated[Caller, Depends(caller)]
) -> Location:
    if not who.may(Scope.SERVICE):
        raise ServiceError(403, "Forbidden", "only a service key creates locations")
    ctx = context(request)
    try:
        DatabaseRoundStore(ctx.engine, body.id, ctx.clock().date()).create_location(body.name)
    except InputError:
        raise conflict(f"location {body.id!r} exists already") from None
    return _location(request, body.id)


@router.get("/locations/{location}", summary="The location and the size of its round")
def get_location(here: Reader, request: Request) -> Location:
    return _location(request, here.location_id)


@router.post(
    "/locations/{location}/keys",
    status_code=201,
    summary="Create an API key (location admin, or a service key)",
)
def create_location_key(
    location: LocationId,
    body: NewKey,
    request: Request,
    who: Annotated[Caller, Depends(caller)],
) -> CreatedKey:
    if not (who.may(Scope.SERVICE) or (who.location_id == location and who.may(Scope.ADMIN))):
        raise (
            not_found("location")
            if who.location_id != location
            else ServiceError(403, "Forbidden", "this key lacks the admin scope")
        )
    ctx = context(request)
    _location(request, location)  # 404 when it does not exist
    info, token = create_key(ctx.engine, location, body.name, body.scope, ctx.clock())
    return CreatedKey(key=token, **_key_out(info).model_dump())


@router.get("/locations/{location}/keys", summary="The location's keys (never their secrets)")
def get_keys(here: Admin) -> list[KeyOut]:
    return [_key_out(info) for info in list_keys(here.ctx.engine, here.location_id)]


@router.delete(
    "/locations/{location}/keys/{key_id}", status_code=204, summary="Revoke a key at once"
)
def delete_key(here: Admin, key_id: KeyId) -> Response:
    if not revoke_key(here.ctx.engine, here.location_id, key_id, here.ctx.clock()):
        raise not_found("such key")
    return Response(status_code=204)


@router.put("/locations/{location}/callback", summary="Set or clear the callback URL")
def put_callback(here: Admin, body: Callback) -> CallbackSet:
    url = None if body.url is None else str(body.url)
    if url is not None:
        refused = refusal(url, here.ctx.settings.callback_private_networks)
        if refused:
            raise ServiceError(422, "Unprocessable Content", refused)
    secret = None if url is None else secrets.token_urlsafe(32)
    with here.ctx.engine.begin() as connection:
        connection.execute(
            update(LocationRow)
            .where(LocationRow.id == here.location_id)
            .values(callback_url=url, callback_secret=secret)
        )
    return CallbackSet(url=url, secret=secret)


def _location(request: Request, location_id: str) -> Location:
    with context(request).engine.connect() as connection:
        row = connection.execute(select(LocationRow).where(LocationRow.id == location_id)).first()
        if row is None:
            raise not_found("location")
        counts = [
            connection.scalar(
                select(func.count()).select_from(table).where(table.location_id == location_id)
            )
            for table in (VolunteerRow, FamilyRow)
        ]
    return Location(
        id=row.id,
        name=row.name,
        version=row.version,
        volunteers=int(counts[0] or 0),
        families=int(counts[1] or 0),
        callback_url=row.callback_url,
    )


def _key_out(info: KeyInfo) -> KeyOut:
    return KeyOut(
        id=info.id, name=info.name, scope=info.scope, created=info.created, revoked=info.revoked
    )
