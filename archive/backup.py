"""Backups of the whole archive in one file, and their restore into an empty database.

What a backup holds
    Every model of the ``archive`` app but the data version: records, rows,
    citations, sources and the historical model of each, every version as
    stored (its id, ``history_date`` to the microsecond, user, reason and
    type). With them what the versions point to: the users, with their ids
    (``history_user_id`` refers to them), password hashes, groups and
    permissions, and the groups with their permissions. Groups are named by
    name and permissions by natural key (codename, app label, model), because
    their ids differ from one database to another; migrations create both.
    Not the sessions, the admin's log or the data version: a restore advances
    the data version of the database it restores into.

The file
    gzip-compressed JSON lines, readable with ``zcat``. The first line is a
    header: the format and its version, when and from which database the
    backup was taken, the Django version, the latest applied migration of
    each app and the number of rows of each model. Then, per model, parents
    before the rows that point to them, a line naming the model, its columns
    and its number of rows, followed by the rows, one JSON array each, in
    primary-key order. The last line closes the file: a file that lacks it,
    or whose counts do not add up, is incomplete and restores nothing.
    Values are JSON where JSON has the type; dates and times are ISO 8601
    with every digit kept (``dumpdata`` cuts them to milliseconds, which would
    change the dates of versions), decimals are strings.

Consistency
    The backup reads one snapshot of the database (a REPEATABLE READ
    transaction on PostgreSQL, a read transaction on SQLite, which in WAL
    mode does not hold up writers), so that versions, rows and users written
    while it runs are either all in the file or all absent from it.

Restore
    Only into a database migrated to the backup's migration state that holds
    no archive rows and no users: a restore puts back rows with their ids, it
    merges nothing. The rows are written straight into their tables, as the
    generator writes them (:mod:`tools.generator`): no model is saved, no
    signal is sent, so no version is added and nothing derived is computed
    again; they come back exactly as they were. All of it is one
    transaction: a damaged or truncated file, or a row the database refuses,
    leaves the database as it was. Afterwards the next id of every table is
    beyond every id its rows and their versions have used (a deleted row's id
    lives on in its versions), SQLite's search index holds exactly the
    restored records (its triggers index every insert, see
    :mod:`archive.search_index`; PostgreSQL's trigram indexes follow inserts
    by themselves), and the data version has advanced, so that no API answer
    cached before is served again.
"""

from __future__ import annotations

import base64
import contextlib
import datetime
import decimal
import gzip
import io
import json
import time
import uuid
import zlib
from collections import defaultdict
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import BinaryIO

import django
from django.apps import apps
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group, Permission
from django.core.exceptions import ValidationError
from django.db import DatabaseError, connection, models, transaction
from django.db.migrations.loader import MigrationLoader
from django.db.models import Max
from django.utils import timezone
from django.utils.duration import duration_iso_string

from archive import bulk, data_version, search_index
from archive.data_version import DataVersion

FORMAT = "treaty-archive-backup"
VERSION = 1
# Rows read and written at a time.
BATCH = 2000
NOTHING_CHANGED = "Nothing was changed."

# progress(model label, rows, seconds since the start)
Progress = Callable[[str, int, float], None]


class BackupError(Exception):
    """A backup that cannot be taken or restored here; the message says why."""


@dataclass
class Result:
    """What a backup wrote or a restore read: rows per model, in file order."""

    header: dict
    counts: dict[str, int] = field(default_factory=dict)
    seconds: float = 0.0
    # Bytes of the compressed file (backup only).
    size: int = 0

    @property
    def total(self) -> int:
        return sum(self.counts.values())

    def summary(self, done: str) -> str:
        """A table of rows per model, then one line: ``done``, how much, how long."""
        lines = ["", f"{'model':<38} {'rows':>10}", f"{'-' * 38} {'-' * 10}"]
        lines += [f"{label:<38} {rows:>10,}" for label, rows in self.counts.items()]
        lines += [f"{'-' * 38} {'-' * 10}", f"{'total':<38} {self.total:>10,}", ""]
        size = f", {_size(self.size)}" if self.size else ""
        lines.append(
            f"{done}: {self.total:,} rows of {len(self.counts)} models{size}, "
            f"in {self.seconds:.1f} s."
        )
        return "\n".join(lines)


def _size(size: int) -> str:
    if size < 1024:
        return f"{size:,} bytes"
    if size < 1024 * 1024:
        return f"{size / 1024:,.1f} KiB"
    return f"{size / 1024 / 1024:,.1f} MiB"


# --- what a backup holds -------------------------------------------------------


def archive_models() -> list[type[models.Model]]:
    """Every model of the archive but the data version, parents first."""
    found = [
        model
        for model in apps.get_app_config("archive").get_models(include_auto_created=True)
        if model is not DataVersion
    ]
    return _parents_first(found)


def _parents_first(model_list: list[type[models.Model]]) -> list[type[models.Model]]:
    """``model_list`` ordered so that a model comes after every model it points to.

    Keeps the registry's order otherwise. Foreign keys are checked at the end
    of the restore (they are deferred on both databases), so a cycle, if one
    ever appeared, would only be written in registry order.
    """
    remaining, ordered = list(model_list), []
    while remaining:
        pending = set(remaining)
        for model in remaining:
            parents = {f.related_model for f in model._meta.concrete_fields if f.is_relation}
            if not (parents - {model}) & pending:
                break
        else:
            model = remaining[0]
        ordered.append(model)
        remaining.remove(model)
    return ordered


def _columns(model: type[models.Model]) -> list[models.Field]:
    # Generated columns are computed by the database: neither read nor written.
    return [f for f in model._meta.concrete_fields if not f.generated]


def migration_state() -> dict[str, str]:
    """The latest applied migration of each app: ``{"archive": "0006_date_spans", …}``.

    Two leaves of one app (a merge not yet made) are both named.
    """
    loader = MigrationLoader(connection, ignore_no_migrations=True)
    applied = set(loader.applied_migrations)
    latest = defaultdict(list)
    for key in sorted(applied):
        node = loader.graph.node_map.get(key)
        if node is None:
            continue  # recorded, but no longer on disk (replaced by a squash)
        if not any(child.key in applied and child.key[0] == key[0] for child in node.children):
            latest[key[0]].append(key[1])
    return {app: ", ".join(names) for app, names in sorted(latest.items())}


class _Section:
    """One model's rows in a backup: its label, its columns, how to read and write them."""

    def __init__(self, model: type[models.Model]):
        self.model = model
        self.label = model._meta.label
        self.fields = _columns(model)
        self.columns = [f.attname for f in self.fields]

    def count(self) -> int:
        return self.model._base_manager.count()

    def rows(self) -> Iterator[list]:
        attnames = [f.attname for f in self.fields]
        rows = self.model._base_manager.order_by("pk").values_list(*attnames)
        for row in rows.iterator(chunk_size=BATCH):
            yield list(row)

    def writer(self, columns: list[str]) -> _RowWriter:
        return _RowWriter(self.model, columns)


class _UserSection(_Section):
    """Users, with the names of their groups and the natural keys of their permissions."""

    EXTRA = ["groups", "user_permissions"]

    def __init__(self):
        super().__init__(get_user_model())
        self.pk_index = self.columns.index(self.model._meta.pk.attname)
        self.columns = self.columns + self.EXTRA

    def rows(self) -> Iterator[list]:
        groups, permissions = defaultdict(list), defaultdict(list)
        through = self.model.groups.through.objects.order_by("group__name")
        for user_id, name in through.values_list("user_id", "group__name"):
            groups[user_id].append(name)
        through = self.model.user_permissions.through.objects.order_by("permission_id")
        for user_id, *key in through.values_list("user_id", *_PERMISSION_KEY):
            permissions[user_id].append(key)
        for row in super().rows():
            pk = row[self.pk_index]
            yield row + [groups[pk], permissions[pk]]

    def writer(self, columns: list[str]) -> _UserWriter:
        if columns[-len(self.EXTRA) :] != self.EXTRA:
            raise _damaged(f"the columns of {self.label} do not end with {self.EXTRA}")
        return _UserWriter(self.model, columns[: -len(self.EXTRA)])


class _GroupSection(_Section):
    """Groups by name, with the natural keys of their permissions."""

    def __init__(self):
        self.model = Group
        self.label = Group._meta.label
        self.columns = ["name", "permissions"]

    def rows(self) -> Iterator[list]:
        permissions = defaultdict(list)
        through = Group.permissions.through.objects.order_by("permission_id")
        for group_id, *key in through.values_list("group_id", *_PERMISSION_KEY):
            permissions[group_id].append(key)
        for group_id, name in Group.objects.order_by("name").values_list("id", "name"):
            yield [name, permissions[group_id]]

    def writer(self, columns: list[str]) -> _GroupWriter:
        return _GroupWriter()


_PERMISSION_KEY = (
    "permission__codename",
    "permission__content_type__app_label",
    "permission__content_type__model",
)


def _sections() -> list[_Section]:
    # Groups before users (users name their groups), users before the
    # versions that name them.
    return [_GroupSection(), _UserSection()] + [_Section(m) for m in archive_models()]


# --- backup --------------------------------------------------------------------


def backup(out: BinaryIO, *, progress: Progress | None = None) -> Result:
    """Write the whole archive to ``out`` (a binary file), gzip-compressed.

    Returns what it wrote. ``out`` is left open.
    """
    started = time.perf_counter()
    counted = _CountingWriter(out)
    with _snapshot():
        sections = _sections()
        counts = {section.label: section.count() for section in sections}
        header = {
            "format": FORMAT,
            "version": VERSION,
            "created": timezone.now().isoformat(),
            "database": connection.vendor,
            "django": django.get_version(),
            "migrations": migration_state(),
            "counts": counts,
        }
        result = Result(header=header)
        # mtime=0: the header says when the backup was taken; the same data
        # then gives the same bytes.
        with (
            gzip.GzipFile(fileobj=counted, mode="wb", compresslevel=6, mtime=0) as compressed,
            io.TextIOWrapper(compressed, encoding="utf-8", newline="\n") as text,
        ):
            text.write(_dumps(header) + "\n")
            for section in sections:
                expected = counts[section.label]
                meta = {"model": section.label, "columns": section.columns, "count": expected}
                text.write(_dumps(meta) + "\n")
                written = 0
                for row in section.rows():
                    text.write(_dumps(row) + "\n")
                    written += 1
                if written != expected:  # only without a snapshot (another database)
                    raise BackupError(
                        f"{section.label} changed while it was being read ({expected} rows "
                        f"counted, {written} read): take the backup again."
                    )
                result.counts[section.label] = written
                if progress:
                    progress(section.label, written, time.perf_counter() - started)
            text.write(_dumps({"end": FORMAT, "rows": result.total}) + "\n")
    result.size = counted.size
    result.seconds = time.perf_counter() - started
    return result


@contextlib.contextmanager
def _snapshot():
    """Read the whole backup from one state of the database (see the module docstring)."""
    if connection.in_atomic_block:
        yield  # the caller's transaction is the snapshot (tests run in one)
        return
    # Connect, and let Django run its health check, before the transaction:
    # on PostgreSQL the isolation level must be its first statement.
    with connection.cursor():
        pass
    if connection.vendor == "postgresql":
        with transaction.atomic():
            with connection.cursor() as cursor:
                cursor.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY")
            yield
    elif connection.vendor == "sqlite":
        # Django would begin an IMMEDIATE transaction (the settings ask for it
        # for writers), which locks out every writer while the backup runs; a
        # deferred one only reads, from the state at its first read.
        with connection.cursor() as cursor:
            cursor.execute("BEGIN DEFERRED")
        try:
            yield
        finally:
            with connection.cursor() as cursor:
                cursor.execute("COMMIT")
    else:
        with transaction.atomic():
            yield


class _CountingWriter(io.RawIOBase):
    """A binary file that passes writes on to another and counts the bytes."""

    def __init__(self, out: BinaryIO):
        self.out = out
        self.size = 0

    def writable(self) -> bool:
        return True

    def write(self, data) -> int:
        self.out.write(data)
        self.size += len(data)
        return len(data)

    def flush(self) -> None:
        self.out.flush()


def _dumps(value) -> str:
    return json.dumps(value, ensure_ascii=False, separators=(",", ":"), default=_encode)


def _encode(value):
    """A value JSON has no type for, as text its field reads back (``Field.to_python``)."""
    if isinstance(value, datetime.date | datetime.time):  # datetimes too
        return value.isoformat()
    if isinstance(value, decimal.Decimal | uuid.UUID):
        return str(value)
    if isinstance(value, datetime.timedelta):
        return duration_iso_string(value)
    if isinstance(value, bytes | memoryview):
        return base64.b64encode(value).decode("ascii")
    raise TypeError(f"A backup cannot hold a {type(value).__name__}: {value!r}")


# --- restore -------------------------------------------------------------------


def restore(source: BinaryIO, *, progress: Progress | None = None) -> Result:
    """Restore the backup read from ``source`` into this empty database, in one transaction.

    Raises :class:`BackupError`, having changed nothing, when the file is not
    a backup, comes from another migration state, is damaged or incomplete,
    or the database is not empty.
    """
    started = time.perf_counter()
    try:
        with (
            gzip.GzipFile(fileobj=source, mode="rb") as compressed,
            io.TextIOWrapper(compressed, encoding="utf-8", newline="\n") as text,
        ):
            reader = _Reader(text)
            header = reader.header()
            sections = {section.label: section for section in _sections()}
            _check_sections(header, sections)
            result = Result(header=header)
            with transaction.atomic():
                _check_empty()
                # First, as every writer does: the data version's lock is the
                # first one taken (see archive.data_version).
                data_version.bump()
                _clear_sqlite_search_index()
                for label, rows in reader.sections(sections):
                    result.counts[label] = rows
                    if progress:
                        progress(label, rows, time.perf_counter() - started)
                reader.end(result.total)
                loaded = [sections[label].model for label in result.counts]
                tables = [model._meta.db_table for model in loaded]
                # Deferred foreign keys would be checked at commit; checked
                # here, a dangling one is reported like any other damage.
                connection.check_constraints(table_names=tables)
                _advance_sequences(loaded)
    except BackupError:
        raise
    except DatabaseError as error:
        raise BackupError(
            f"The database refused the backup's rows: {error}. {NOTHING_CHANGED}"
        ) from error
    except (EOFError, OSError, zlib.error, UnicodeDecodeError) as error:
        # gzip.BadGzipFile is an OSError; a file cut short ends in an EOFError.
        raise _damaged(str(error)) from error
    result.seconds = time.perf_counter() - started
    return result


def _damaged(why: str) -> BackupError:
    return BackupError(f"The backup file is damaged or incomplete: {why}. {NOTHING_CHANGED}")


class _Reader:
    """Reads a backup's lines in order, checking every count the file gives."""

    def __init__(self, text: io.TextIOWrapper):
        self.text = text
        self.line = 0
        self.counts: dict[str, int] = {}

    def _next(self):
        line = self.text.readline()
        if not line:
            raise _damaged(f"it ends at line {self.line}, before its last line")
        self.line += 1
        try:
            return json.loads(line)
        except ValueError as error:
            if self.line == 1:
                raise _not_a_backup() from error
            raise _damaged(f"line {self.line} is not JSON ({error})") from error

    def header(self) -> dict:
        try:
            header = self._next()
        except (OSError, EOFError, UnicodeDecodeError, BackupError) as error:
            raise _not_a_backup() from error
        if not isinstance(header, dict) or header.get("format") != FORMAT:
            raise _not_a_backup()
        if header.get("version") != VERSION:
            raise BackupError(
                f"The backup is in version {header.get('version')} of the backup format; "
                f"this archive reads version {VERSION}. {NOTHING_CHANGED}"
            )
        _check_migrations(header.get("migrations") or {})
        counts = header.get("counts")
        if not isinstance(counts, dict) or not all(isinstance(n, int) for n in counts.values()):
            raise _damaged("its header has no counts")
        self.counts = header["counts"]
        return header

    def sections(self, sections: dict[str, _Section]) -> Iterator[tuple[str, int]]:
        """Write each model's rows; yield its label and its rows as each is done."""
        done = set()
        while len(done) < len(self.counts):
            meta = self._next()
            if not isinstance(meta, dict) or not isinstance(meta.get("model"), str):
                raise _damaged(f"line {self.line} should start the rows of a model")
            if meta["model"] not in self.counts:
                raise _damaged(f"line {self.line} should start the rows of a model")
            label, columns, count = meta["model"], meta.get("columns"), meta.get("count")
            if label in done:
                raise _damaged(f"it holds the rows of {label} twice")
            if count != self.counts[label]:
                raise _damaged(
                    f"its header counts {self.counts[label]} rows of {label}, "
                    f"line {self.line} {count}"
                )
            section = sections[label]
            if not isinstance(columns, list) or sorted(columns) != sorted(section.columns):
                raise BackupError(
                    f"The backup's columns of {label} are not this archive's "
                    f"({', '.join(map(str, columns or []))}). {NOTHING_CHANGED}"
                )
            writer = section.writer(columns)
            batch = []
            for _ in range(count):
                row = self._next()
                if not isinstance(row, list) or len(row) != len(columns):
                    raise _damaged(f"line {self.line} is not a row of {label}")
                batch.append(row)
                if len(batch) == BATCH:
                    writer.write(batch)
                    batch = []
            writer.write(batch)
            done.add(label)
            yield label, count

    def end(self, total: int) -> None:
        last = self._next()
        if last != {"end": FORMAT, "rows": total}:
            raise _damaged(f"line {self.line} should be its last line")
        # Reading to the end makes gzip check the file's checksum and length.
        if self.text.read():
            raise _damaged(f"it goes on after its last line ({self.line})")


def _not_a_backup() -> BackupError:
    return BackupError(
        f"The file is not an archive backup (gzip-compressed JSON lines written by "
        f"backup_archive, format {FORMAT}). {NOTHING_CHANGED}"
    )


def _check_migrations(theirs: dict[str, str]) -> None:
    ours = migration_state()
    if theirs == ours:
        return
    differences = [
        f"{app} {theirs.get(app, '(none)')} in the backup, {ours.get(app, '(none)')} here"
        for app in sorted(set(theirs) | set(ours))
        if theirs.get(app) != ours.get(app)
    ]
    raise BackupError(
        "The backup comes from another migration state: "
        + "; ".join(differences)
        + ". Restore it into a database migrated to the backup's state "
        f"(manage.py migrate <app> <migration>). {NOTHING_CHANGED}"
    )


def _check_empty() -> None:
    rows = sum(model._base_manager.count() for model in archive_models())
    users = get_user_model()._base_manager.count()
    if rows or users:
        raise BackupError(
            f"The database is not empty: it holds {_plural(rows, 'archive row')} (records, "
            f"rows and versions) and {_plural(users, 'user')}. A backup is restored only "
            f"into a newly migrated database without archive data or users. {NOTHING_CHANGED}"
        )


def _check_sections(header: dict, sections: dict[str, _Section]) -> None:
    theirs, ours = set(header["counts"]), set(sections)
    if theirs != ours:
        raise BackupError(
            f"The backup's models are not this archive's: it lacks "
            f"{', '.join(sorted(ours - theirs)) or 'none'} and has "
            f"{', '.join(sorted(theirs - ours)) or 'no other'}. {NOTHING_CHANGED}"
        )


def _plural(number: int, noun: str) -> str:
    return f"{number:,} {noun}{'' if number == 1 else 's'}"


# --- writing -------------------------------------------------------------------


class _RowWriter:
    """Writes rows, given as lists of ``columns`` values, straight into a model's table.

    Values JSON has no type for (dates, decimals…) are read back by their
    field and prepared as the ORM prepares them (:mod:`archive.bulk` writes).
    """

    def __init__(self, model: type[models.Model], columns: list[str]):
        by_attname = {f.attname: f for f in _columns(model)}
        fields = [by_attname[name] for name in columns]
        self.label = model._meta.label
        self.model, self.fields = model, fields
        self.convert = [(index, f) for index, f in enumerate(fields) if not bulk.is_plain(f)]

    def write(self, rows: list[list]) -> None:
        if not rows:
            return
        for row in rows:
            for index, f in self.convert:
                value = row[index]
                if value is None:
                    continue
                try:
                    row[index] = f.get_db_prep_save(f.to_python(value), connection)
                except (ValidationError, TypeError, ValueError) as error:
                    raise _damaged(f"a row of {self.label} holds {value!r} as {f.name}") from error
        bulk.insert(self.model, self.fields, rows)


def _permission_ids() -> dict[tuple[str, str, str], int]:
    """Permission ids by natural key: (codename, app label, model)."""
    permissions = Permission.objects.values_list(
        "id", "codename", "content_type__app_label", "content_type__model"
    )
    return {tuple(key): pk for pk, *key in permissions}


def _permissions(keys: list, ids: dict, owner: str) -> list[int]:
    try:
        return [ids[tuple(key)] for key in keys]
    except (KeyError, TypeError) as error:
        raise BackupError(
            f"The backup gives {owner} the permission {error}, which this database does "
            f"not have. {NOTHING_CHANGED}"
        ) from error


class _GroupWriter:
    """Gives each group of the backup the backup's permissions, creating it if needed.

    Migrations create the archive's groups, so an empty database has them
    already: they are matched by name.
    """

    def __init__(self):
        self.permission_ids = _permission_ids()

    def write(self, rows: list[list]) -> None:
        for name, permissions in rows:
            group, _ = Group.objects.get_or_create(name=name)
            ids = _permissions(permissions, self.permission_ids, f"the group {name}")
            group.permissions.set(ids)


class _UserWriter(_RowWriter):
    """Users with their own ids, then their groups (by name) and permissions."""

    def __init__(self, model: type[models.Model], columns: list[str]):
        super().__init__(model, columns)
        self.model = model
        self.pk_index = columns.index(model._meta.pk.attname)
        self.permission_ids = _permission_ids()

    def write(self, rows: list[list]) -> None:
        if not rows:
            return
        group_ids = dict(Group.objects.values_list("name", "id"))
        memberships, grants = [], []
        Membership = self.model.groups.through
        Grant = self.model.user_permissions.through
        for row in rows:
            user_id, groups, permissions = row[self.pk_index], row[-2], row[-1]
            for name in groups:
                if name not in group_ids:
                    raise _damaged(f"user {user_id} is in the group {name}, which it lacks")
                memberships.append(Membership(user_id=user_id, group_id=group_ids[name]))
            for permission_id in _permissions(permissions, self.permission_ids, f"user {user_id}"):
                grants.append(Grant(user_id=user_id, permission_id=permission_id))
        super().write([row[:-2] for row in rows])
        Membership.objects.bulk_create(memberships)
        Grant.objects.bulk_create(grants)


def _clear_sqlite_search_index() -> None:
    """Empty SQLite's FTS5 tables before the records are written.

    The triggers of :mod:`archive.search_index` index every record inserted,
    raw inserts too, so the index ends up holding exactly the restored
    records, provided it starts empty: an index left behind by writes that
    bypassed the triggers would otherwise keep entries of records that are
    not there. ``delete-all`` empties an external-content index.
    """
    if connection.vendor != "sqlite":
        return
    with connection.cursor() as cursor:
        for table in search_index.TABLES:
            fts = search_index.fts_table(table)
            cursor.execute(f"INSERT INTO {fts}({fts}) VALUES ('delete-all')")


def _advance_sequences(loaded: list[type[models.Model]]) -> None:
    """Make each table's next id one that none of its rows, nor their versions, ever had.

    Rows were written with their ids, which leaves PostgreSQL's sequences
    where they were. A deleted row's id lives on in its versions: a new row
    given that id would inherit its history. So the next id goes beyond the
    versions' ids too, as the database it was backed up from would have had it.
    """
    history_of = {
        history.instance_type: history
        for history in loaded
        if getattr(history, "instance_type", None) is not None
    }
    with connection.cursor() as cursor:
        for model in loaded:
            pk = model._meta.pk
            if not isinstance(pk, models.AutoField):
                continue
            top = model._base_manager.aggregate(top=Max(pk.attname))["top"] or 0
            if model in history_of:
                versions = history_of[model]._base_manager.aggregate(top=Max(pk.attname))
                top = max(top, versions["top"] or 0)
            table = model._meta.db_table
            if connection.vendor == "postgresql":
                cursor.execute(
                    "SELECT setval(pg_get_serial_sequence(%s, %s), %s, %s)",
                    [connection.ops.quote_name(table), pk.column, max(top, 1), top > 0],
                )
            elif connection.vendor == "sqlite" and top:
                # AUTOINCREMENT tables keep their next id in sqlite_sequence.
                cursor.execute(
                    "UPDATE sqlite_sequence SET seq = MAX(seq, %s) WHERE name = %s", [top, table]
                )
                if cursor.rowcount == 0:
                    cursor.execute(
                        "INSERT INTO sqlite_sequence (name, seq) VALUES (%s, %s)", [table, top]
                    )
