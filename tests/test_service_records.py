"""Data in over HTTP: records upserted and deleted by the case system's ids, idempotent PUTs,
ETags that stop a second writer from overwriting the first, the same field-level validation as
the command line, and the whole round imported and exported."""

from __future__ import annotations

import io
import json
import zipfile
from pathlib import Path

from builders import family, volunteer
from service_api import Api

from matcher.io.csv_round import write_round_csv
from matcher.io.rounds import load_round
from matcher.service.keys import Scope

pytest_plugins = ["service_api"]

SCENARIOS = Path(__file__).parent.parent / "scenarios"


def _volunteer(id_: str = "V1", **fields: object) -> dict[str, object]:
    return volunteer(id_, **fields).model_dump(mode="json")


def test_a_volunteer_is_created_read_replaced_and_deleted(api: Api) -> None:
    keys = api.location()
    path = "/v1/locations/L1/volunteers/V1"
    created = api.call("PUT", path, keys[Scope.WRITE], json=_volunteer())
    assert created.status_code == 201, created.text
    again = api.call("PUT", path, keys[Scope.WRITE], json=_volunteer())
    assert again.status_code == 200  # idempotent: nothing changed, no precondition needed
    read = api.call("GET", path, keys[Scope.READ])
    assert read.status_code == 200 and read.json()["id"] == "V1"
    tag = read.headers["ETag"]
    changed = _volunteer(capacity=2)
    assert api.call("PUT", path, keys[Scope.WRITE], json=changed).status_code == 428
    replaced = api.call("PUT", path, keys[Scope.WRITE], json=changed, headers={"If-Match": tag})
    assert replaced.status_code == 200 and replaced.json()["capacity"] == 2
    stale = api.call(
        "PUT", path, keys[Scope.WRITE], json=_volunteer(capacity=3), headers={"If-Match": tag}
    )
    assert stale.status_code == 412  # the second writer read the old version
    assert api.call("GET", path, keys[Scope.READ]).json()["capacity"] == 2
    assert api.call("DELETE", path, keys[Scope.WRITE]).status_code == 204
    assert api.call("GET", path, keys[Scope.READ]).status_code == 404
    assert api.call("DELETE", path, keys[Scope.WRITE]).status_code == 404


def test_bad_fields_are_named_and_nothing_is_saved(api: Api) -> None:
    keys = api.location()
    body = _volunteer() | {"capacity": 9, "languages": ["xx-not-a-language"]}
    refused = api.call("PUT", "/v1/locations/L1/volunteers/V1", keys[Scope.WRITE], json=body)
    assert refused.status_code == 422
    assert refused.headers["content-type"] == "application/problem+json"
    fields = {e["field"] for e in refused.json()["errors"]}
    assert "body.capacity" in fields and any(f.startswith("body.languages") for f in fields)
    personal = _volunteer() | {"name": "Jan Jansen"}
    refused = api.call("PUT", "/v1/locations/L1/volunteers/V1", keys[Scope.WRITE], json=personal)
    assert refused.status_code == 422 and "personal" in refused.text
    assert api.call("GET", "/v1/locations/L1/volunteers", keys[Scope.READ]).json() == []


def test_a_change_that_breaks_the_round_is_refused_naming_the_record(api: Api) -> None:
    keys = api.location()
    api.call("PUT", "/v1/locations/L1/volunteers/V1", keys[Scope.WRITE], json=_volunteer())
    fam = family("F1").model_dump(mode="json")
    api.call("PUT", "/v1/locations/L1/families/F1", keys[Scope.WRITE], json=fam)
    match = {"family_id": "F1", "volunteer_id": "V1", "slot": "mon-morning"}
    made = api.call("PUT", "/v1/locations/L1/active-matches/F1", keys[Scope.WRITE], json=match)
    assert made.status_code == 201, made.text
    gone = api.call("DELETE", "/v1/locations/L1/volunteers/V1", keys[Scope.WRITE])
    assert gone.status_code == 422 and "V1" in gone.text
    mismatch = api.call(
        "PUT", "/v1/locations/L1/volunteers/V2", keys[Scope.WRITE], json=_volunteer("V3")
    )
    assert mismatch.status_code == 422 and mismatch.json()["errors"][0]["field"] == "id"


def test_pairs_are_put_idempotently_and_removed(api: Api) -> None:
    keys = api.location()
    api.call("PUT", "/v1/locations/L1/volunteers/V1", keys[Scope.WRITE], json=_volunteer())
    api.call(
        "PUT",
        "/v1/locations/L1/families/F1",
        keys[Scope.WRITE],
        json=family("F1").model_dump(mode="json"),
    )
    path = "/v1/locations/L1/exclusions/F1/V1"
    assert api.call("PUT", path, keys[Scope.WRITE]).status_code == 201
    assert api.call("PUT", path, keys[Scope.WRITE]).status_code == 200
    listed = api.call("GET", "/v1/locations/L1/exclusions", keys[Scope.READ]).json()
    assert listed == [{"family_id": "F1", "volunteer_id": "V1"}]
    assert api.call("DELETE", path, keys[Scope.WRITE]).status_code == 204
    assert api.call("GET", "/v1/locations/L1/exclusions", keys[Scope.READ]).json() == []


def test_the_whole_round_goes_in_as_json_xlsx_or_zipped_csv_and_comes_out(
    api: Api, tmp_path: Path
) -> None:
    keys = api.location()
    round_ = load_round(SCENARIOS / "location")
    document = json.loads(round_.model_dump_json())
    put = api.call("PUT", "/v1/locations/L1/round", keys[Scope.WRITE], json=document)
    assert put.status_code == 200, put.text
    exported = api.call("GET", "/v1/locations/L1/round", keys[Scope.READ])
    assert exported.json() == document
    tag = exported.headers["ETag"]

    folder = tmp_path / "csv"
    write_round_csv(round_, folder)
    packed = io.BytesIO()
    with zipfile.ZipFile(packed, "w") as archive:
        for path in folder.iterdir():
            archive.write(path, f"round/{path.name}")
    stale = api.call(
        "POST",
        "/v1/locations/L1/round/import",
        keys[Scope.WRITE],
        files={"file": ("round.zip", packed.getvalue())},
        headers={"If-Match": '"v0"'},
    )
    assert stale.status_code == 412
    zipped = api.call(
        "POST",
        "/v1/locations/L1/round/import",
        keys[Scope.WRITE],
        files={"file": ("round.zip", packed.getvalue())},
        headers={"If-Match": tag},
    )
    assert zipped.status_code == 200, zipped.text
    assert api.call("GET", "/v1/locations/L1/round", keys[Scope.READ]).json() == document


def test_a_bad_upload_names_the_file_row_and_field(api: Api, tmp_path: Path) -> None:
    keys = api.location()
    folder = tmp_path / "csv"
    write_round_csv(load_round(SCENARIOS / "location"), folder)
    volunteers = folder / "volunteers.csv"
    lines = volunteers.read_text().splitlines()
    header = lines[0].split(",")
    row = lines[1].split(",")
    row[header.index("capacity")] = "nine"
    volunteers.write_text("\n".join([lines[0], ",".join(row), *lines[2:]]) + "\n")
    packed = io.BytesIO()
    with zipfile.ZipFile(packed, "w") as archive:
        for path in folder.iterdir():
            archive.write(path, path.name)
    refused = api.call(
        "POST",
        "/v1/locations/L1/round/import",
        keys[Scope.WRITE],
        files={"file": ("round.zip", packed.getvalue())},
    )
    assert refused.status_code == 422
    error = refused.json()["errors"][0]
    assert error["row"] == 2 and error["field"] == "capacity" and "volunteers.csv" in error["where"]
    assert api.call("GET", "/v1/locations/L1", keys[Scope.READ]).json()["volunteers"] == 0
    junk = api.call(
        "POST",
        "/v1/locations/L1/round/import",
        keys[Scope.WRITE],
        files={"file": ("round.xlsx", b"not a workbook")},
    )
    assert junk.status_code == 422 and "round.xlsx" in junk.text


def test_scopes_are_enforced(api: Api) -> None:
    keys = api.location()
    read_only = api.call(
        "PUT", "/v1/locations/L1/volunteers/V1", keys[Scope.READ], json=_volunteer()
    )
    assert read_only.status_code == 403
    assert api.call("GET", "/v1/locations/L1/keys", keys[Scope.WRITE]).status_code == 403
    assert api.call("GET", "/v1/locations/L1/keys", keys[Scope.ADMIN]).status_code == 200
    assert api.call("GET", "/v1/locations/L1", "mk_bad_key").status_code == 401
    assert api.client.get("/v1/locations/L1").status_code == 401
    listed = api.call("GET", "/v1/locations/L1/keys", keys[Scope.ADMIN]).json()
    assert all("key" not in k and "secret" not in json.dumps(k) for k in listed)
    write_id = next(k["id"] for k in listed if k["scope"] == "write")
    revoked = api.call("DELETE", f"/v1/locations/L1/keys/{write_id}", keys[Scope.ADMIN])
    assert revoked.status_code == 204
    assert api.call("GET", "/v1/locations/L1", keys[Scope.WRITE]).status_code == 401
