"""Errors as RFC 9457 problem documents (``application/problem+json``): a status, a title, a
detail and, for bad input, each problem with the field it concerns, as the command line names it."""

from __future__ import annotations

from http import HTTPStatus
from typing import Any

from fastapi import Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from pydantic import BaseModel, Field
from starlette.exceptions import HTTPException as StarletteHTTPException

from matcher.io.problems import InputError, describe_error, json_path
from matcher.lifecycle.decisions import DecisionError
from matcher.usecases.store import StoreBusy

MEDIA_TYPE = "application/problem+json"


class FieldProblem(BaseModel):
    """One problem of a request: where (record and field) and what."""

    where: str | None = Field(default=None, description="the record, e.g. volunteers id 'V1'")
    row: int | None = None
    field: str | None = Field(default=None, description="the field, e.g. body.capacity")
    message: str


class Problem(BaseModel):
    """An RFC 9457 problem document."""

    type: str = "about:blank"
    title: str
    status: int
    detail: str | None = None
    errors: list[FieldProblem] = Field(default_factory=list)


class ServiceError(Exception):
    """A request refused with ``status``; ``detail`` says why in a sentence."""

    def __init__(self, status: int, title: str, detail: str | None = None) -> None:
        super().__init__(detail or title)
        self.status = status
        self.title = title
        self.detail = detail


def not_found(what: str) -> ServiceError:
    """404: no such record in the caller's location (also for another location's records)."""
    return ServiceError(404, "Not Found", f"no {what} here")


def conflict(detail: str) -> ServiceError:
    return ServiceError(409, "Conflict", detail)


def response(problem: Problem, headers: dict[str, str] | None = None) -> JSONResponse:
    return JSONResponse(
        problem.model_dump(exclude_none=True),
        status_code=problem.status,
        media_type=MEDIA_TYPE,
        headers=headers,
    )


async def on_service_error(_request: Request, error: Exception) -> JSONResponse:
    assert isinstance(error, ServiceError)
    headers = {"WWW-Authenticate": "Bearer"} if error.status == 401 else None
    if error.status == 429:
        headers = {"Retry-After": "1"}
    return response(Problem(title=error.title, status=error.status, detail=error.detail), headers)


async def on_input_error(_request: Request, error: Exception) -> JSONResponse:
    assert isinstance(error, InputError)
    errors = [
        FieldProblem(where=p.file, row=p.row, field=p.field, message=p.message)
        for p in error.problems
    ]
    return response(
        Problem(
            title="Unprocessable Content",
            status=422,
            detail=f"{len(errors)} problem(s) in the input; nothing was saved",
            errors=errors,
        )
    )


async def on_validation_error(_request: Request, error: Exception) -> JSONResponse:
    assert isinstance(error, RequestValidationError)
    errors = [
        FieldProblem(field=json_path(tuple(e.get("loc", ()))), message=describe_error(e))
        for e in error.errors()
    ]
    return response(
        Problem(
            title="Unprocessable Content",
            status=422,
            detail=f"{len(errors)} problem(s) in the request; nothing was saved",
            errors=errors,
        )
    )


async def on_decision_error(_request: Request, error: Exception) -> JSONResponse:
    return response(Problem(title="Conflict", status=409, detail=str(error)))


async def on_busy(_request: Request, error: Exception) -> JSONResponse:
    return response(
        Problem(title="Service Unavailable", status=503, detail=str(error)), {"Retry-After": "2"}
    )


async def on_http_error(_request: Request, error: Exception) -> JSONResponse:
    assert isinstance(error, StarletteHTTPException)
    detail = error.detail if isinstance(error.detail, str) else None
    try:
        title = HTTPStatus(error.status_code).phrase
    except ValueError:
        title = "Error"
    return response(
        Problem(title=title, status=error.status_code, detail=detail),
        dict(error.headers) if error.headers else None,
    )


HANDLERS: dict[Any, Any] = {
    ServiceError: on_service_error,
    InputError: on_input_error,
    RequestValidationError: on_validation_error,
    DecisionError: on_decision_error,
    StoreBusy: on_busy,
    StarletteHTTPException: on_http_error,
}
"""Exception class → handler, for ``FastAPI(exception_handlers=...)``."""

PROBLEM_RESPONSES: dict[int | str, dict[str, Any]] = {
    status: {"model": Problem, "content": {MEDIA_TYPE: {}}, "description": text}
    for status, text in {
        400: "The body could not be read (e.g. not UTF-8, or a broken form)",
        401: "No valid API key",
        403: "The key lacks the scope",
        404: "No such record in this location",
        409: "The change no longer holds",
        422: "Bad input, each problem with its field",
        429: "Too many requests for this key",
    }.items()
}
"""The problem responses every authenticated route may give, for the OpenAPI document."""
