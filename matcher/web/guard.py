"""Who may see which page: every page of a location needs a session whose account may read that
location (else the same "not found" page as for a location that does not exist, so nothing
leaks); every form it posts needs the session's form token and an account that may write. An
account that must choose a new password reaches only the page where it does so (and signing
out) until it has."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Annotated

from fastapi import Depends, Path, Request
from fastapi.responses import RedirectResponse
from sqlalchemy import select

from matcher.db.store import DatabaseRoundStore
from matcher.db.tables import LocationRow
from matcher.web.accounts import User
from matcher.web.pages import Page, Stop, page_of, sign_in_first
from matcher.web.sessions import Session

CSRF_FIELD = "csrf"
NEW_PASSWORD_PAGE = "/web/wachtwoord"

LocationId = Annotated[str, Path(min_length=1, max_length=64, pattern=r"^[A-Za-z0-9._:-]+$")]


@dataclass(frozen=True)
class Here:
    """A page of one location, for a person who may read it."""

    page: Page
    session: Session
    location_id: str

    @property
    def user(self) -> User:
        return self.session.user

    @property
    def may_write(self) -> bool:
        return self.user.may_write(self.location_id)

    def store(self) -> DatabaseRoundStore:
        return self.page.ctx.store(self.location_id)


def with_session(request: Request) -> Page:
    """The page of a signed-in person, whether or not their password must change first (else a
    redirect to the sign-in page)."""
    page = page_of(request)
    if page.session is None:
        raise sign_in_first(request)
    return page


def signed_in(page: Annotated[Page, Depends(with_session)]) -> Page:
    """The page of a signed-in person whose password is their own (else a redirect to the page
    where they choose one)."""
    assert page.session is not None
    if page.session.user.must_change_password:
        raise Stop(RedirectResponse(NEW_PASSWORD_PAGE, status_code=303))
    return page


def reading(page: Annotated[Page, Depends(signed_in)], location: LocationId) -> Here:
    """A location's page: 404 unless the person may read the location and it exists."""
    assert page.session is not None
    if not page.session.user.may_read(location):
        raise page.refuse(404)
    with page.ctx.engine.connect() as connection:
        if connection.scalar(select(LocationRow.id).where(LocationRow.id == location)) is None:
            raise page.refuse(404)
    return Here(page, page.session, location)


async def posted(request: Request, page: Annotated[Page, Depends(signed_in)]) -> Page:
    """A form posted by a signed-in person, with the session's form token (else 403)."""
    return await _form_token_checked(request, page)


async def posted_with_session(
    request: Request, page: Annotated[Page, Depends(with_session)]
) -> Page:
    """A form posted by a signed-in person whose password may still have to change (signing
    out, choosing the password), with the session's form token (else 403)."""
    return await _form_token_checked(request, page)


async def _form_token_checked(request: Request, page: Page) -> Page:
    assert page.session is not None
    form = await request.form()
    sent = form.get(CSRF_FIELD)
    if not page.session.csrf_ok(sent if isinstance(sent, str) else None):
        raise page.refuse(403, page.gettext("The form has expired. Open the page again."))
    return page


def writing(here: Annotated[Here, Depends(reading)], _: Annotated[Page, Depends(posted)]) -> Here:
    """A change to a location: its form token checked, by a person who may write there."""
    if not here.may_write:
        raise here.page.refuse(403, here.page.gettext("You may only read this location."))
    return here


Reading = Annotated[Here, Depends(reading)]
Writing = Annotated[Here, Depends(writing)]
Posted = Annotated[Page, Depends(posted)]
SignedIn = Annotated[Page, Depends(signed_in)]
WithSession = Annotated[Page, Depends(with_session)]
PostedWithSession = Annotated[Page, Depends(posted_with_session)]
