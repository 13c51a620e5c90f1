"""Roles become controlled lists, one per relation (archive.models.roles).

The free text before is read into the lists: a role already on its list stays
(whatever its case or spacing), a known synonym becomes its role, anything else
becomes the relation's default. Every row changed gets a version whose reason
names the old text, so nothing typed is lost: the history keeps it. A row that
would then repeat another (same records, same role) is removed, with a version
saying so. The lists and synonyms are frozen here as they were.
"""

import re
import uuid
from collections import defaultdict

from django.db import migrations, models
from django.utils import timezone

# model: (owner column, other record's column, roles; the first the default)
RELATIONS = {
    "documentparty": (
        "document_id",
        "state_id",
        ["party", "guarantor", "mediator", "depositary", "observer"],
    ),
    "documentsignatory": (
        "document_id",
        "person_id",
        ["signatory", "countersignatory", "witness"],
    ),
    "eventparticipant": (
        "event_id",
        "person_id",
        [
            "participant", "architect", "leader", "negotiator", "mediator", "sponsor",
            "signatory", "head of mission", "member", "commander", "witness",
        ],
    ),
    "eventstate": (
        "event_id",
        "state_id",
        [
            "party", "aggressor", "invaded", "ally", "partitioning power", "partitioned",
            "mediator", "sponsor", "grantor", "sending state", "host", "observer",
        ],
    ),
    "eventdocument": (
        "event_id",
        "document_id",
        [
            "related", "negotiated at", "signed at", "led to", "resulted from",
            "implemented", "invalidated",
        ],
    ),
}  # fmt: skip
# Free text met before the lists (the demo data's and the generator's), by relation.
SYNONYMS = {
    "eventparticipant": {
        "soviet leader": "leader",
        "head of state": "leader",
        "head of government": "leader",
        "delegate": "member",
    },
    "eventstate": {"victim": "invaded"},
    "eventdocument": {"negotiated": "negotiated at", "annulled": "invalidated"},
}


def read_role(model_name, text):
    """The role of the list that ``text`` means, or None for the default."""
    _, _, roles = RELATIONS[model_name]
    key = re.sub(r"\s+", " ", text).strip().casefold()
    if key in roles:
        return key
    return SYNONYMS.get(model_name, {}).get(key)


# Rows updated, removed or versioned per statement.
BATCH = 500


def read_roles_into_lists(apps, schema_editor):
    """Read, per relation, the rows off its list and the role keys on it once; then
    update by new role, remove and version in batches: a generated archive of
    100,000 documents has some 54,000 rows to read."""
    now = timezone.now()
    action = uuid.uuid4()
    changed = 0
    for model_name, (owner, other, roles) in RELATIONS.items():
        model = apps.get_model("archive", model_name)
        history = apps.get_model("archive", f"historical{model_name}")
        columns = [field.attname for field in model._meta.concrete_fields]
        off_list = list(model.objects.exclude(role__in=roles).order_by("pk").values(*columns))
        if not off_list:
            continue
        taken = set(model.objects.filter(role__in=roles).values_list(owner, other, "role"))
        moved, removed, versions = defaultdict(list), [], []
        for row in off_list:
            old = row["role"]
            new = read_role(model_name, old) or roles[0]
            key = (row[owner], row[other], new)
            if key in taken:
                removed.append(row["id"])
                kind, reason = (
                    "-",
                    (
                        f"Removed: its role “{old}” is now “{new}”, from the controlled list "
                        f"of roles, which another row of the same records already had."
                    ),
                )
            else:
                taken.add(key)
                moved[new].append(row["id"])
                row = {**row, "role": new}
                kind = "~"
                reason = f"The role “{old}” is now “{new}”, from the controlled list of roles."
            versions.append(
                history(
                    **row,
                    history_date=now,
                    history_type=kind,
                    history_change_reason=reason,
                    history_user=None,
                    history_relation_id=row["id"],
                    action_id=action,
                )
            )
        for new, ids in moved.items():
            for start in range(0, len(ids), BATCH):
                model.objects.filter(pk__in=ids[start : start + BATCH]).update(role=new)
        for start in range(0, len(removed), BATCH):
            model.objects.filter(pk__in=removed[start : start + BATCH]).delete()
        history.objects.bulk_create(versions, batch_size=BATCH)
        changed += len(off_list)
    if changed:
        data_version = apps.get_model("archive", "DataVersion")
        number = int(now.timestamp() * 1_000_000)
        current = data_version.objects.filter(pk=1).values_list("number", flat=True).first()
        data_version.objects.update_or_create(
            pk=1, defaults={"number": max(number, (current or 0) + 1)}
        )


class Migration(migrations.Migration):
    dependencies = [
        ("archive", "0008_chronological_ordering"),
    ]

    operations = [
        migrations.AlterField(
            model_name="documentparty",
            name="role",
            field=models.CharField(
                choices=[
                    ("party", "party"),
                    ("guarantor", "guarantor"),
                    ("mediator", "mediator"),
                    ("depositary", "depositary"),
                    ("observer", "observer"),
                ],
                default="party",
                max_length=100,
            ),
        ),
        migrations.AlterField(
            model_name="documentsignatory",
            name="role",
            field=models.CharField(
                choices=[
                    ("signatory", "signatory"),
                    ("countersignatory", "countersignatory"),
                    ("witness", "witness"),
                ],
                default="signatory",
                max_length=100,
            ),
        ),
        migrations.AlterField(
            model_name="eventdocument",
            name="role",
            field=models.CharField(
                choices=[
                    ("related", "related"),
                    ("negotiated at", "negotiated at"),
                    ("signed at", "signed at"),
                    ("led to", "led to"),
                    ("resulted from", "resulted from"),
                    ("implemented", "implemented"),
                    ("invalidated", "invalidated"),
                ],
                default="related",
                max_length=100,
            ),
        ),
        migrations.AlterField(
            model_name="eventparticipant",
            name="role",
            field=models.CharField(
                choices=[
                    ("participant", "participant"),
                    ("architect", "architect"),
                    ("leader", "leader"),
                    ("negotiator", "negotiator"),
                    ("mediator", "mediator"),
                    ("sponsor", "sponsor"),
                    ("signatory", "signatory"),
                    ("head of mission", "head of mission"),
                    ("member", "member"),
                    ("commander", "commander"),
                    ("witness", "witness"),
                ],
                default="participant",
                max_length=100,
            ),
        ),
        migrations.AlterField(
            model_name="eventstate",
            name="role",
            field=models.CharField(
                choices=[
                    ("party", "party"),
                    ("aggressor", "aggressor"),
                    ("invaded", "invaded"),
                    ("ally", "ally"),
                    ("partitioning power", "partitioning power"),
                    ("partitioned", "partitioned"),
                    ("mediator", "mediator"),
                    ("sponsor", "sponsor"),
                    ("grantor", "grantor"),
                    ("sending state", "sending state"),
                    ("host", "host"),
                    ("observer", "observer"),
                ],
                default="party",
                max_length=100,
            ),
        ),
        migrations.AlterField(
            model_name="historicaldocumentparty",
            name="role",
            field=models.CharField(
                choices=[
                    ("party", "party"),
                    ("guarantor", "guarantor"),
                    ("mediator", "mediator"),
                    ("depositary", "depositary"),
                    ("observer", "observer"),
                ],
                default="party",
                max_length=100,
            ),
        ),
        migrations.AlterField(
            model_name="historicaldocumentsignatory",
            name="role",
            field=models.CharField(
                choices=[
                    ("signatory", "signatory"),
                    ("countersignatory", "countersignatory"),
                    ("witness", "witness"),
                ],
                default="signatory",
                max_length=100,
            ),
        ),
        migrations.AlterField(
            model_name="historicaleventdocument",
            name="role",
            field=models.CharField(
                choices=[
                    ("related", "related"),
                    ("negotiated at", "negotiated at"),
                    ("signed at", "signed at"),
                    ("led to", "led to"),
                    ("resulted from", "resulted from"),
                    ("implemented", "implemented"),
                    ("invalidated", "invalidated"),
                ],
                default="related",
                max_length=100,
            ),
        ),
        migrations.AlterField(
            model_name="historicaleventparticipant",
            name="role",
            field=models.CharField(
                choices=[
                    ("participant", "participant"),
                    ("architect", "architect"),
                    ("leader", "leader"),
                    ("negotiator", "negotiator"),
                    ("mediator", "mediator"),
                    ("sponsor", "sponsor"),
                    ("signatory", "signatory"),
                    ("head of mission", "head of mission"),
                    ("member", "member"),
                    ("commander", "commander"),
                    ("witness", "witness"),
                ],
                default="participant",
                max_length=100,
            ),
        ),
        migrations.AlterField(
            model_name="historicaleventstate",
            name="role",
            field=models.CharField(
                choices=[
                    ("party", "party"),
                    ("aggressor", "aggressor"),
                    ("invaded", "invaded"),
                    ("ally", "ally"),
                    ("partitioning power", "partitioning power"),
                    ("partitioned", "partitioned"),
                    ("mediator", "mediator"),
                    ("sponsor", "sponsor"),
                    ("grantor", "grantor"),
                    ("sending state", "sending state"),
                    ("host", "host"),
                    ("observer", "observer"),
                ],
                default="party",
                max_length=100,
            ),
        ),
        migrations.RunPython(read_roles_into_lists, migrations.RunPython.noop),
    ]
