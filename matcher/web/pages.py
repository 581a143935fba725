"""Rendering a page: the Jinja2 templates (autoescaped), the page's language and its texts, the
signed-in person and their form token. ``PageRoute`` turns a refusal raised anywhere in a page's
handling into a page of its own (never a JSON problem document)."""

from __future__ import annotations

from collections.abc import Callable, Coroutine
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

from fastapi import Request, Response
from fastapi.exceptions import RequestValidationError
from fastapi.responses import HTMLResponse, RedirectResponse
from fastapi.routing import APIRoute
from jinja2 import Environment, FileSystemLoader, select_autoescape

from matcher.domain.slots import PARTS
from matcher.lifecycle.decisions import DecisionError
from matcher.service.context import Context
from matcher.service.problems import ServiceError
from matcher.usecases.store import StoreBusy
from matcher.web import i18n
from matcher.web.i18n import N_, Language
from matcher.web.sessions import COOKIE, Session, find_session

LANGUAGE_COOKIE = "matcher_language"
TEMPLATES = Environment(
    loader=FileSystemLoader(Path(__file__).parent / "templates"),
    autoescape=select_autoescape(default=True, default_for_string=True),
    extensions=["jinja2.ext.i18n"],
    trim_blocks=True,
    lstrip_blocks=True,
)
DAY_NAMES = {
    "mon": N_("Monday"),
    "tue": N_("Tuesday"),
    "wed": N_("Wednesday"),
    "thu": N_("Thursday"),
    "fri": N_("Friday"),
    "sat": N_("Saturday"),
    "sun": N_("Sunday"),
}
PART_NAMES = dict(zip(PARTS, (N_("morning"), N_("afternoon"), N_("evening")), strict=True))
ERROR_TITLES = {
    400: N_("The request could not be read."),
    403: N_("You may not do this."),
    404: N_("This page does not exist, or it is not yours to see."),
    409: N_("This can no longer be done."),
    412: N_("Someone else changed this in the meantime."),
    422: N_("The input is not valid."),
    503: N_("The system is busy. Try again in a moment."),
}


class Stop(Exception):
    """End a page's handling with ``response`` (a redirect, or a page that refuses)."""

    def __init__(self, response: Response) -> None:
        super().__init__(response.status_code)
        self.response = response


@dataclass(frozen=True)
class Page:
    """One request of the web app: the service's context, the language, and who is signed in."""

    request: Request
    ctx: Context
    language: Language
    session: Session | None

    def gettext(self, message: str) -> str:
        """``message`` in the page's language."""
        return i18n.translations(self.language).gettext(message)

    def slot(self, slot: str) -> str:
        """A weekly half-day as people say it: "dinsdagochtend", "Tuesday morning"."""
        day, _, part = slot.partition("-")
        return self.gettext("%(day)s %(part)s") % {
            "day": self.gettext(DAY_NAMES[day]),
            "part": self.gettext(PART_NAMES[part]),
        }

    def number(self, value: float, digits: int = 1) -> str:
        return i18n.number(value, self.language, digits)

    def day(self, value: date) -> str:
        return i18n.day(value, self.language)

    def render(self, template: str, status: int = 200, **values: Any) -> HTMLResponse:
        """The page ``template`` with ``values``, the texts in the page's language."""
        translations = i18n.translations(self.language)
        html = TEMPLATES.get_template(template).render(
            _=translations.gettext,
            gettext=translations.gettext,
            ngettext=translations.ngettext,
            page=self,
            user=self.session.user if self.session else None,
            csrf=self.session.csrf_token if self.session else "",
            **values,
        )
        response = HTMLResponse(html, status_code=status)
        response.headers["Cache-Control"] = "no-store"
        response.headers["Content-Language"] = self.language
        response.headers["X-Frame-Options"] = "DENY"
        response.headers["Content-Security-Policy"] = (
            "default-src 'self'; style-src 'self'; img-src 'self'; form-action 'self'; "
            "frame-ancestors 'none'"
        )
        return response

    def refuse(self, status: int, detail: str | None = None) -> Stop:
        """A page that says why the request was refused."""
        title = self.gettext(ERROR_TITLES.get(status, ERROR_TITLES[400]))
        return Stop(self.render("error.html", status, title=title, detail=detail))


def page_of(request: Request) -> Page:
    """The request as a page: its language and (when signed in) its session."""
    ctx = request.app.state.context
    assert isinstance(ctx, Context)
    session = find_session(ctx.engine, request.cookies.get(COOKIE), ctx.clock())
    language = i18n.negotiate(
        request.cookies.get(LANGUAGE_COOKIE), request.headers.get("accept-language")
    )
    return Page(request, ctx, language, session)


def sign_in_first(request: Request) -> Stop:
    """Send a browser that is not signed in to the sign-in page."""
    return Stop(RedirectResponse("/web/aanmelden", status_code=303))


class PageRoute(APIRoute):
    """A route of the web app: a ``Stop`` becomes its response, and a refusal of the service
    layer a page in the user's language."""

    def get_route_handler(self) -> Callable[[Request], Coroutine[Any, Any, Response]]:
        handle = super().get_route_handler()

        async def handler(request: Request) -> Response:
            try:
                return await handle(request)
            except Stop as stop:
                return stop.response
            except ServiceError as error:
                return page_of(request).refuse(error.status).response
            except DecisionError as error:
                return page_of(request).refuse(409, str(error)).response
            except StoreBusy:
                return page_of(request).refuse(503).response
            except RequestValidationError:
                return page_of(request).refuse(400).response

        return handler
