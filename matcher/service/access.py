"""Who may do what: every route depends on ``Access`` for its scope. A request without a valid
key gets 401; a key without the scope 403; a key of another location 404 for anything in this
one (the same answer as for a record that does not exist, so nothing leaks)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Annotated

from fastapi import Depends, Path, Request
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer
from sqlalchemy import select

from matcher.db.tables import LocationRow
from matcher.service.context import Context
from matcher.service.keys import Caller, Scope
from matcher.service.problems import ServiceError, not_found

_BEARER = HTTPBearer(auto_error=False, description="an API key: mk_<id>_<secret>")

LocationId = Annotated[
    str,
    Path(
        min_length=1,
        max_length=64,
        pattern=r"^[A-Za-z0-9._:-]+$",
        description="the location (tenant)",
    ),
]


def context(request: Request) -> Context:
    found = request.app.state.context
    assert isinstance(found, Context)
    return found


def caller(
    request: Request,
    credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(_BEARER)],
) -> Caller:
    """The caller of an authenticated route (401 without a valid key, 429 over its rate)."""
    if credentials is None:
        raise ServiceError(401, "Unauthorized", "send an API key: Authorization: Bearer mk_…")
    ctx = context(request)
    found = ctx.keys.caller(credentials.credentials)
    if found is None:
        raise ServiceError(401, "Unauthorized", "the API key is not valid (or was revoked)")
    if not ctx.rate.allow(found.key_id):
        raise ServiceError(429, "Too Many Requests", "this key's rate limit is reached")
    request.state.actor = found.actor
    return found


@dataclass(frozen=True)
class Here:
    """An authorised request on one location: the context, the caller and the location."""

    ctx: Context
    caller: Caller
    location_id: str


class Access:
    """The dependency of a location's routes: the key must be this location's, with ``scope``."""

    def __init__(self, scope: Scope) -> None:
        self.scope = scope

    def __call__(
        self,
        request: Request,
        location: LocationId,
        who: Annotated[Caller, Depends(caller)],
    ) -> Here:
        if who.location_id != location:
            raise not_found("location")
        if not who.may(self.scope):
            raise ServiceError(403, "Forbidden", f"this key lacks the {self.scope.value} scope")
        ctx = context(request)
        with ctx.engine.connect() as connection:
            if connection.scalar(select(LocationRow.id).where(LocationRow.id == location)) is None:
                raise not_found("location")
        return Here(ctx, who, location)


Reader = Annotated[Here, Depends(Access(Scope.READ))]
Writer = Annotated[Here, Depends(Access(Scope.WRITE))]
Admin = Annotated[Here, Depends(Access(Scope.ADMIN))]
