"""The add/edit forms of families and volunteers: which fields a coordinator fills in, how a
record reads in its form, and how a posted form becomes a record, each problem next to its field
in the page's language.

A form shows the fields coordinators keep; the record's other fields are kept as they were."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from pydantic import BaseModel, ValidationError

from matcher.domain.people import Family, Volunteer
from matcher.io.problems import InputProblem
from matcher.web.i18n import N_

Translate = Callable[[str], str]


@dataclass(frozen=True)
class Field:
    """One input of a form: the record's field, its label, and how it is entered."""

    name: str
    label: str
    kind: str = "text"  # text, number, date, bool, select, list
    options: tuple[tuple[str, str], ...] = ()
    help: str = ""


@dataclass(frozen=True)
class Form:
    """The form of one kind of record."""

    segment: str
    model: type[BaseModel]
    fields: tuple[Field, ...]


ID_HELP = N_("The pseudonymous number from the case system (no name or e-mail address).")
LIST_HELP = N_("Separated by spaces.")
SLOTS_HELP = N_("Half-days, e.g. di-ochtend wo-middag do-avond.")

VOLUNTEER_FORM = Form(
    "vrijwilligers",
    Volunteer,
    (
        Field("id", N_("Number"), help=ID_HELP),
        Field("postcode", N_("Postcode")),
        Field("languages", N_("Languages"), "list", help=N_("Language codes, e.g. nl en ar.")),
        Field("slots", N_("Available half-days"), "list", help=SLOTS_HELP),
        Field("capacity", N_("Families at once"), "number"),
        Field("max_travel_km", N_("Maximum travel distance (km)"), "number"),
        Field(
            "travel_mode",
            N_("Travels by"),
            "select",
            (
                ("bike", N_("bike")),
                ("walk", N_("foot")),
                ("public_transport", N_("public transport")),
                ("car", N_("car")),
            ),
        ),
        Field("training_complete", N_("Training completed"), "bool"),
        Field("vog_complete", N_("Certificate of conduct (VOG) received"), "bool"),
        Field(
            "status",
            N_("Status"),
            "select",
            (("active", N_("active")), ("paused", N_("paused")), ("stopped", N_("stopped"))),
        ),
        Field("paused_until", N_("Paused until"), "date"),
    ),
)

FAMILY_FORM = Form(
    "gezinnen",
    Family,
    (
        Field("id", N_("Number"), help=ID_HELP),
        Field("postcode", N_("Postcode")),
        Field("registered", N_("Registered on"), "date"),
        Field(
            "children",
            N_("Children"),
            "list",
            help=N_("Birth dates (2024-05-01) or ages in years, separated by spaces."),
        ),
        Field("due_date", N_("Due date"), "date"),
        Field("speaks_dutch", N_("Speaks Dutch"), "bool"),
        Field("languages", N_("Home languages"), "list", help=N_("Language codes, e.g. ar tr.")),
        Field("slots", N_("Available half-days"), "list", help=SLOTS_HELP),
        Field("coordinator", N_("Coordinator")),
    ),
)

FORMS = {form.segment: form for form in (FAMILY_FORM, VOLUNTEER_FORM)}


def shown(record: BaseModel | None, form: Form) -> dict[str, str]:
    """A record's values as its form shows them (empty for a new record)."""
    if record is None:
        return {"speaks_dutch": "on", "training_complete": "", "vog_complete": ""}
    data = record.model_dump(mode="json")
    values = {}
    for field in form.fields:
        value = data.get(field.name)
        if field.kind == "bool":
            values[field.name] = "on" if value else ""
        elif field.name == "children":
            values[field.name] = " ".join(
                child["birth_date"] or str(child["age_years"]) for child in value or ()
            )
        elif isinstance(value, list):
            values[field.name] = " ".join(str(v) for v in value)
        else:
            values[field.name] = "" if value is None else str(value)
    return values


def posted_values(form: Form, posted: Mapping[str, Any]) -> dict[str, str]:
    """The form's values as posted (an unticked box sends nothing)."""
    values = {}
    for field in form.fields:
        raw = posted.get(field.name)
        values[field.name] = raw.strip() if isinstance(raw, str) else ""
    return values


def record_of(
    form: Form, values: Mapping[str, str], before: BaseModel | None, translate: Translate
) -> tuple[BaseModel | None, dict[str, str]]:
    """The record a form describes (its hidden fields as ``before`` had them), or the
    problems by field."""
    data: dict[str, Any] = before.model_dump(mode="json") if before is not None else {}
    for field in form.fields:
        value = values.get(field.name, "")
        if field.kind == "bool":
            data[field.name] = value == "on"
        elif field.kind == "list":
            data[field.name] = value.split()
        elif field.kind == "number":
            data[field.name] = value.replace(",", ".") or None
        else:
            data[field.name] = value or None
    if before is None:
        data = {key: value for key, value in data.items() if value is not None}
    try:
        return form.model.model_validate(data), {}
    except ValidationError as error:
        return None, field_errors(form, error, translate)


def field_errors(form: Form, error: ValidationError, translate: Translate) -> dict[str, str]:
    """Pydantic's errors by form field, in the page's language (a whole-record problem under
    the empty name)."""
    names = {field.name for field in form.fields}
    found: dict[str, str] = {}
    for problem in error.errors():
        location = problem.get("loc", ())
        name = str(location[0]) if location and str(location[0]) in names else ""
        found.setdefault(name, message(problem, translate))
    return found


def problems_by_field(
    form: Form, problems: list[InputProblem], translate: Translate
) -> dict[str, str]:
    """The service's problems (``InputError``) by form field: the last part of a problem's
    field path that is a field of the form."""
    names = {field.name for field in form.fields}
    found: dict[str, str] = {}
    for problem in problems:
        parts = (problem.field or "").replace("[", ".").replace("]", "").split(".")
        name = next((part for part in reversed(parts) if part in names), "")
        found.setdefault(name, f"{translate(NOT_ACCEPTED)} {problem.message}")
    return found


NOT_ACCEPTED = N_("Not accepted:")
MESSAGES = {
    "missing": N_("Required."),
    "int_parsing": N_("Enter a whole number."),
    "int_from_float": N_("Enter a whole number."),
    "float_parsing": N_("Enter a number, e.g. 7,5."),
    "date_from_datetime_parsing": N_("Enter a date as 2026-11-24."),
    "date_parsing": N_("Enter a date as 2026-11-24."),
    "date_from_datetime_inexact": N_("Enter a date as 2026-11-24."),
    "string_pattern_mismatch": N_("Use only letters, digits and . _ : - (at most 64 characters)."),
    "string_too_long": N_("This is too long."),
    "string_too_short": N_("Required."),
    "too_short": N_("Required."),
    "enum": N_("Choose one of the options."),
    "literal_error": N_("Choose one of the options."),
    "greater_than": N_("Must be more than %(limit)s."),
    "greater_than_equal": N_("Must be at least %(limit)s."),
    "less_than": N_("Must be less than %(limit)s."),
    "less_than_equal": N_("Must be at most %(limit)s."),
}


def message(problem: Any, translate: Translate) -> str:
    """One pydantic problem in the page's language; a rule of the domain (a value error)
    keeps its own sentence after a translated lead."""
    kind = problem["type"]
    if kind in MESSAGES:
        context = problem.get("ctx") or {}
        limit = next((context[k] for k in ("gt", "ge", "lt", "le") if k in context), "")
        text = translate(MESSAGES[kind])
        return text % {"limit": limit} if "%(" in text else text
    detail = str(problem.get("msg", "")).removeprefix("Value error, ")
    return f"{translate(NOT_ACCEPTED)} {detail}"
