"""Backup and restore (archive/backup.py, `manage.py backup_archive` and `restore_archive`).

* A round trip: the demo data edited as archivists edit it (versions with
  users and reasons, a row and a record deleted, a draft added), backed up,
  the database emptied (users and groups too) and restored: every row of
  every model, every version, every user and group is as it was, the API
  gives the same answers (history and asOf included), the data version has
  advanced, and a new save gets a fresh id and exactly one version.
* A restore refuses, changing nothing, a database that is not empty, a
  damaged or truncated file, a file that is not a backup and a file from
  another migration state.
"""

import gzip
import io
import json
import re

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.core.management import CommandError, call_command
from django.db import connection
from django.db.migrations.loader import MigrationLoader
from django.urls import reverse
from django.utils import timezone

from archive import backup, change_reasons, data_version, search_index
from archive.models import Document, Event, Person, PersonName
from tests.admin_forms import form_data
from tests.graphql_client import gql
from tools import generator

pytestmark = pytest.mark.django_db

QUERIES = [
    """{
      document(slug: "sikorski-mayski-agreement") {
        title officialTitle date { edtf display earliest latest } place { name }
        parties { role state { name } }
        signatories { role person { name } onBehalfOf { name } }
        relatedDocuments { relation document { title } }
        history(pagination: {limit: 100}) { date type reason summary changes { field old new } }
      }
    }""",
    """{
      person(slug: "ivan-maisky") {
        name born { edtf display } nameForms { name language kind }
        positions { title state { name } period { display } }
        signed { document { title } onBehalfOf { name } }
        history(pagination: {limit: 100}) { date type reason summary changes { field old new } }
      }
    }""",
    """{
      events(filters: {dateFrom: "1939-01-01", dateTo: "1941-12-31"}, ordering: [{date: ASC}]) {
        totalCount results { slug name kind date { display } place { name } }
      }
    }""",
    """{
      search(text: "sikorski maisky") {
        score
        record { __typename ... on Document { title } ... on Person { name } ... on Event { name } }
      }
    }""",
    '{ persons(filters: {text: "majski"}) { totalCount results { slug name } } }',
    "{ documents { totalCount results { slug title } } }",
]
AS_OF = """
query ($t: DateTime) {
  person(slug: "ivan-maisky", asOf: $t) {
    name born { edtf } nameForms { name } signed { document { title } }
    history { date type reason }
  }
  document(slug: "sikorski-mayski-agreement", asOf: $t) {
    title signatories { person { name } } parties { state { name } }
  }
}
"""


def _iso(moment) -> str:
    return moment.isoformat().replace("+00:00", "Z")


def _edit_like_archivists(client, archivist, superuser) -> dict:
    """Versions by two users with reasons: an admin save, row changes, deletions, a draft.

    Returns the moments before and between the edits, for asOf, and the id
    of the deleted event.
    """
    moments = {"loaded": timezone.now()}
    maisky = Person.objects.get(slug="ivan-maisky")
    client.force_login(archivist)
    url = reverse("admin:archive_person_change", args=[maisky.pk])
    page = client.get(url)
    data = form_data(page, born="1884-01-07", change_reason="Julian calendar date checked")
    response = client.post(url, data)
    assert response.status_code == 302, response.context["errors"]

    sikorski = Person.objects.get(slug="wladyslaw-sikorski")
    form = PersonName(record=sikorski, name="Władysław Eugeniusz Sikorski", language="pl")
    form._history_user, form._change_reason = archivist, "Full name from the birth register"
    form.save()
    moments["edited"] = timezone.now()

    agreement = Document.objects.get(slug="sikorski-mayski-agreement")
    agreement.summary += " Signed in the presence of Winston Churchill."
    agreement._history_user, agreement._change_reason = superuser, "Witnesses added"
    agreement.save()
    doomed = maisky.name_forms.order_by("pk").first()
    doomed._history_user, doomed._change_reason = superuser, "Duplicate name form"
    doomed.delete()
    # The event with the highest id: after the restore, its id must not be
    # handed out again (it lives on in its versions).
    event = Event.objects.order_by("-pk").first()
    event._history_user = superuser
    moments["event"] = event.pk
    with change_reasons.reason_scope("Merged into another event"):
        event.delete()
    draft = Document(slug="draft-note", title="Draft note", kind="other")
    draft._history_user, draft._change_reason = archivist, "Started"
    draft.save()
    return moments


def _api_answers(client, moments) -> list:
    answers = [gql(client, query) for query in QUERIES]
    for moment in ("loaded", "edited"):
        answers.append(gql(client, AS_OF, {"t": _iso(moments[moment])}))
    return answers


def _everything() -> dict:
    """Every row of every model a backup holds, every column; groups by name."""
    user_model = get_user_model()
    rows = {
        model._meta.label: list(model._base_manager.order_by("pk").values())
        for model in backup.archive_models()
    }
    rows["auth.User"] = list(user_model.objects.order_by("pk").values())
    rows["memberships"] = sorted(
        user_model.groups.through.objects.values_list("user_id", "group__name")
    )
    rows["grants"] = sorted(
        user_model.user_permissions.through.objects.values_list("user_id", "permission__codename")
    )
    rows["groups"] = sorted(
        Group.permissions.through.objects.values_list("group__name", "permission__codename")
    )
    return rows


def _empty_database() -> None:
    generator.clear()  # every record, row and version
    get_user_model().objects.all().delete()
    Group.objects.all().delete()


def _archive_rows() -> int:
    return sum(model._base_manager.count() for model in backup.archive_models())


def _backup(path) -> tuple[str, str]:
    out, err = io.StringIO(), io.StringIO()
    call_command("backup_archive", str(path), stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


def _restore(path) -> tuple[str, str]:
    out, err = io.StringIO(), io.StringIO()
    call_command("restore_archive", str(path), stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


def _lines(path) -> list[str]:
    with gzip.open(path, "rt", encoding="utf-8") as backup_file:
        return backup_file.read().splitlines(keepends=True)


def _write(path, lines: list[str]) -> None:
    with gzip.open(path, "wt", encoding="utf-8") as backup_file:
        backup_file.writelines(lines)


def _sqlite_search_index_is_consistent() -> None:
    """FTS5 compares its index with the records' search texts; raises if they differ."""
    with connection.cursor() as cursor:
        for table in search_index.TABLES:
            fts = search_index.fts_table(table)
            cursor.execute(f"INSERT INTO {fts}({fts}, rank) VALUES ('integrity-check', 1)")
            cursor.execute(f"SELECT count(*) FROM {table}")
            (records,) = cursor.fetchone()
            cursor.execute(f"SELECT count(*) FROM {fts}")
            assert cursor.fetchone() == (records,), table


# A restore that commits: its transaction, the foreign-key checks at commit
# and the data version's advance are the real ones. serialized_rollback: the
# groups and permissions migrations made are there at the start, even after
# another committing test emptied the database.
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_a_restored_archive_is_the_archive_that_was_backed_up(
    client, demo, archivist, superuser, tmp_path
):
    moments = _edit_like_archivists(client, archivist, superuser)
    answers = _api_answers(client, moments)
    everything = _everything()
    version = data_version.from_db()
    path = tmp_path / "archive.jsonl.gz"

    summary, progress = _backup(path)

    header = json.loads(_lines(path)[0])
    # Models by label ("archive.Person"); memberships and grants are in auth.User's rows.
    counts = {label: len(everything[label]) for label in everything if "." in label}
    counts["auth.Group"] = Group.objects.count()
    assert header["format"] == "treaty-archive-backup" and header["version"] == 1
    assert header["migrations"] == backup.migration_state()
    leaves = MigrationLoader(None).graph.leaf_nodes("archive")
    assert [("archive", header["migrations"]["archive"])] == leaves
    assert header["counts"] == counts
    assert header["database"] == connection.vendor
    for label, rows in counts.items():
        assert re.search(rf"^  {re.escape(label)} +{rows:,} rows +[\d.]+ s$", progress, re.M)
    assert re.search(
        rf"^Backed up to {re.escape(str(path))}: {sum(counts.values()):,} rows of "
        rf"{len(counts)} models, [\d.]+ KiB, in [\d.]+ s\.$",
        summary,
        re.M,
    )
    versions = counts["archive.HistoricalPerson"]
    assert re.search(rf"^archive\.HistoricalPerson +{versions}$", summary, re.M)

    _empty_database()
    assert _archive_rows() == 0 and not get_user_model().objects.exists()
    assert gql(client, QUERIES[-1]) == {"documents": {"totalCount": 0, "results": []}}

    summary, progress = _restore(path)

    assert re.search(
        rf"^Restored the backup taken {re.escape(header['created'])} from {connection.vendor} "
        rf"\(Django [\d.]+\): {sum(counts.values()):,} rows of {len(counts)} models",
        summary,
        re.M,
    )
    assert "  archive.HistoricalDocument " in progress
    assert _everything() == everything
    assert _api_answers(client, moments) == answers
    assert data_version.from_db() > version
    if connection.vendor == "sqlite":
        _sqlite_search_index_is_consistent()

    # New rows and versions get ids never used before, deleted rows' included.
    deleted = moments["event"]
    last_version = max(v["history_id"] for v in everything["archive.HistoricalEvent"])
    event = Event.objects.create(slug="new-event", name="A new event", kind="other")
    assert event.pk == deleted + 1
    assert [(v.history_type, v.history_id) for v in event.history.all()] == [
        ("+", last_version + 1)
    ]
    maisky = Person.objects.get(slug="ivan-maisky")
    versions = maisky.history.count()
    maisky.died = "1975-09-03"
    maisky.save()
    last_version = max(v["history_id"] for v in everything["archive.HistoricalPerson"])
    assert maisky.history.count() == versions + 1
    assert maisky.history.first().history_id == last_version + 1


@pytest.fixture
def backup_file(demo, archivist, tmp_path):
    path = tmp_path / "archive.jsonl.gz"
    _backup(path)
    return path


def test_restore_refuses_a_database_that_is_not_empty_and_changes_nothing(backup_file):
    everything = _everything()
    version = data_version.from_db()
    rows = _archive_rows()
    with pytest.raises(CommandError) as refused:
        _restore(backup_file)
    assert str(refused.value) == (
        f"The database is not empty: it holds {rows:,} archive rows (records, rows and "
        "versions) and 1 user. A backup is restored only into a newly migrated database "
        "without archive data or users. Nothing was changed."
    )
    assert _everything() == everything
    assert data_version.from_db() == version


def test_restore_refuses_a_database_with_users_only(backup_file):
    generator.clear()
    with pytest.raises(CommandError, match="it holds 0 archive rows .* and 1 user\\."):
        _restore(backup_file)


def _truncated(path):
    data = path.read_bytes()
    path.write_bytes(data[: len(data) * 2 // 3])


def _row_dropped(path):
    lines = _lines(path)
    del lines[len(lines) // 2]
    _write(path, lines)


def _last_line_dropped(path):
    _write(path, _lines(path)[:-1])


def _change_first_row(path, label: str, column: str, value) -> None:
    lines = _lines(path)
    start = next(i for i, line in enumerate(lines) if f'"model":"{label}"' in line)
    columns = json.loads(lines[start])["columns"]
    row = json.loads(lines[start + 1])
    row[columns.index(column)] = value
    lines[start + 1] = json.dumps(row, ensure_ascii=False) + "\n"
    _write(path, lines)


def _bad_date(path):
    _change_first_row(path, "archive.HistoricalPerson", "history_date", "yesterday")


def _dangling_user(path):
    # A version naming a user the backup does not hold.
    _change_first_row(path, "archive.HistoricalDocument", "history_user_id", 999)


@pytest.mark.parametrize(
    ("damage", "message"),
    [
        (_truncated, "Compressed file ended before the end-of-stream marker was reached"),
        (_row_dropped, "line \\d+ (should start the rows of a model|is not a row of)"),
        (_last_line_dropped, "it ends at line \\d+, before its last line"),
        (_bad_date, "a row of archive.HistoricalPerson holds 'yesterday' as history_date"),
    ],
)
def test_restore_refuses_a_damaged_file_and_changes_nothing(backup_file, damage, message):
    damage(backup_file)
    _empty_database()
    version = data_version.from_db()
    with pytest.raises(CommandError) as refused:
        _restore(backup_file)
    assert re.fullmatch(
        f"The backup file is damaged or incomplete: .*{message}.*\\. Nothing was changed\\.",
        str(refused.value),
    ), str(refused.value)
    assert _archive_rows() == 0
    assert not get_user_model().objects.exists() and not Group.objects.exists()
    assert data_version.from_db() == version


def test_restore_refuses_rows_the_database_refuses_and_changes_nothing(backup_file):
    _dangling_user(backup_file)
    _empty_database()
    with pytest.raises(CommandError, match="^The database refused the backup's rows: .*"):
        _restore(backup_file)
    assert _archive_rows() == 0 and not get_user_model().objects.exists()


def test_restore_refuses_a_file_that_is_not_a_backup(db, tmp_path):
    for content in (b"", b"not gzip", gzip.compress(b'{"format": "something else"}\n')):
        path = tmp_path / "not-a-backup"
        path.write_bytes(content)
        with pytest.raises(CommandError) as refused:
            _restore(path)
        assert str(refused.value) == (
            "The file is not an archive backup (gzip-compressed JSON lines written by "
            "backup_archive, format treaty-archive-backup). Nothing was changed."
        )
    assert _archive_rows() == 0


def test_restore_refuses_a_file_from_another_migration_state(backup_file):
    lines = _lines(backup_file)
    header = json.loads(lines[0])
    ours = header["migrations"]["archive"]
    assert ours != "0001_initial"
    header["migrations"]["archive"] = "0001_initial"
    lines[0] = json.dumps(header) + "\n"
    _write(backup_file, lines)
    _empty_database()
    with pytest.raises(CommandError) as refused:
        _restore(backup_file)
    assert str(refused.value) == (
        "The backup comes from another migration state: archive 0001_initial in the "
        f"backup, {ours} here. Restore it into a database migrated to the backup's "
        "state (manage.py migrate <app> <migration>). Nothing was changed."
    )
    assert _archive_rows() == 0 and not get_user_model().objects.exists()
