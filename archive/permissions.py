"""The two staff groups and what they may do.

* Archivists add, change and view every record, row and version (changing a
  version is what "revert" needs). They never delete a record; they may
  remove a row from a record (a wrong signatory, a duplicate name form):
  that is an edit of the record, and its version keeps the row.
* Readers view everything, history included, and change nothing.

Created by migration 0002 (from its own frozen copy of this rule);
:func:`sync_groups` runs again after every `migrate` so that models added
later get the same permissions.
"""

from django.apps import apps as global_apps


def _row_model_names() -> list[str]:
    from archive.models.base import row_models

    return [model._meta.model_name for model in row_models()]


def group_permissions() -> dict[str, list[str]]:
    """Permission codename prefixes, or whole codenames, per group."""
    return {
        "Archivists": ["add_", "change_", "view_"]
        + [f"delete_{name}" for name in _row_model_names()],
        "Readers": ["view_"],
    }


def sync_groups(apps=global_apps) -> None:
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    # The data version (archive.data_version) is bookkeeping, not archive content.
    archive_permissions = Permission.objects.filter(content_type__app_label="archive").exclude(
        content_type__model="dataversion"
    )
    for name, codenames in group_permissions().items():
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


def sync_groups_after_migrate(sender, apps=global_apps, **kwargs):
    sync_groups(apps)
