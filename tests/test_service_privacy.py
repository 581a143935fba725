"""A family's personal data over HTTP: exported as exactly what names it, erased so that no
table holds its id any more (the logs keep a keyed hash), on both databases; and the audit log
of what callers changed and decided."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

from builders import family, round_of, volunteer
from service_api import NOW, Api, finished
from sqlalchemy import select

from matcher.db.audit import AuditEntry, append
from matcher.db.service_tables import ArtifactRow
from matcher.db.tables import Base
from matcher.io.rounds import load_round
from matcher.service.keys import Scope
from matcher.service.privacy import erased_id
from matcher.service.settings import ServiceSettings

pytest_plugins = ["service_api"]

SCENARIOS = Path(__file__).parent.parent / "scenarios"
BASE = "/v1/locations/L1"


def _run(api: Api, key: str) -> str:
    started = api.call("POST", f"{BASE}/rounds", key, json={})
    assert started.status_code == 202, started.text
    job = finished(api, "L1", started.json()["id"], key)
    assert job["status"] == "done", job
    return str(job["id"])


def _family_everywhere(api: Api) -> tuple[dict[Scope, str], str, dict[str, Any]]:
    """A location whose family is named by every kind of row: its record, a running match from
    an accepted proposal (a proposal, a decision and audit lines), a declined pair, an
    exclusion and an absence. The keys, the round's id, and what was made for the family."""
    keys = api.location()
    round_ = json.loads(load_round(SCENARIOS / "location").model_dump_json())
    assert api.call("PUT", f"{BASE}/round", keys[Scope.WRITE], json=round_).status_code == 200
    round_id = _run(api, keys[Scope.WRITE])
    result = api.call("GET", f"{BASE}/rounds/{round_id}/result", keys[Scope.READ]).json()
    proposal = result["proposals"][0]
    family_id, matched = proposal["family_id"], proposal["volunteer_id"]
    accepted = api.call(
        "POST",
        f"{BASE}/rounds/{round_id}/proposals/{family_id}/accept",
        keys[Scope.WRITE],
        headers={"Idempotency-Key": "accept-once"},  # its kept answer names the family too
    )
    assert accepted.status_code == 200, accepted.text
    declined, excluded = [v["id"] for v in round_["volunteers"] if v["id"] != matched][:2]
    for kind, other in (("declined-pairs", declined), ("exclusions", excluded)):
        made = api.call("PUT", f"{BASE}/{kind}/{family_id}/{other}", keys[Scope.WRITE])
        assert made.status_code == 201, made.text
    read = api.call("GET", f"{BASE}/round", keys[Scope.READ])
    absence = {"person_id": family_id, "start": "2026-12-01", "end": "2026-12-07"}
    with_absence = read.json() | {"absences": [*read.json()["absences"], absence]}
    put = api.call(
        "PUT",
        f"{BASE}/round",
        keys[Scope.WRITE],
        json=with_absence,
        headers={"If-Match": read.headers["ETag"]},
    )
    assert put.status_code == 200, put.text
    made = {
        "proposal": proposal,
        "declined": declined,
        "excluded": excluded,
        "absence": absence,
        "record": next(f for f in round_["families"] if f["id"] == family_id),
    }
    return keys, round_id, made


def _whole(family_id: str) -> re.Pattern[str]:
    return re.compile(f"(?<![A-Za-z0-9._:-]){re.escape(family_id)}(?![A-Za-z0-9._:-])")


def _naming(api: Api, family_id: str) -> list[str]:
    """Every value in every column of every table that names the family: ``table.column``."""
    whole_id = _whole(family_id)
    found = []
    with api.engine.connect() as connection:
        for table in Base.metadata.sorted_tables:
            for row in connection.execute(select(table)).mappings():
                for column, value in row.items():
                    if isinstance(value, bytes | memoryview):
                        text = bytes(value).decode("utf-8", errors="replace")
                    elif isinstance(value, dict | list):
                        text = json.dumps(value)
                    else:
                        text = str(value)
                    if whole_id.search(text):
                        found.append(f"{table.name}.{column}")
    return found


def test_an_export_holds_exactly_what_names_the_family(api: Api, worker: None) -> None:
    keys, round_id, made = _family_everywhere(api)
    proposal = made["proposal"]
    family_id = proposal["family_id"]
    path = f"{BASE}/families/{family_id}/export"
    export = api.call("GET", path, keys[Scope.READ])
    assert export.status_code == 200, export.text
    held = export.json()
    assert held["family_id"] == family_id
    assert held["record"]["id"] == family_id
    assert held["record"]["postcode"] == made["record"]["postcode"]
    assert held["active_match"] == {
        "family_id": family_id,
        "volunteer_id": proposal["volunteer_id"],
        "slot": proposal["slot"],
    }
    assert held["declined_pairs"] == [{"family_id": family_id, "volunteer_id": made["declined"]}]
    assert held["exclusions"] == [{"family_id": family_id, "volunteer_id": made["excluded"]}]
    assert held["absences"] == [made["absence"]]
    assert [(p["round_id"], p["volunteer_id"], p["status"]) for p in held["proposals"]] == [
        (round_id, proposal["volunteer_id"], "accepted")
    ]
    assert [(d["action"], d["volunteer_id"]) for d in held["decisions"]] == [
        ("accept", proposal["volunteer_id"])
    ]
    assert [(a["action"], a["subject"], a["subject_id"]) for a in held["audit"]] == [
        ("accept", "family", family_id),
        ("create", "declined_pair", family_id),
        ("create", "exclusion", family_id),
    ]
    others = api.call("GET", f"{BASE}/families/F9999/export", keys[Scope.READ])
    assert others.status_code == 404
    api.location("L2")
    elsewhere = api.call("GET", f"/v1/locations/L2/families/{family_id}/export", keys[Scope.READ])
    assert elsewhere.status_code == 404  # L1's key is not L2's


def test_an_erased_family_is_named_nowhere_and_the_rounds_go_on(api: Api, worker: None) -> None:
    keys, round_id, made = _family_everywhere(api)
    family_id = made["proposal"]["family_id"]
    assert "families.id" in _naming(api, family_id)
    path = f"{BASE}/families/{family_id}/personal-data"
    assert api.call("DELETE", path, keys[Scope.WRITE]).status_code == 403
    erased = api.call("DELETE", path, keys[Scope.ADMIN])
    assert erased.status_code == 200, erased.text
    hashed = erased_id(ServiceSettings().erase_pepper, "L1", family_id)
    # record, match, declined pair, exclusion, absence; the accept's line and the two pairs'
    # rows: its record, match, declined pair, exclusion and absence; decisions: the accept;
    # audit lines: the accept's and the two pairs'; files: the round's result and round
    assert erased.json() == {
        "erased_as": hashed,
        "records": 5,
        "proposals": 1,
        "decisions": 1,
        "audit_lines": 3,
        "kept_answers": 1,
        "files_rewritten": 2,
        "files_deleted": 0,
    }

    assert _naming(api, family_id) == []
    if api.engine.dialect.name == "sqlite":  # nor in the bytes of the file and its log
        database = Path(str(api.engine.url.database))
        for file in (database, database.with_name(database.name + "-wal")):
            held = file.read_bytes() if file.exists() else b""
            assert not re.search(rb"(?<![0-9A-Za-z])%s(?![0-9A-Za-z])" % family_id.encode(), held)
    audit = api.call("GET", f"{BASE}/audit?limit=1000", keys[Scope.ADMIN]).json()["lines"]
    assert audit[-1]["action"] == "erase" and audit[-1]["subject_id"] == hashed
    assert [a["action"] for a in audit if a["subject_id"] == hashed] == [
        "accept",
        "create",
        "create",
        "erase",
    ]
    assert api.call("DELETE", path, keys[Scope.ADMIN]).status_code == 404  # nothing left
    assert (
        api.call("GET", f"{BASE}/families/{family_id}/export", keys[Scope.READ]).status_code == 404
    )

    # The round's files still serve the other families: a pending proposal is accepted from
    # them, and the next round solves.
    result = api.call("GET", f"{BASE}/rounds/{round_id}/result", keys[Scope.READ]).json()
    assert all(p["family_id"] != family_id for p in result["proposals"])
    other = result["proposals"][0]["family_id"]
    accepted = api.call(
        "POST", f"{BASE}/rounds/{round_id}/proposals/{other}/accept", keys[Scope.WRITE]
    )
    assert accepted.status_code == 200, accepted.text
    report = api.call("GET", f"{BASE}/rounds/{round_id}/report.html", keys[Scope.READ])
    assert report.status_code == 200 and not _whole(family_id).search(report.text)
    again = _run(api, keys[Scope.WRITE])
    summary = api.call("GET", f"{BASE}/rounds/{again}", keys[Scope.READ]).json()["summary"]
    assert summary["status"] == "optimal"
    assert _naming(api, family_id) == []


def test_the_audit_log_lists_changes_and_decisions_page_by_page(api: Api) -> None:
    keys = api.location()
    puts = [
        ("volunteers/V1", volunteer("V1").model_dump(mode="json")),
        ("families/F1", family("F1").model_dump(mode="json")),
        ("active-matches/F1", {"family_id": "F1", "volunteer_id": "V1", "slot": "mon-morning"}),
    ]
    for where, body in puts:
        made = api.call("PUT", f"{BASE}/{where}", keys[Scope.WRITE], json=body)
        assert made.status_code == 201, made.text
    ended = api.call(
        "POST", f"{BASE}/active-matches/F1/end", keys[Scope.WRITE], json={"reason": "family_copes"}
    )
    assert ended.status_code == 200, ended.text

    first = api.call("GET", f"{BASE}/audit?limit=3", keys[Scope.ADMIN])
    assert first.status_code == 200, first.text
    page = first.json()
    rest = api.call("GET", f"{BASE}/audit?after={page['next_after']}", keys[Scope.ADMIN]).json()
    assert rest["next_after"] is None
    lines = page["lines"] + rest["lines"]
    assert [(a["action"], a["subject"], a["subject_id"]) for a in lines] == [
        ("create", "volunteer", "V1"),
        ("create", "family", "F1"),
        ("create", "match", "F1"),
        ("end", "family", "F1"),
    ]
    writer = keys[Scope.WRITE].split("_")[1]
    assert {a["actor"] for a in lines} == {f"key:{writer}"}
    assert lines[-1]["detail"] == {"volunteer_id": "V1", "slot": None, "reason": "family_copes"}
    assert [a["id"] for a in lines] == sorted(a["id"] for a in lines)
    assert api.call("GET", f"{BASE}/audit", keys[Scope.WRITE]).status_code == 403
    other = api.location("L2")
    assert api.call("GET", f"{BASE}/audit", other[Scope.ADMIN]).status_code == 404
    assert api.call("GET", "/v1/locations/L2/audit", other[Scope.ADMIN]).json()["lines"] == []
    bad = api.call("GET", f"{BASE}/audit?limit=0", keys[Scope.ADMIN])
    assert bad.status_code == 422 and bad.json()["errors"][0]["field"] == "query.limit"


def test_no_family_is_erased_while_a_round_is_queued(api: Api) -> None:
    """The queued round read (or will read) the family; done after the erasure, it would
    write the family's id back. Nothing changes until it has run."""
    keys = api.location()
    put = api.call(
        "PUT", f"{BASE}/families/F1", keys[Scope.WRITE], json=family("F1").model_dump(mode="json")
    )
    assert put.status_code == 201, put.text
    assert api.call("POST", f"{BASE}/rounds", keys[Scope.WRITE], json={}).status_code == 202
    refused = api.call("DELETE", f"{BASE}/families/F1/personal-data", keys[Scope.ADMIN])
    assert refused.status_code == 409 and "queued or running" in refused.json()["detail"]
    assert api.call("GET", f"{BASE}/families/F1", keys[Scope.READ]).status_code == 200
    assert "families.id" in _naming(api, "F1")


def test_an_audit_detail_naming_the_family_is_hashed_but_not_a_volunteers_id(api: Api) -> None:
    """A line whose detail names the family (in a list, say) gets the hash there too; a
    volunteer who happens to have the same id keeps it."""
    keys = api.location()
    body = family("X1").model_dump(mode="json")
    assert api.call("PUT", f"{BASE}/families/X1", keys[Scope.WRITE], json=body).status_code == 201
    with api.engine.begin() as connection:
        append(
            connection,
            "L1",
            AuditEntry(
                time=NOW,
                actor="user:coordinator",
                action="note",
                subject="round",
                detail={"families": ["F0", "X1"], "volunteer_id": "X1"},
            ),
        )
    exported = api.call("GET", f"{BASE}/families/X1/export", keys[Scope.READ]).json()
    assert [(a["action"], a["subject"]) for a in exported["audit"]] == [
        ("create", "family"),
        ("note", "round"),
    ]
    erased = api.call("DELETE", f"{BASE}/families/X1/personal-data", keys[Scope.ADMIN]).json()
    hashed = erased["erased_as"]
    assert (erased["records"], erased["audit_lines"]) == (1, 2)
    lines = api.call("GET", f"{BASE}/audit", keys[Scope.ADMIN]).json()["lines"]
    assert [(a["action"], a["subject_id"], a["detail"]) for a in lines] == [
        ("create", hashed, None),
        ("note", None, {"families": ["F0", hashed], "volunteer_id": "X1"}),
        ("erase", hashed, {k: v for k, v in erased.items() if k != "erased_as"}),
    ]


def test_a_family_whose_id_is_a_number_leaves_the_other_numbers_alone(
    api: Api, worker: None
) -> None:
    """Family "2": its id goes from every sentence and list of the round's files, while the
    numbers in them (ages, counts, scores) stay as they were."""
    keys = api.location()
    round_ = round_of([volunteer("V1")], [family("2"), family("F2", km_north=1.0)])
    body = json.loads(round_.model_dump_json())
    assert api.call("PUT", f"{BASE}/round", keys[Scope.WRITE], json=body).status_code == 200
    round_id = _run(api, keys[Scope.WRITE])
    before = _files(api, round_id)
    named = [u for u in before["result.json"]["unmatched"] if u["competitors"]]
    assert any("2" in c["proposed_to"] for u in named for c in u["competitors"])

    erased = api.call("DELETE", f"{BASE}/families/2/personal-data", keys[Scope.ADMIN])
    assert erased.status_code == 200, erased.text
    hashed = erased.json()["erased_as"]
    after = _files(api, round_id)
    assert after["result.json"]["report"] == before["result.json"]["report"]
    assert after["round.json"]["families"] == [
        f for f in before["round.json"]["families"] if f["id"] != "2"
    ]
    assert after["round.json"]["volunteers"] == before["round.json"]["volunteers"]
    result = api.call("GET", f"{BASE}/rounds/{round_id}/result", keys[Scope.READ]).json()
    assert result == after["result.json"]
    strings = _strings(result) + _strings(after["round.json"])
    assert not [s for s in strings if _whole("2").search(s)]
    assert any(hashed in s for s in strings)  # the other family's competitor, by its hash


def _files(api: Api, round_id: str) -> dict[str, Any]:
    with api.engine.connect() as connection:
        rows = connection.execute(
            select(ArtifactRow.name, ArtifactRow.content).where(ArtifactRow.job_id == round_id)
        ).all()
    return {row.name: json.loads(bytes(row.content)) for row in rows}


def _strings(value: Any) -> list[str]:
    if isinstance(value, dict):
        return [s for v in value.values() for s in _strings(v)]
    if isinstance(value, list):
        return [s for v in value for s in _strings(v)]
    return [value] if isinstance(value, str) else []
