"""The load test's own check (tools/loadtest/checks.py): what locust cannot know,
whether each save the archivist made is in the database and its history."""

import pytest

from tests.factories import make_person
from tools.loadtest.checks import evaluate, verify_saves


def _saved(person, value: str, reason: str) -> None:
    person.description = value
    person._change_reason = reason
    person.save()


def _save(number, person, value, outcome="saved"):
    save = {"number": number, "pk": person.pk, "value": value, "reason": f"reason {number}"}
    save.update(outcome=outcome, started=0.0, finished=0.0)
    if outcome == "failed":
        save.update(stage="save", error="ConnectionError: cut")
    return save


@pytest.mark.django_db
def test_the_save_check_finds_lost_doubled_and_half_done_saves():
    person = make_person(description="before", published=True)
    _saved(person, "one", "reason 1")
    _saved(person, "four", "reason 4")
    _saved(person, "four", "reason 4")  # the same save written twice
    _saved(person, "three", "another reason")  # a value without its reason: half a save
    saves = [
        _save(1, person, "one"),
        _save(2, person, "two"),  # answered as saved, never written
        _save(3, person, "three", outcome="failed"),
        _save(4, person, "four"),
    ]

    verified = verify_saves(saves, {person.pk: "before"})

    assert (verified["made"], verified["succeeded"], verified["failed"]) == (4, 3, 1)
    assert verified["found"] == 2
    assert (verified["lost"], verified["doubled"], verified["half_done"]) == ([2], [4], [3])
    assert verified["out_of_order"] == verified["failed_but_committed"] == []
    # "three" is held, but the last save found wrote "four"
    assert verified["wrong_current_value"] == [person.pk]
    assert verified["failures"] == ["save: ConnectionError: cut"]

    checks = evaluate(
        database="sqlite",
        with_faults=False,
        reads=10,
        read_failure_seconds={},
        saves=saves,
        verified=verified,
        probes=[],
        timeline={},
        faults={},
        server={"database_is_locked": 0},
        start=0.0,
    )
    assert [name for name, passed, _ in checks if not passed] == [
        "zero failed saves",
        "every successful save is in the database and the history, in order",
        "no failed save half-done",
    ]


@pytest.mark.django_db
def test_the_save_check_finds_saves_out_of_order_and_a_failed_save_written_whole():
    person = make_person(description="before", published=True)
    _saved(person, "two", "reason 2")
    _saved(person, "one", "reason 1")  # save 1 reached the history after save 2
    _saved(person, "three", "reason 3")  # its answer was lost, the save was not

    verified = verify_saves(
        [_save(1, person, "one"), _save(2, person, "two"), _save(3, person, "three", "failed")],
        {person.pk: "before"},
    )

    assert verified["out_of_order"] == [person.pk]
    assert verified["failed_but_committed"] == [3]
    assert verified["lost"] == verified["half_done"] == verified["wrong_current_value"] == []
