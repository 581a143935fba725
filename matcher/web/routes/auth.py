"""Signing in and out, choosing one's own password, choosing the language, the start page and
the stylesheet.

The sign-in form has no session yet: its form token is a random value in a short-lived cookie
and in the form (double submit), so another site cannot sign a browser in to its own account."""

from __future__ import annotations

import hmac
import secrets
from typing import Annotated

from fastapi import APIRouter, Form, Request, Response
from fastapi.responses import RedirectResponse
from sqlalchemy import select

from matcher.db.tables import LocationRow
from matcher.web.accounts import MIN_PASSWORD, PasswordChange, authenticate, change_password
from matcher.web.guard import CSRF_FIELD, PostedWithSession, SignedIn, WithSession
from matcher.web.i18n import LANGUAGES, N_
from matcher.web.pages import LANGUAGE_COOKIE, Page, PageRoute, page_of
from matcher.web.sessions import COOKIE, LIFETIME, close_session, open_session

router = APIRouter(prefix="/web", route_class=PageRoute, include_in_schema=False)

SIGN_IN_COOKIE = "matcher_sign_in"


def _secure(request: Request) -> bool:
    return request.url.scheme == "https"


@router.get("/aanmelden")
def sign_in_form(request: Request) -> Response:
    page = page_of(request)
    if page.session is not None:
        return RedirectResponse("/web/", status_code=303)
    token = secrets.token_urlsafe(32)
    response = page.render("sign_in.html", sign_in_token=token, error=None, email="")
    _set_sign_in_cookie(request, response, token)
    return response


@router.post("/aanmelden")
def sign_in(
    request: Request,
    email: Annotated[str, Form(max_length=200)] = "",
    password: Annotated[str, Form(max_length=1000)] = "",
    csrf: Annotated[str, Form(alias=CSRF_FIELD, max_length=100)] = "",
) -> Response:
    page = page_of(request)
    expected = request.cookies.get(SIGN_IN_COOKIE, "")
    if not expected or not hmac.compare_digest(csrf, expected):
        raise page.refuse(403, page.gettext("The form has expired. Open the page again."))
    user = authenticate(page.ctx.engine, email, password, page.ctx.clock())
    if user is None:
        token = secrets.token_urlsafe(32)
        refused = page.render(
            "sign_in.html",
            401,
            sign_in_token=token,
            email=email,
            error=page.gettext(
                "Signing in did not succeed. Check your e-mail address and password. "
                "After 5 failed attempts, signing in is blocked for 15 minutes."
            ),
        )
        _set_sign_in_cookie(request, refused, token)
        return refused
    token = open_session(page.ctx.engine, user, page.ctx.clock())
    response: Response = RedirectResponse("/web/", status_code=303)
    response.set_cookie(
        COOKIE,
        token,
        max_age=int(LIFETIME.total_seconds()),
        path="/web",
        httponly=True,
        samesite="lax",
        secure=_secure(request),
    )
    response.delete_cookie(SIGN_IN_COOKIE, path="/web")
    return response


PASSWORD_FIELDS = (
    ("current", N_("Current password"), "current-password"),
    ("new", N_("New password"), "new-password"),
    ("repeated", N_("New password again"), "new-password"),
)


@router.get("/wachtwoord")
def password_form(page: WithSession) -> Response:
    """Choose a new password: at the first sign-in of an account an admin made (nothing else
    opens until then), or at any time."""
    return _password_page(page, {})


@router.post("/wachtwoord")
def password_change(
    page: PostedWithSession,
    current: Annotated[str, Form(max_length=1000)] = "",
    new: Annotated[str, Form(max_length=1000)] = "",
    repeated: Annotated[str, Form(max_length=1000)] = "",
) -> Response:
    assert page.session is not None
    problems = change_password(
        page.ctx.engine,
        page.session.user.id,
        PasswordChange(current, new, repeated),
        page.session.token_hash,
    )
    if problems:
        errors = {
            field: page.gettext(message) % {"count": MIN_PASSWORD}
            for field, message in problems.items()
        }
        return _password_page(page, errors, 422)
    return RedirectResponse("/web/", status_code=303)


def _password_page(page: Page, errors: dict[str, str], status: int = 200) -> Response:
    assert page.session is not None
    title = (
        N_("Choose a new password")
        if page.session.user.must_change_password
        else N_("Change password")
    )
    return page.render(
        "password.html",
        status,
        title=page.gettext(title),
        fields=PASSWORD_FIELDS,
        errors=errors,
        min_length=MIN_PASSWORD,
    )


@router.post("/afmelden")
def sign_out(page: PostedWithSession) -> Response:
    assert page.session is not None
    close_session(page.ctx.engine, page.session)
    response = RedirectResponse("/web/aanmelden", status_code=303)
    response.delete_cookie(COOKIE, path="/web", httponly=True, samesite="lax")
    return response


@router.get("/")
def home(page: SignedIn) -> Response:
    """The person's locations; straight to the waiting list when there is only one."""
    assert page.session is not None
    user = page.session.user
    with page.ctx.engine.connect() as connection:
        rows = connection.execute(select(LocationRow.id, LocationRow.name).order_by(LocationRow.id))
        locations = [row for row in rows if user.may_read(row.id)]
    if len(locations) == 1:
        return RedirectResponse(f"/web/locaties/{locations[0].id}/gezinnen", status_code=303)
    return page.render("home.html", locations=locations)


@router.get("/taal/{language}")
def choose_language(request: Request, language: str) -> Response:
    """Remember the chosen language and go back to the page it was chosen on."""
    back = request.headers.get("referer", "")
    origin = f"{request.url.scheme}://{request.url.netloc}/web/"
    target = back if back.startswith(origin) else "/web/"
    response = RedirectResponse(target, status_code=303)
    if language in LANGUAGES:
        response.set_cookie(
            LANGUAGE_COOKIE,
            language,
            max_age=365 * 24 * 3600,
            path="/web",
            samesite="lax",
            secure=_secure(request),
        )
    return response


def _set_sign_in_cookie(request: Request, response: Response, token: str) -> None:
    response.set_cookie(
        SIGN_IN_COOKIE,
        token,
        max_age=3600,
        path="/web",
        httponly=True,
        samesite="lax",
        secure=_secure(request),
    )
