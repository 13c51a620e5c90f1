"""Every version names the action that wrote it (``action_id``).

Versions written before get an id derived from what one action's versions
share: their moment, user and reason (an admin save, delete or revert and a
fixture load dated all their versions alike). The derivation is frozen here.
"""

import uuid

from django.db import migrations, models
from django.db.models import Q

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


def give_old_versions_their_action(apps, schema_editor):
    for name in HISTORICAL_MODELS:
        versions = apps.get_model("archive", name)._base_manager
        keys = versions.values_list(
            "history_date", "history_user_id", "history_change_reason"
        ).distinct()
        for date, user_id, reason in keys.iterator():
            same = Q(history_date=date)
            same &= (
                Q(history_user_id=user_id) if user_id is not None else Q(history_user__isnull=True)
            )
            same &= (
                Q(history_change_reason=reason)
                if reason is not None
                else Q(history_change_reason__isnull=True)
            )
            versions.filter(same).update(action_id=action_of(date, user_id, reason))


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
