"""Every page of the web app, in one place: the accessibility and screenshot tests visit each
of them. A new page is one line here. A URL may name ``{location}``, ``{family}``,
``{volunteer}``, ``{round}`` and ``{proposal}`` (a family with a proposal of that round);
``roles`` are the accounts that see it (``None``: signed out), each role's version checked
where the page differs by role."""

from __future__ import annotations

from dataclasses import dataclass

from matcher.web.accounts import Role

COORDINATOR = Role.COORDINATOR
MANAGER = Role.REGIONAL_MANAGER
ADMIN = Role.ADMIN


@dataclass(frozen=True)
class WebPage:
    """A page to visit: its name (the screenshot's), its URL template and who sees it."""

    name: str
    url: str
    roles: tuple[Role | None, ...] = (COORDINATOR,)
    status: int = 200


PAGES = (
    WebPage("sign-in", "/web/aanmelden", (None,)),
    WebPage("locations", "/web/", (MANAGER, ADMIN)),
    WebPage("password", "/web/wachtwoord"),
    WebPage("waiting-list", "/web/locaties/{location}/gezinnen", (COORDINATOR, MANAGER)),
    WebPage("family-new", "/web/locaties/{location}/gezinnen/_nieuw"),
    WebPage("family", "/web/locaties/{location}/gezinnen/{family}", (COORDINATOR, MANAGER)),
    WebPage("volunteers", "/web/locaties/{location}/vrijwilligers"),
    WebPage("volunteer-new", "/web/locaties/{location}/vrijwilligers/_nieuw"),
    WebPage("volunteer", "/web/locaties/{location}/vrijwilligers/{volunteer}"),
    WebPage("import", "/web/locaties/{location}/import"),
    WebPage("rounds", "/web/locaties/{location}/rondes", (COORDINATOR, MANAGER)),
    WebPage("round", "/web/locaties/{location}/rondes/{round}", (COORDINATOR, MANAGER)),
    WebPage("choice", "/web/locaties/{location}/rondes/{round}/voorstellen/{proposal}/keuze"),
    WebPage("plan", "/web/locaties/{location}/rondes/{round}/planning", (COORDINATOR, MANAGER)),
    WebPage("letter", "/web/locaties/{location}/rondes/{round}/brieven/{proposal}"),
    WebPage("matches", "/web/locaties/{location}/koppelingen"),
    WebPage("log", "/web/locaties/{location}/logboek", (COORDINATOR, MANAGER)),
    WebPage("accountability", "/web/locaties/{location}/verantwoording", (COORDINATOR, MANAGER)),
    WebPage("what-if", "/web/locaties/{location}/wat-als", (MANAGER,)),
    WebPage("not-found", "/web/locaties/{location}/gezinnen/F-none", status=404),
)
