"""Roles from a controlled list per relation (archive.models.roles), issue 15 item 5.

* The admin offers each relation's roles with what each means and refuses others.
* Migration 0009 reads the free text before into the lists, versioning each row
  it changes with the old text in the reason; its frozen lists are the live ones.
* An event's documents read the right way from the event's side.
* docs/data.md lists every role with its meaning.
"""

import html
import importlib
import re
from pathlib import Path

import pytest
from django.core.cache import caches
from django.core.management import call_command
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

from archive import data_version
from archive.models import (
    DocumentParty,
    DocumentSignatory,
    EventDocument,
    EventParticipant,
    EventState,
)
from tests.admin_forms import form_data, url
from tests.factories import make_document, make_event, make_person, make_state

MIGRATION = importlib.import_module("archive.migrations.0009_role_vocabularies")
RELATIONS = (DocumentParty, DocumentSignatory, EventParticipant, EventState, EventDocument)
DATA_MD = Path(__file__).resolve().parent.parent / "docs" / "data.md"


def test_the_migration_s_frozen_lists_are_the_live_ones():
    """0009 keeps its own copy of the lists (a migration imports no live code): a
    role added to a list later needs no migration of the rows, but one taken off
    does, and the copy here says which lists the stored rows were read into."""
    for model in RELATIONS:
        _, _, frozen = MIGRATION.RELATIONS[model._meta.model_name]
        assert frozen == [role.value for role in model.roles.roles], model.__name__


def test_the_migration_reads_text_as_the_live_lists_do():
    """A revert to a version from before the lists reads its role as 0009 read the
    rows (archive.admin.revert.read_old_roles): the two readings agree."""
    for model in RELATIONS:
        name = model._meta.model_name
        texts = [*MIGRATION.SYNONYMS.get(name, {}), "chief cook", " PARTY ", "Signed  At"]
        for text in texts:
            frozen = MIGRATION.read_role(name, text) or MIGRATION.RELATIONS[name][2][0]
            assert model.roles.read(text) == frozen, (name, text)


def test_a_migration_raises_the_cache_s_copy_of_the_data_version(db):
    """0009 writes without signals: post_migrate raises the copy that Redis-backed
    servers key their caches on to the row it left."""
    data_version.bump()
    number = data_version.from_db()
    caches["default"].delete(data_version.CACHE_KEY)
    call_command("migrate", verbosity=0)
    assert caches["default"].get(data_version.CACHE_KEY) == number


@pytest.mark.parametrize(
    "model, text, role",
    [
        (EventParticipant, "Soviet leader", "leader"),
        (EventParticipant, "  Head of  Mission ", "head of mission"),
        (EventParticipant, "chief cook", None),
        (EventState, "victim", "invaded"),
        (EventDocument, "Negotiated", "negotiated at"),
        (DocumentParty, "PARTY", "party"),
        (DocumentSignatory, "signatory for the USSR", None),
    ],
)
def test_the_migration_reads_free_text_as_a_role(model, text, role):
    assert MIGRATION.read_role(model._meta.model_name, text) == role


# Committed, as migrations are (see tests/test_admin_revert.py's migration test).
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_the_migration_moves_free_text_into_the_lists_and_keeps_it_in_history():
    event, stalin, eden = make_event(), make_person(), make_person()
    leader = EventParticipant.objects.create(event=event, person=stalin, role="participant")
    twin = EventParticipant.objects.create(event=event, person=stalin, role="leader")
    cook = EventParticipant.objects.create(event=event, person=eden, role="participant")
    state = EventState.objects.create(event=event, state=make_state(), role="party")
    # Free text, as rows held before the lists: written past the forms.
    EventParticipant.objects.filter(pk=leader.pk).update(role="Soviet leader")
    EventParticipant.objects.filter(pk=cook.pk).update(role="Chief Cook")
    EventState.objects.filter(pk=state.pk).update(role="victim")
    before = data_version.from_db()

    executor = MigrationExecutor(connection)
    executor.migrate([("archive", "0008_chronological_ordering")])
    executor.loader.build_graph()
    try:
        executor.migrate([("archive", "0009_role_vocabularies")])
    finally:
        executor.loader.build_graph()
        executor.migrate(executor.loader.graph.leaf_nodes())

    assert sorted(EventParticipant.objects.values_list("pk", "role")) == [
        (twin.pk, "leader"),
        (cook.pk, "participant"),
    ]
    assert EventState.objects.get().role == "invaded"
    versions = [
        (v.id, v.history_type, v.role, v.history_change_reason, v.history_user_id)
        for v in EventParticipant.history.filter(history_change_reason__isnull=False)
        .exclude(history_type="+")
        .order_by("id")
    ]
    assert versions == [
        (
            leader.pk,
            "-",
            "Soviet leader",
            "Removed: its role “Soviet leader” is now “leader”, from the controlled list of "
            "roles, which another row of the same records already had.",
            None,
        ),
        (
            cook.pk,
            "~",
            "participant",
            "The role “Chief Cook” is now “participant”, from the controlled list of roles.",
            None,
        ),
    ]
    (moved,) = EventState.history.filter(history_type="~")
    assert moved.history_change_reason == (
        "The role “victim” is now “invaded”, from the controlled list of roles."
    )
    # One action: a revert or a recovery finds the migration's versions together.
    actions = {v.action_id for v in EventParticipant.history.filter(history_type__in="~-")}
    assert actions == {moved.action_id}
    assert data_version.from_db() > before


@pytest.mark.parametrize("model", RELATIONS, ids=lambda model: model.__name__)
def test_the_admin_offers_each_relation_s_roles_and_says_what_each_means(client, archivist, model):
    owner_model = model._meta.get_field(model.owner_field).related_model
    owner = make_document() if owner_model._meta.model_name == "document" else make_event()
    client.force_login(archivist)
    page = client.get(url(owner_model, "change", owner.pk)).content.decode()
    prefix = model._meta.get_field(model.owner_field).remote_field.related_name
    select = re.search(
        rf'<select name="{prefix}-__prefix__-role"[^>]*>(.*?)</select>', page, re.S
    ).group(1)
    options = re.findall(r'<option value="([^"]*)"( selected)?>([^<]*)</option>', select)
    roles = model.roles.roles
    assert options == [
        (role.value, " selected" if role is roles[0] else "", role.value) for role in roles
    ]
    meanings = re.search(
        rf'</div>\s*<details class="role-meanings">\s*<summary>What each role of the '
        rf"{model._meta.verbose_name_plural} means</summary>\s*(?:<p>[^<]*</p>\s*)?<dl>(.*?)</dl>",
        page,
        re.S,
    ).group(1)
    assert [
        (html.unescape(value), html.unescape(meaning))
        for value, meaning in re.findall(r"<div><dt>([^<]*)</dt><dd>([^<]*)</dd></div>", meanings)
    ] == [(role.value, role.meaning) for role in roles]


def test_the_admin_refuses_a_role_off_the_list(client, archivist):
    event = make_event()
    client.force_login(archivist)
    change = url(type(event), "change", event.pk)
    data = form_data(
        client.get(change),
        change_reason="Add a participant",
        **{
            "participants-TOTAL_FORMS": "1",
            "participants-0-person": str(make_person().pk),
            "participants-0-role": "chief cook",
        },
    )
    response = client.post(change, data)
    assert response.status_code == 200
    assert response.context["errors"] == [
        ["Select a valid choice. chief cook is not one of the available choices."]
    ]
    assert not EventParticipant.objects.exists()


@pytest.mark.parametrize(
    "role, reads",
    [
        ("signed at", "signed at this event"),
        ("led to", "led to this event"),
        ("related", "related to this event"),
        ("invalidated", "declared what this event brought about void"),
    ],
)
def test_an_event_s_documents_read_from_the_event(db, role, reads):
    row = EventDocument(event=make_event(), document=make_document(), role=role)
    assert row.role_from_event == reads


def test_docs_list_every_role_with_its_meaning():
    text = DATA_MD.read_text(encoding="utf-8")
    for model in RELATIONS:
        for role in model.roles.roles:
            other = f" {role.from_other_side} |" if role.from_other_side else ""
            assert f"| {role.value} | {role.meaning} |{other}\n" in text, role


def test_each_list_says_each_thing_once():
    for model in RELATIONS:
        values = [role.value for role in model.roles.roles]
        meanings = [role.meaning for role in model.roles.roles]
        assert len(set(values)) == len(values) and len(set(meanings)) == len(meanings)
