"""Accountability to a municipality (verantwoording): the figures of one municipality in a
quarter or year as a table with a bar chart (SVG drawn on the server), as a printable page and
as an Excel workbook. Counts of 1 to 4 read "< 5"; the figures come from the service layer the
API uses."""

from __future__ import annotations

import io
from dataclasses import dataclass
from datetime import date
from typing import Annotated

from fastapi import APIRouter, Query, Response
from openpyxl import Workbook
from openpyxl.styles import Font

from matcher.domain.vocab import ClosureReason
from matcher.service.accountability import municipalities_of, report
from matcher.usecases.accountability import Accountability, Count
from matcher.web.guard import Here, Reading
from matcher.web.i18n import N_, long_day
from matcher.web.pages import Page, PageRoute

router = APIRouter(
    prefix="/web/locaties/{location}", route_class=PageRoute, include_in_schema=False
)

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
YEARS_SHOWN = 3
SUPPRESSED = "< 5"
FIGURES = (
    ("families_registered", N_("Families registered")),
    ("families_supported", N_("Families supported")),
    ("families_matched", N_("Families matched")),
    ("families_waiting_at_end", N_("Families waiting at the end of the period")),
    ("families_closed", N_("Families closed")),
    ("volunteers_active", N_("Volunteers active")),
    ("volunteers_new", N_("Volunteers new")),
)
CLOSURE_REASONS = {
    ClosureReason.FAMILY_COPES: N_("the family copes on its own"),
    ClosureReason.AGED_OUT: N_("the children are too old for the programme"),
    ClosureReason.FAMILY_STOPPED: N_("the family stopped"),
    None: N_("no reason recorded"),
}
NO_FAMILIES = N_("None of this location's families has a known postcode yet.")
Municipality = Annotated[str, Query(alias="gemeente", max_length=100)]
PeriodName = Annotated[str, Query(alias="periode", max_length=7)]


@dataclass(frozen=True)
class Row:
    """A line of the table, the chart and the workbook: its label and its (shown) value."""

    label: str
    count: Count

    @property
    def shown(self) -> str:
        return SUPPRESSED if self.count.suppressed else str(self.count.value)


@dataclass(frozen=True)
class Bar:
    """A bar of the chart: where it is drawn and what it says."""

    label: str
    text: str
    y: int
    width: float


@router.get("/verantwoording")
def accountability_page(
    here: Reading, municipality: Municipality = "", period: PeriodName = ""
) -> Response:
    places = municipalities_of(here.store())
    if not places:
        return here.page.render(
            "accountability.html", here=here, figures=None, empty=here.page.gettext(NO_FAMILIES)
        )
    figures = _figures(here, places, municipality, period)
    rows = figure_rows(here.page, figures)
    return here.page.render(
        "accountability.html",
        here=here,
        figures=figures,
        empty=None,
        places=places,
        periods=periods(here.page.ctx.clock().date()),
        rows=rows,
        bars=bars(rows),
        reasons=reason_rows(here.page, figures),
        languages=[Row(x.language, x.families) for x in figures.home_languages],
        wait=wait_texts(here.page, figures),
        first_day=long_day(figures.first_day, here.page.language),
        last_day=long_day(figures.last_day, here.page.language),
    )


@router.get("/verantwoording.xlsx")
def accountability_workbook(
    here: Reading, municipality: Municipality = "", period: PeriodName = ""
) -> Response:
    places = municipalities_of(here.store())
    if not places:
        raise here.page.refuse(404)
    figures = _figures(here, places, municipality, period)
    name = f"verantwoording-{figures.municipality}-{figures.period}.xlsx".replace(" ", "-")
    name = name.encode("ascii", "replace").decode().replace("?", "-").replace('"', "")
    return Response(
        workbook(here.page, figures),
        media_type=XLSX,
        headers={
            "Content-Disposition": f'attachment; filename="{name}"',
            "Cache-Control": "no-store",
        },
    )


def _figures(here: Here, places: list[str], municipality: str, period: str) -> Accountability:
    """The chosen municipality's figures; by default the first municipality and this quarter."""
    return report(
        here.store(),
        municipality or places[0],
        period or current_quarter(here.page.ctx.clock().date()),
    )


def current_quarter(today: date) -> str:
    return f"{today.year}-Q{(today.month - 1) // 3 + 1}"


def periods(today: date) -> list[str]:
    """The periods to choose from, newest first: every quarter begun and every year, for the
    last ``YEARS_SHOWN`` years."""
    found = []
    for year in range(today.year, today.year - YEARS_SHOWN, -1):
        last = (today.month - 1) // 3 + 1 if year == today.year else 4
        found += [f"{year}-Q{quarter}" for quarter in range(last, 0, -1)]
        found.append(str(year))
    return found


def figure_rows(page: Page, figures: Accountability) -> list[Row]:
    return [Row(page.gettext(label), getattr(figures, name)) for name, label in FIGURES]


def reason_rows(page: Page, figures: Accountability) -> list[Row]:
    return [
        Row(page.gettext(CLOSURE_REASONS[x.reason]), x.families) for x in figures.closed_by_reason
    ]


def wait_texts(page: Page, figures: Accountability) -> tuple[str, str]:
    """The median and p90 wait as shown: weeks in the page's number format, "< 5" matches
    suppressed, or a dash when no match began."""
    if figures.wait_suppressed:
        return SUPPRESSED, SUPPRESSED
    if figures.wait_weeks_median is None or figures.wait_weeks_p90 is None:
        return "-", "-"
    return page.number(figures.wait_weeks_median), page.number(figures.wait_weeks_p90)


BAR_HEIGHT = 28
BAR_SPACE = 40
BAR_WIDTH = 280.0


def bars(rows: list[Row]) -> list[Bar]:
    """The chart's bars, scaled to the largest count; a suppressed count has no bar."""
    largest = max((row.count.value or 0 for row in rows), default=0) or 1
    return [
        Bar(row.label, row.shown, index * BAR_SPACE, BAR_WIDTH * (row.count.value or 0) / largest)
        for index, row in enumerate(rows)
    ]


def workbook(page: Page, figures: Accountability) -> bytes:
    """The figures as an Excel workbook with headers in the page's language, built whole in
    memory before a byte is sent (a download is never half a workbook)."""
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.title = page.gettext("Accountability")[:31]
    bold = Font(bold=True)
    sheet.append([page.gettext("Municipality"), figures.municipality])
    sheet.append([page.gettext("Period"), figures.period])
    sheet.append([page.gettext("From"), figures.first_day, page.gettext("to"), figures.last_day])
    sheet.append([])
    sheet.append([page.gettext("Figure"), page.gettext("Count")])
    for cell in sheet[sheet.max_row]:
        cell.font = bold

    def put(row: Row) -> None:
        sheet.append([row.label, SUPPRESSED if row.count.suppressed else row.count.value])

    for row in figure_rows(page, figures):
        put(row)
    median, p90 = wait_texts(page, figures)
    sheet.append(
        [page.gettext("Median wait to a match (weeks)"), figures.wait_weeks_median or median]
    )
    sheet.append([page.gettext("90% waited at most (weeks)"), figures.wait_weeks_p90 or p90])
    sheet.append([])
    sheet.append([page.gettext("Closed, by reason"), page.gettext("Families")])
    for cell in sheet[sheet.max_row]:
        cell.font = bold
    for row in reason_rows(page, figures):
        put(row)
    sheet.append([])
    sheet.append([page.gettext("Home language"), page.gettext("Families supported")])
    for cell in sheet[sheet.max_row]:
        cell.font = bold
    for language in figures.home_languages:
        put(Row(language.language, language.families))
    sheet.append([])
    sheet.append([page.gettext("Counts of 1 to 4 are shown as < 5.")])
    for column, width in (("A", 48), ("B", 14), ("C", 6), ("D", 14)):
        sheet.column_dimensions[column].width = width
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()
