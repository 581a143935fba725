"""The database store keeps every decision, on SQLite and on PostgreSQL: a round comes back as
it went in, the use cases run over it unchanged, concurrent decisions are serialised, a failed
transaction writes nothing, and one location never sees another's rows."""

from __future__ import annotations

import subprocess
import sys
import threading
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from datetime import UTC, date, datetime, timedelta, timezone
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from builders import family, round_of, volunteer
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import Engine, delete, event, func, inspect, select, text, update
from sqlalchemy.exc import IntegrityError

from matcher.db.engine import configure
from matcher.db.migrate import current, downgrade, head, upgrade
from matcher.db.store import DatabaseRoundStore, import_round
from matcher.db.tables import Base, LocationRow, VolunteerRow
from matcher.domain.round import (
    Absence,
    Coordinator,
    Pair,
    Period,
    Policy,
    Round,
    SolverSettings,
    Weights,
)
from matcher.io.csv_round import write_round_csv
from matcher.io.problems import InputError
from matcher.io.rounds import load_round
from matcher.lifecycle.decisions import (
    Action,
    DecisionError,
    DecisionRecord,
    EndReason,
    accept,
    decline,
    end_match,
)
from matcher.result import SolveResult
from matcher.synthetic.generate import Area, generate_round
from matcher.usecases import StoreBusy, decide, end, solve_round

pytest_plugins = ["db_engines"]

TODAY = date(2026, 11, 24)
NOW = datetime(2026, 11, 24, 9, 30, tzinfo=UTC)
SLOTS = ["mon-morning", "tue-morning", "wed-morning", "thu-morning"]
CONCURRENT = 8


def _store(engine: Engine, location: str = "L1", **options: Any) -> DatabaseRoundStore:
    return DatabaseRoundStore(engine, location, TODAY, **options)


def _simple_round(volunteers: int, families: int, capacity: int = 1) -> Round:
    return round_of(
        [volunteer(f"V{i}", slots=SLOTS, capacity=capacity) for i in range(volunteers)],
        [family(f"F{i}", slots=SLOTS) for i in range(families)],
    )


def _rich_round() -> Round:
    """A generated round with every list filled and every setting away from its default."""
    base = generate_round(Area(places=("Utrecht",)), 25, 30, seed=7, reference_date=TODAY)
    volunteers, families = base.volunteers, base.families
    placed = volunteer("V-at", km_north=3.3, languages=["ar", "nl"], max_travel_km=7.7)
    return base.model_copy(
        update={
            "volunteers": (*volunteers, placed),
            "declined_pairs": (
                *base.declined_pairs,
                Pair(family_id=families[1].id, volunteer_id=volunteers[0].id),
            ),
            "exclusions": (
                Pair(family_id=families[0].id, volunteer_id=volunteers[1].id),
                Pair(family_id=families[0].id, volunteer_id=volunteers[1].id),  # listed twice
            ),
            "coordinators": (*base.coordinators, Coordinator(id="C-extra", slots=("fri-evening",))),
            "absences": (
                Absence(person_id=volunteers[2].id, start=date(2026, 12, 1), end=date(2027, 1, 3)),
                Absence(person_id=families[3].id, start=date(2027, 2, 1), end=date(2027, 2, 1)),
            ),
            "school_holidays": (
                Period(name="kerstvakantie", start=date(2026, 12, 19), end=date(2027, 1, 3)),
            ),
            "weights": Weights(language=0.5, distance=3.25, rematch_points=20),
            "policy": Policy(max_distance_km=12.5, same_place="area"),
            "solver": SolverSettings(backend="cpsat", time_limit_s=5, seed=3),
        }
    )


def _proposals_result(
    store: DatabaseRoundStore, family_ids: list[str] | None = None
) -> SolveResult:
    """The solve's result; with ``family_ids``, its first proposal offered to each of them."""
    result = solve_round(store).result
    if family_ids is None:
        return result
    first = result.proposals[0]
    offers = [first.model_copy(update={"family_id": f}) for f in family_ids]
    return result.model_copy(update={"proposals": offers})


def _at_once(calls: list[Callable[[], object]]) -> list[object]:
    """Run the calls in threads released together; each returns its result or its exception."""
    start = threading.Barrier(len(calls))

    def one(call: Callable[[], object]) -> object:
        start.wait()
        try:
            return call()
        except Exception as error:
            return error

    with ThreadPoolExecutor(len(calls)) as pool:
        return list(pool.map(one, calls))


@contextmanager
def _statements(engine: Engine) -> Iterator[list[str]]:
    """The SQL statements sent while the block runs."""
    sent: list[str] = []

    def record(*args: Any) -> None:
        sent.append(" ".join(str(args[2]).split()).upper())

    event.listen(engine, "before_cursor_execute", record)
    try:
        yield sent
    finally:
        event.remove(engine, "before_cursor_execute", record)


def _version(engine: Engine, location: str = "L1") -> int:
    with engine.connect() as connection:
        found = connection.scalar(
            text("SELECT version FROM locations WHERE id = :id"), {"id": location}
        )
    assert isinstance(found, int)
    return found


# -- schema ------------------------------------------------------------------------------------


def test_migrations_build_exactly_the_models_and_come_down_again(empty_engine: Engine) -> None:
    assert current(empty_engine) is None
    upgrade(empty_engine)
    assert current(empty_engine) == head() == "0004"
    with empty_engine.connect() as connection:
        diff = compare_metadata(MigrationContext.configure(connection), Base.metadata)
    assert diff == []
    assert set(inspect(empty_engine).get_table_names()) == set(Base.metadata.tables) | {
        "alembic_version"
    }
    downgrade(empty_engine, "base")
    assert set(inspect(empty_engine).get_table_names()) <= {"alembic_version"}


# -- round trip --------------------------------------------------------------------------------


def test_a_round_comes_back_exactly_as_it_was_saved(engine: Engine) -> None:
    round_ = _rich_round()
    assert round_.exclusions and round_.declined_pairs and round_.active_matches
    store = _store(engine)
    store.save_round(round_, name="Home-Start Utrecht")
    assert store.load() == round_
    assert store.read().round == round_
    assert _store(engine).load() == round_  # a fresh store, nothing cached


def test_saving_again_writes_only_what_changed(engine: Engine) -> None:
    round_ = _rich_round()
    store = _store(engine)
    store.save_round(round_)
    changed = round_.model_copy(
        update={
            "volunteers": (
                round_.volunteers[0].model_copy(update={"max_travel_km": 9.5}),
                *round_.volunteers[1:],
            )
        }
    )
    with _statements(engine) as sent:
        store.save_round(changed)
    writes = [s for s in sent if s.startswith(("INSERT", "UPDATE", "DELETE"))]
    assert [w.split(" SET ")[0] for w in writes] == ["UPDATE VOLUNTEERS", "UPDATE LOCATIONS"]
    assert store.load() == changed
    with _statements(engine) as sent:
        store.save_round(round_.model_copy(update={"volunteers": round_.volunteers[:-1]}))
    writes = [s for s in sent if s.startswith(("INSERT", "UPDATE", "DELETE"))]
    assert [w.split(" WHERE ")[0].split(" SET ")[0] for w in writes] == [
        "DELETE FROM VOLUNTEERS",
        "UPDATE VOLUNTEERS",  # the first volunteer changes back
        "UPDATE LOCATIONS",
    ]
    assert store.load().volunteers == round_.volunteers[:-1]


def test_a_new_location_has_an_empty_round_dated_today_and_an_unknown_one_is_named(
    engine: Engine,
) -> None:
    _store(engine, "L1").create_location("Home-Start Noord")
    assert _store(engine, "L1").load() == Round(reference_date=TODAY)
    with pytest.raises(InputError, match="location 'L1': the round is empty"):
        _store(engine, "L1").read()
    with pytest.raises(InputError, match="exists already"):
        _store(engine, "L1").create_location("again")
    with pytest.raises(InputError, match="location 'nowhere': no such location"):
        _store(engine, "nowhere").read()
    with (
        pytest.raises(InputError, match="no such location"),
        _store(engine, "nowhere").transaction(),
    ):
        pass


def test_a_round_imported_from_a_csv_folder_is_the_folder_s_round(
    engine: Engine, tmp_path: Path
) -> None:
    round_ = _rich_round()
    folder = tmp_path / "round"
    write_round_csv(round_, folder)
    imported = import_round(engine, "utrecht", folder, TODAY, name="Home-Start Utrecht")
    assert imported == load_round(folder)
    assert _store(engine, "utrecht").load() == imported
    with engine.connect() as connection:
        assert connection.scalar(text("SELECT name FROM locations")) == "Home-Start Utrecht"
    with pytest.raises(InputError, match="no such file or folder"):
        import_round(engine, "utrecht", tmp_path / "missing", TODAY)


def test_a_location_id_is_an_id_and_the_version_counts_changes(engine: Engine) -> None:
    with pytest.raises(ValueError, match="a location id is 1 to 64"):
        _store(engine, "x" * 65)
    with pytest.raises(ValueError, match="a location id is 1 to 64"):
        _store(engine, "")
    store = _store(engine)
    store.save_round(_simple_round(1, 2))
    assert store.version() == 1
    store.save_round(_simple_round(1, 2))  # the same round: nothing to write but the version
    assert store.version() == 2


def test_an_invalid_round_is_refused_before_anything_is_written(engine: Engine) -> None:
    round_ = _simple_round(2, 2)
    bad = round_.model_copy(update={"exclusions": (Pair(family_id="F0", volunteer_id="nobody"),)})
    with pytest.raises(InputError) as caught:
        _store(engine).save_round(bad)
    assert "exclusions item 1, field 'volunteer_id'" in str(caught.value)
    assert inspect(engine).has_table("locations")
    with engine.connect() as connection:
        assert connection.scalar(text("SELECT count(*) FROM locations")) == 0


def test_bad_stored_data_is_reported_naming_the_record(engine: Engine) -> None:
    _store(engine).save_round(_simple_round(3, 2))
    with engine.begin() as connection:
        data = connection.scalar(select(VolunteerRow.data).where(VolunteerRow.id == "V1"))
        assert data is not None
        connection.execute(
            update(VolunteerRow).where(VolunteerRow.id == "V1").values(data=data | {"capacity": 9})
        )
    with pytest.raises(InputError) as caught:
        _store(engine).read()
    message = str(caught.value)
    assert "location 'L1', volunteers id 'V1', field 'capacity'" in message
    assert "V0" not in message and "V2" not in message


# -- the use cases, unchanged ----------------------------------------------------------------


def test_the_use_cases_run_over_the_database_store(engine: Engine) -> None:
    round_ = _simple_round(3, 3)
    store = _store(engine)
    store.save_round(round_)
    result = solve_round(store).result
    assert len(result.proposals) == 3
    first, second = result.proposals[0], result.proposals[1]
    decide(store, result, first.family_id, True, "C1", NOW)
    decide(store, result, second.family_id, False, "C2", NOW + timedelta(minutes=1))
    ended = end(store, first.family_id, EndReason.VOLUNTEER_STOPPED, TODAY, "C1", NOW)
    assert ended.waiting_again
    # The same decisions as pure functions on the round give the round the store holds.
    expected = end_match(
        decline(accept(round_, first), second), first.family_id, EndReason.VOLUNTEER_STOPPED, TODAY
    )
    assert _store(engine).load() == expected
    assert _store(engine).read().round == expected
    assert _store(engine).decisions() == [
        DecisionRecord(
            time=NOW,
            coordinator="C1",
            action=Action.ACCEPT,
            family_id=first.family_id,
            volunteer_id=first.volunteer_id,
            slot=first.slot,
        ),
        DecisionRecord(
            time=NOW + timedelta(minutes=1),
            coordinator="C2",
            action=Action.DECLINE,
            family_id=second.family_id,
            volunteer_id=second.volunteer_id,
            slot=second.slot,
        ),
        DecisionRecord(
            time=NOW,
            coordinator="C1",
            action=Action.END,
            family_id=first.family_id,
            volunteer_id=first.volunteer_id,
            reason=EndReason.VOLUNTEER_STOPPED,
            effective_date=TODAY,
        ),
    ]
    assert _version(engine) == 4  # the import, then three decisions
    with pytest.raises(DecisionError, match="already declined"):
        decide(store, result, second.family_id, False, "C2", NOW)
    assert len(store.decisions()) == 3


def test_a_decision_time_keeps_its_moment_whatever_its_zone(engine: Engine) -> None:
    store = _store(engine)
    store.save_round(_simple_round(1, 1))
    result = solve_round(store).result
    amsterdam = datetime(2026, 11, 24, 10, 30, tzinfo=timezone(timedelta(hours=1)))
    decide(store, result, "F0", True, "C1", amsterdam)
    (logged,) = store.decisions()
    assert logged.time == amsterdam
    assert logged.time.utcoffset() == timedelta(0)


# -- concurrency -------------------------------------------------------------------------------


def test_concurrent_accepts_for_one_place_let_exactly_one_through(engine: Engine) -> None:
    families = [f"F{i}" for i in range(CONCURRENT)]
    _store(engine).save_round(_simple_round(1, CONCURRENT))
    # A result offering the one volunteer's one place to all eight families.
    result = _proposals_result(_store(engine), families)

    def accepting(family_id: str) -> Callable[[], object]:
        return lambda: decide(_store(engine), result, family_id, True, "C1", NOW)

    outcomes = _at_once([accepting(f) for f in families])
    refused = [o for o in outcomes if isinstance(o, Exception)]
    assert len(refused) == CONCURRENT - 1
    assert all(isinstance(o, DecisionError) and "now full" in str(o) for o in refused), refused
    (winner,) = [f for f, o in zip(families, outcomes, strict=True) if o not in refused]
    assert [m.family_id for m in _store(engine).load().active_matches] == [winner]
    assert [(d.action, d.family_id) for d in _store(engine).decisions()] == [
        (Action.ACCEPT, winner)
    ]
    assert _version(engine) == 2


def test_concurrent_accepts_of_different_families_are_all_kept(engine: Engine) -> None:
    families = [f"F{i}" for i in range(CONCURRENT)]
    _store(engine).save_round(_simple_round(CONCURRENT, CONCURRENT))
    result = _proposals_result(_store(engine))
    assert sorted(p.family_id for p in result.proposals) == families

    def accepting(family_id: str) -> Callable[[], object]:
        return lambda: decide(_store(engine), result, family_id, True, "C1", NOW)

    outcomes = _at_once([accepting(f) for f in families])
    assert not [o for o in outcomes if isinstance(o, Exception)], outcomes
    round_ = _store(engine).load()
    assert sorted(m.family_id for m in round_.active_matches) == families
    assert sorted(m.volunteer_id for m in round_.active_matches) == sorted(
        p.volunteer_id for p in result.proposals
    )
    decisions = _store(engine).decisions()
    assert sorted(d.family_id for d in decisions) == families
    assert {d.action for d in decisions} == {Action.ACCEPT}
    # The log's order is the order the accepts were committed in: the matches' order.
    assert [d.family_id for d in decisions] == [m.family_id for m in round_.active_matches]
    assert _version(engine) == 1 + CONCURRENT


def test_a_transaction_waiting_too_long_for_the_lock_is_busy_and_changes_nothing(
    engine: Engine,
) -> None:
    _store(engine).save_round(_simple_round(2, 2))
    result = _proposals_result(_store(engine))
    held = threading.Event()
    release = threading.Event()

    def holder() -> None:
        with _store(engine).transaction():
            held.set()
            release.wait(timeout=60)

    thread = threading.Thread(target=holder)
    thread.start()
    try:
        assert held.wait(timeout=60)
        impatient = _store(engine, lock_timeout_s=0.2)
        with pytest.raises(StoreBusy, match="location 'L1' is being changed"):
            decide(impatient, result, "F0", True, "C1", NOW)
        assert impatient.read().round == _simple_round(2, 2)  # reading does not wait
    finally:
        release.set()
        thread.join()
    assert _store(engine).decisions() == []
    assert _version(engine) == 1


# -- all or nothing ----------------------------------------------------------------------------


class _Interrupted(Exception):
    pass


def test_a_transaction_left_by_an_exception_writes_nothing(engine: Engine) -> None:
    round_ = _simple_round(2, 2)
    _store(engine).save_round(round_)
    result = _proposals_result(_store(engine))
    with pytest.raises(_Interrupted), _store(engine).transaction() as transaction:
        assert transaction.round == round_
        raise _Interrupted
    assert _store(engine).load() == round_
    # A commit that fails half-way (its decision cannot be stored: a time without a zone)
    # takes back the rows it had already written.
    naive = datetime(2026, 11, 24, 9, 30)
    with pytest.raises(Exception, match="needs a time zone"):
        decide(_store(engine), result, "F0", True, "C1", naive)
    assert _store(engine).load() == round_
    assert _store(engine).decisions() == []
    assert _version(engine) == 1
    # And the location is free again: the next decision goes through.
    decide(_store(engine), result, "F0", True, "C1", NOW)
    assert [m.family_id for m in _store(engine).load().active_matches] == ["F0"]


def test_a_transaction_commits_once(engine: Engine) -> None:
    _store(engine).save_round(_simple_round(1, 1))
    result = _proposals_result(_store(engine))
    entry = DecisionRecord(
        time=NOW, coordinator="C1", action=Action.ACCEPT, family_id="F0", volunteer_id="V0"
    )
    with _store(engine).transaction() as transaction:
        updated = accept(transaction.round, result.proposals[0])
        transaction.commit(updated, entry)
        assert transaction.round == updated
        with pytest.raises(RuntimeError, match="already been committed"):
            transaction.commit(updated, entry)
    assert len(_store(engine).decisions()) == 1


# -- tenants -----------------------------------------------------------------------------------


def test_one_location_never_sees_another_s_rows(engine: Engine) -> None:
    # Both locations use the same ids: the case systems' ids are only unique per location.
    north, south = _simple_round(2, 2), _simple_round(3, 2, capacity=2)
    _store(engine, "north").save_round(north)
    _store(engine, "south").save_round(south)
    result = _proposals_result(_store(engine, "north"))
    decide(_store(engine, "north"), result, "F0", True, "C1", NOW)
    end(_store(engine, "north"), "F0", EndReason.FAMILY_COPES, TODAY, "C1", NOW)
    assert _store(engine, "south").load() == south
    assert _store(engine, "south").decisions() == []
    assert _version(engine, "south") == 1
    assert [d.action for d in _store(engine, "north").decisions()] == [Action.ACCEPT, Action.END]
    families = _store(engine, "north").load().families
    assert [(f.id, f.closed) for f in families] == [("F0", True), ("F1", False)]


def test_a_location_in_a_transaction_holds_up_others_only_on_sqlite(engine: Engine) -> None:
    for location in ("north", "south"):
        _store(engine, location).save_round(_simple_round(2, 2))
    result = _proposals_result(_store(engine, "south"))
    south = _store(engine, "south", lock_timeout_s=0.2)
    with _store(engine, "north").transaction():
        if engine.dialect.name == "sqlite":  # one write lock for the whole database file
            with pytest.raises(StoreBusy):
                decide(south, result, "F0", True, "C2", NOW)
        else:  # a row lock on the location
            decide(south, result, "F0", True, "C2", NOW)
    expected = [] if engine.dialect.name == "sqlite" else ["F0"]
    assert [d.family_id for d in south.decisions()] == expected


# -- writing only what changed, against a plain rewrite ---------------------------------------

_POOL = [volunteer(f"V{i}", km_north=i * 0.7, slots=SLOTS) for i in range(6)]
_FAMILIES = [family(f"F{i}", km_north=i * 0.3, slots=SLOTS) for i in range(4)]


@st.composite
def _rounds(draw: st.DrawFn) -> Round:
    """Rounds over a fixed pool of people: volunteers come, go, change and move about; pair
    lists (with repeats), absences and holidays grow, shrink and reorder."""
    volunteers = draw(st.permutations(_POOL))[: draw(st.integers(1, len(_POOL)))]
    volunteers = [v.model_copy(update={"capacity": draw(st.integers(1, 3))}) for v in volunteers]
    families = draw(st.permutations(_FAMILIES))
    # Few distinct pairs, so that lists repeat a pair often.
    pair = st.builds(
        Pair,
        family_id=st.sampled_from(["F0", "F1"]),
        volunteer_id=st.sampled_from([v.id for v in volunteers[:2]]),
    )
    people = [p.id for p in (*volunteers, *families)]
    day = st.dates(date(2026, 12, 1), date(2027, 6, 30))
    absence = st.builds(
        lambda who, start, days: Absence(person_id=who, start=start, end=start + days),
        st.sampled_from(people),
        day,
        st.sampled_from([timedelta(0), timedelta(days=6)]),
    )
    holiday = st.builds(
        lambda name, start: Period(name=name, start=start, end=start + timedelta(days=8)),
        st.sampled_from(["herfst", "kerst", "voorjaar"]),
        day,
    )
    return round_of(
        volunteers,
        families,
        declined_pairs=draw(st.lists(pair, max_size=5)),
        exclusions=draw(st.lists(pair, max_size=3)),
        absences=draw(st.lists(absence, max_size=4)),
        school_holidays=draw(st.lists(holiday, max_size=3)),
        weights=Weights(distance=draw(st.sampled_from([0.0, 2.0, 4.5]))),
    )


@settings(
    max_examples=40,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture],
)
@given(rounds=st.lists(_rounds(), min_size=2, max_size=4))
def test_successive_rounds_written_as_changes_read_back_exactly(
    engine: Engine, rounds: list[Round]
) -> None:
    # The location carries over from example to example: every save is a change of the last.
    store = _store(engine)
    for round_ in rounds:
        store.save_round(round_)
        assert store.load() == round_


def test_a_location_with_decisions_cannot_be_deleted_one_without_takes_its_rows(
    engine: Engine,
) -> None:
    for location in ("decided", "fresh"):
        _store(engine, location).save_round(_simple_round(2, 2))
    result = _proposals_result(_store(engine, "decided"))
    decide(_store(engine, "decided"), result, "F0", True, "C1", NOW)
    with pytest.raises(IntegrityError), engine.begin() as connection:
        connection.execute(delete(LocationRow).where(LocationRow.id == "decided"))
    assert len(_store(engine, "decided").decisions()) == 1
    with engine.begin() as connection:
        connection.execute(delete(LocationRow).where(LocationRow.id == "fresh"))
    with engine.connect() as connection:
        left = connection.scalar(
            select(func.count())
            .select_from(VolunteerRow)
            .where(VolunteerRow.location_id == "fresh")
        )
    assert left == 0


def test_an_sqlite_engine_not_made_for_the_store_is_refused(tmp_path: Path) -> None:
    plain = sqlalchemy.create_engine(f"sqlite:///{tmp_path / 'plain.db'}")
    with pytest.raises(ValueError, match=r"matcher\.db\.engine\.create_engine"):
        DatabaseRoundStore(plain, "L1", TODAY)
    configure(plain)
    assert DatabaseRoundStore(plain, "L1", TODAY).engine is plain


_DECIDE_IN_A_PROCESS = """
import sys
from datetime import UTC, date, datetime
from pathlib import Path
from matcher.db.engine import create_engine
from matcher.db.store import DatabaseRoundStore
from matcher.lifecycle.decisions import DecisionError
from matcher.result import SolveResult
from matcher.usecases import decide

url, schema, result, family_id = sys.argv[1:]
options = {"connect_args": {"options": f"-csearch_path={schema}"}} if schema else {}
store = DatabaseRoundStore(create_engine(url, **options), "L1", date(2026, 11, 24))
try:
    decide(store, SolveResult.model_validate_json(Path(result).read_text()), family_id, True,
           "C1", datetime.now(UTC))
except DecisionError:
    sys.exit(2)
"""


def test_concurrent_accepts_from_separate_processes_let_one_through(
    engine: Engine, tmp_path: Path
) -> None:
    families = [f"F{i}" for i in range(CONCURRENT)]
    _store(engine).save_round(_simple_round(1, CONCURRENT))
    result = tmp_path / "result.json"
    result.write_text(_proposals_result(_store(engine), families).model_dump_json())
    url = engine.url.render_as_string(hide_password=False)
    schema = ""
    if engine.dialect.name == "postgresql":
        with engine.connect() as connection:
            schema = str(connection.scalar(text("SELECT current_schema()")))

    def run(family_id: str) -> int:
        command = [sys.executable, "-c", _DECIDE_IN_A_PROCESS, url, schema, str(result), family_id]
        return subprocess.run(command, capture_output=True, timeout=120).returncode

    with ThreadPoolExecutor(CONCURRENT) as pool:
        codes = list(pool.map(run, families))
    assert sorted(codes) == [0] + [2] * (CONCURRENT - 1)
    winner = families[codes.index(0)]
    assert [m.family_id for m in _store(engine).load().active_matches] == [winner]
    assert [d.family_id for d in _store(engine).decisions()] == [winner]
