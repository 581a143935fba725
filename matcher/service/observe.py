"""What the service tells its operators: a request id on every response, one structured JSON log
line per request (method, route, status, time; never a body, a query or personal data), and
Prometheus metrics. Also the request body limit, enforced before a body is read."""

from __future__ import annotations

import json
import logging
import secrets
import time
from typing import Any

from prometheus_client import CollectorRegistry, Counter, Gauge, Histogram
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from matcher.service.problems import MEDIA_TYPE

logger = logging.getLogger("matcher.service")


class Metrics:
    """The service's Prometheus metrics, in a registry of their own (one per application)."""

    def __init__(self) -> None:
        self.registry = CollectorRegistry()
        self.requests = Counter(
            "matcher_http_requests",
            "HTTP requests by route and status",
            ["method", "route", "status"],
            registry=self.registry,
        )
        self.latency = Histogram(
            "matcher_http_request_seconds",
            "HTTP request latency by route",
            ["method", "route"],
            registry=self.registry,
            buckets=(0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10),
        )
        self.jobs = Gauge(
            "matcher_jobs",
            "jobs in the database by kind and status (read when scraped)",
            ["kind", "status"],
            registry=self.registry,
        )
        self.solve_seconds = Gauge(
            "matcher_round_seconds",
            "seconds a worker took for the last 100 finished rounds, by quantile",
            ["quantile"],
            registry=self.registry,
        )


class JsonFormatter(logging.Formatter):
    """Log records as one JSON object per line."""

    def format(self, record: logging.LogRecord) -> str:
        line: dict[str, Any] = {
            "time": self.formatTime(record),
            "level": record.levelname.lower(),
            "logger": record.name,
            "message": record.getMessage(),
        }
        line.update(getattr(record, "fields", {}))
        return json.dumps(line, ensure_ascii=False)


def use_json_logs(level: int = logging.INFO) -> None:
    """Log as JSON lines on stderr (the service's and worker's processes)."""
    handler = logging.StreamHandler()
    handler.setFormatter(JsonFormatter())
    root = logging.getLogger()
    root.handlers = [handler]
    root.setLevel(level)
    logging.getLogger("alembic").setLevel(logging.WARNING)


class Observed:
    """ASGI middleware: request id, body limit, a log line and metrics per request."""

    def __init__(self, app: ASGIApp, metrics: Metrics, max_body_bytes: int) -> None:
        self.app = app
        self.metrics = metrics
        self.max_body_bytes = max_body_bytes

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        request_id = _request_id(scope)
        started = time.perf_counter()
        status = 500
        declared = _content_length(scope)
        if declared is not None and declared > self.max_body_bytes:
            status = 413
            await _too_large(send, request_id, self.max_body_bytes)
            self._record(scope, status, started, request_id)
            return
        received = 0

        async def limited_receive() -> Message:
            nonlocal received
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > self.max_body_bytes:
                    raise _BodyTooLarge
            return message

        async def send_with_id(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
                headers = list(message.get("headers", []))
                headers.append((b"x-request-id", request_id.encode()))
                message = {**message, "headers": headers}
            await send(message)

        try:
            await self.app(scope, limited_receive, send_with_id)
        except _BodyTooLarge:
            status = 413
            await _too_large(send, request_id, self.max_body_bytes)
        finally:
            self._record(scope, status, started, request_id)

    def _record(self, scope: Scope, status: int, started: float, request_id: str) -> None:
        elapsed = time.perf_counter() - started
        route = _route(scope)
        self.metrics.requests.labels(scope["method"], route, str(status)).inc()
        self.metrics.latency.labels(scope["method"], route).observe(elapsed)
        logger.info(
            "request",
            extra={
                "fields": {
                    "request_id": request_id,
                    "method": scope["method"],
                    "route": route,
                    "status": status,
                    "ms": round(elapsed * 1000, 1),
                    "actor": scope.get("state", {}).get("actor"),
                }
            },
        )


class _BodyTooLarge(Exception):
    pass


def _request_id(scope: Scope) -> str:
    for name, value in scope.get("headers", []):
        if name == b"x-request-id":
            text = str(value.decode("latin-1"))
            if 0 < len(text) <= 64 and text.replace("-", "").isalnum():
                return text
    return secrets.token_hex(8)


def _content_length(scope: Scope) -> int | None:
    for name, value in scope.get("headers", []):
        if name == b"content-length":
            try:
                return int(value)
            except ValueError:
                return None
    return None


def _route(scope: Scope) -> str:
    """The route's template (``/v1/locations/{location}/…``), never the ids in the path."""
    route = scope.get("route")
    path = getattr(route, "path", None)
    return path if isinstance(path, str) else "unmatched"


async def _too_large(send: Send, request_id: str, limit: int) -> None:
    body = json.dumps(
        {
            "type": "about:blank",
            "title": "Content Too Large",
            "status": 413,
            "detail": f"the request body is larger than {limit} bytes",
        }
    ).encode()
    await send(
        {
            "type": "http.response.start",
            "status": 413,
            "headers": [
                (b"content-type", MEDIA_TYPE.encode()),
                (b"content-length", str(len(body)).encode()),
                (b"x-request-id", request_id.encode()),
            ],
        }
    )
    await send({"type": "http.response.body", "body": body})
