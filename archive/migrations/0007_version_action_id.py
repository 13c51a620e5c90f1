"""Every version names the action that wrote it (``action_id``).

Versions written before get an id derived from what one action's versions
share: their moment, user and reason (an admin save, delete or revert and a
fixture load dated all their versions alike). The derivation is frozen here.
"""

import uuid

from django.db import migrations, models

HISTORICAL_MODELS = [
    "historicaldocument",
    "historicaldocumentcitation",
    "historicaldocumentlink",
    "historicaldocumentparty",
    "historicaldocumentsignatory",
    "historicalevent",
    "historicaleventcitation",
    "historicaleventdocument",
    "historicaleventparticipant",
    "historicaleventstate",
    "historicalperson",
    "historicalpersoncitation",
    "historicalpersonname",
    "historicalplace",
    "historicalplacecitation",
    "historicalplacename",
    "historicalposition",
    "historicalprovision",
    "historicalsource",
    "historicalstate",
    "historicalstatecitation",
    "historicalstatename",
]
# Any fixed namespace: the ids only need to agree between tables.
NAMESPACE = uuid.UUID("5f0c4a3e-2b1d-4c8e-9a6f-0d7e3b2c1a94")


def action_of(date, user_id, reason) -> uuid.UUID:
    return uuid.uuid5(NAMESPACE, f"{date.isoformat()}|{user_id}|{reason}")


# Versions read, and ids written to the scratch table, per statement.
BATCH = 2000


def give_old_versions_their_action(apps, schema_editor):
    """Each version gets the id of its (moment, user, reason).

    The ids are derived in Python (SQLite has no SHA-1 for uuid5), written a
    page at a time to a scratch table keyed by version, and set by one UPDATE
    per history table. The UPDATE per (moment, user, reason) it replaces ran
    once per version (the history's default ordering put ``history_id`` in its
    DISTINCT), each rewriting every version of its action: quadratic where the
    versions share one key, as in a generated or loaded archive.
    """
    connection = schema_editor.connection
    quote = connection.ops.quote_name
    action_field = models.UUIDField(null=True)
    scratch = quote("archive_0007_version_action")
    with connection.cursor() as cursor:
        cursor.execute(
            f"CREATE TEMPORARY TABLE {scratch} (version integer PRIMARY KEY, "
            f"action {action_field.db_type(connection)} NOT NULL)"
        )
        for name in HISTORICAL_MODELS:
            model = apps.get_model("archive", name)
            versions = model._base_manager.using(connection.alias).order_by("pk")
            last = None
            while True:
                page = versions if last is None else versions.filter(pk__gt=last)
                rows = list(
                    page.values_list(
                        "pk", "history_date", "history_user_id", "history_change_reason"
                    )[:BATCH]
                )
                if not rows:
                    break
                values = []
                for pk, date, user_id, reason in rows:
                    action = action_of(date, user_id, reason)
                    values += [pk, action_field.get_db_prep_value(action, connection)]
                cursor.execute(
                    f"INSERT INTO {scratch} (version, action) VALUES "
                    + ", ".join(["(%s, %s)"] * len(rows)),
                    values,
                )
                last = rows[-1][0]
            table = quote(model._meta.db_table)
            pk = quote(model._meta.pk.column)
            cursor.execute(
                f"UPDATE {table} SET action_id = "
                f"(SELECT action FROM {scratch} WHERE version = {table}.{pk})"
            )
            cursor.execute(f"DELETE FROM {scratch}")
        cursor.execute(f"DROP TABLE {scratch}")


class Migration(migrations.Migration):
    dependencies = [
        ("archive", "0006_date_spans"),
    ]

    operations = [
        *(
            migrations.AddField(
                model_name=name,
                name="action_id",
                field=models.UUIDField(editable=False, null=True),
            )
            for name in HISTORICAL_MODELS
        ),
        migrations.RunPython(give_old_versions_their_action, migrations.RunPython.noop),
        *(
            migrations.AlterField(
                model_name=name,
                name="action_id",
                field=models.UUIDField(db_index=True, default=uuid.uuid4, editable=False),
            )
            for name in HISTORICAL_MODELS
        ),
    ]
