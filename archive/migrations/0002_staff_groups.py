"""The two staff groups, Archivists and Readers, with their permissions.

The rule is frozen here as it stood when this migration was written (a
migration imports no live code); ``archive.permissions.sync_groups`` applies
the live rule after every ``migrate``.
"""

from django.contrib.auth.management import create_permissions
from django.db import migrations

# The row models of 0001: archivists may delete a row of a record, never a record.
ROW_MODELS = [
    "documentcitation",
    "documentlink",
    "documentparty",
    "documentsignatory",
    "eventcitation",
    "eventdocument",
    "eventparticipant",
    "eventstate",
    "personcitation",
    "personname",
    "placecitation",
    "placename",
    "position",
    "provision",
    "statecitation",
    "statename",
]
# Permission codename prefixes, or whole codenames, per group.
GROUPS = {
    "Archivists": ["add_", "change_", "view_"] + [f"delete_{name}" for name in ROW_MODELS],
    "Readers": ["view_"],
}


def sync_groups(apps):
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    archive_permissions = Permission.objects.filter(content_type__app_label="archive")
    for name, codenames in GROUPS.items():
        group, _ = Group.objects.get_or_create(name=name)
        group.permissions.add(
            *[
                permission
                for permission in archive_permissions
                if any(
                    permission.codename == codename
                    or (codename.endswith("_") and permission.codename.startswith(codename))
                    for codename in codenames
                )
            ]
        )


def create_groups(apps, schema_editor):
    # Permissions are normally created after all migrations have run; the
    # groups need them now.
    app_config = apps.get_app_config("archive")
    app_config.models_module = True
    create_permissions(app_config, apps=apps, verbosity=0)
    app_config.models_module = None
    sync_groups(apps)


def remove_groups(apps, schema_editor):
    apps.get_model("auth", "Group").objects.filter(name__in=["Archivists", "Readers"]).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("archive", "0001_initial"),
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
    ]

    operations = [migrations.RunPython(create_groups, remove_groups)]
