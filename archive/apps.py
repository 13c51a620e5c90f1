from django.apps import AppConfig


class ArchiveConfig(AppConfig):
    name = "archive"
    verbose_name = "Archive"

    def ready(self):
        # Dates, search text and fixture versions are kept by signal handlers,
        # so that they also run for the raw saves of fixtures.
        from django.core import checks
        from django.db.models.signals import post_migrate

        from archive import data_version, django_fixes, signals  # noqa: F401
        from archive.graphql.persisted import check_trusted_documents
        from archive.permissions import sync_groups_after_migrate

        post_migrate.connect(sync_groups_after_migrate, sender=self)
        post_migrate.connect(data_version.publish_after_migrate, sender=self)
        checks.register(check_trusted_documents)
        django_fixes.install()
