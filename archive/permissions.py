"""The two staff groups and what they may do.

* Archivists add, change and view every record, row and version (changing a
  version is what "revert" needs); they never delete.
* Readers view everything, history included, and change nothing.

Created by migration 0002; :func:`sync_groups` runs again after every
`migrate` so that models added later get the same permissions.
"""

from django.apps import apps as global_apps

GROUPS = {
    "Archivists": ("add", "change", "view"),
    "Readers": ("view",),
}


def sync_groups(apps=global_apps) -> None:
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    for name, actions in GROUPS.items():
        group, _ = Group.objects.get_or_create(name=name)
        for action in actions:
            group.permissions.add(
                *Permission.objects.filter(
                    content_type__app_label="archive", codename__startswith=f"{action}_"
                )
            )


def sync_groups_after_migrate(sender, apps=global_apps, **kwargs):
    sync_groups(apps)
