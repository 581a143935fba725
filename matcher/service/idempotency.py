"""``Idempotency-Key`` on POSTs that change state: the first response to a key is kept, and the
same request again with that key gets it back instead of being done twice (a retry after a lost
connection is safe). The key used again for a different request is refused."""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from datetime import datetime

from fastapi import Response
from pydantic import BaseModel
from sqlalchemy import Engine, insert, select
from sqlalchemy.exc import IntegrityError

from matcher.db.service_tables import IdempotentRequestRow
from matcher.service.problems import ServiceError


def replayed(
    engine: Engine,
    location_id: str,
    key: str | None,
    request: str,
    now: datetime,
    run: Callable[[], BaseModel],
) -> BaseModel | Response:
    """``run()``'s response, kept under ``key`` (when given) for ``request`` (what was asked:
    method, path and body); a repeat gets the kept response."""
    if key is None:
        return run()
    digest = hashlib.sha256(request.encode()).hexdigest()
    with engine.connect() as connection:
        kept = connection.execute(
            select(IdempotentRequestRow).where(
                IdempotentRequestRow.location_id == location_id, IdempotentRequestRow.key == key
            )
        ).first()
    if kept is not None:
        if kept.request_hash != digest:
            raise ServiceError(
                422,
                "Unprocessable Content",
                "this Idempotency-Key was used for a different request; use a new key",
            )
        return Response(
            kept.body,
            status_code=kept.status_code,
            media_type=kept.media_type,
            headers={"Idempotent-Replayed": "true"},
        )
    response = run()
    try:
        with engine.begin() as connection:
            connection.execute(
                insert(IdempotentRequestRow).values(
                    location_id=location_id,
                    key=key,
                    request_hash=digest,
                    status_code=200,
                    body=response.model_dump_json().encode(),
                    media_type="application/json",
                    created=now,
                )
            )
    except IntegrityError:
        pass  # the same key at the same moment: the first one kept wins
    return response
