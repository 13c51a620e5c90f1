"""Signal handlers that keep derived data right for every kind of save.

They run for ordinary saves and for the raw saves of fixtures alike, so a
fixture cannot store an invalid date, and `load_archive` cannot skip a
version (:mod:`archive.fixture_versions`). Every save
and delete of an archive model also advances the data version, in the
transaction of the write (:mod:`archive.data_version`), so that no cached
API response outlives it.
"""

from django.db.models.signals import post_delete, post_save, pre_delete, pre_save
from django.dispatch import receiver

from archive import change_reasons, data_version, fixture_versions
from archive.models.base import DatedMixin, NameFormBase, Record


def _is_archive_row(sender) -> bool:
    return issubclass(sender, DatedMixin)


def _is_archive_data(sender) -> bool:
    """Records, their rows and the versions of both: all the API can show."""
    return sender._meta.app_label == "archive" and sender is not data_version.DataVersion


@receiver(pre_save)
def derive_before_save(sender, instance, raw=False, **kwargs):
    if not _is_archive_row(sender):
        return
    # Refuses an invalid date or an impossible order with a ValidationError.
    instance.derive_dates()
    change_reasons.apply(instance)
    if isinstance(instance, Record):
        for name, value in instance.compute_search_texts().items():
            setattr(instance, name, value)
    if raw:
        fixture_versions.before_raw_save(instance)


@receiver(post_save)
def after_save(sender, instance, raw=False, **kwargs):
    if not _is_archive_row(sender):
        return
    if isinstance(instance, NameFormBase):
        instance.record.refresh_search_text()
        _refresh_former_owner(instance)
    if raw:
        fixture_versions.after_raw_save(instance)


@receiver(pre_delete)
def before_delete(sender, instance, **kwargs):
    if _is_archive_row(sender):
        # Rows removed by a cascade get the reason of the delete that removed them.
        change_reasons.apply(instance)


@receiver(post_delete)
def after_delete(sender, instance, **kwargs):
    if isinstance(instance, NameFormBase):
        # The record may be going too (cascade); then there is nothing to refresh.
        _refresh_owner(instance, instance.record_id)


def _refresh_former_owner(name_form) -> None:
    former = getattr(name_form, "_loaded_record_id", None)
    if former is not None and former != name_form.record_id:
        _refresh_owner(name_form, former)
    name_form._loaded_record_id = name_form.record_id


def _refresh_owner(name_form, record_id) -> None:
    record_model = type(name_form)._meta.get_field("record").related_model
    owner = record_model._default_manager.filter(pk=record_id).first()
    if owner is not None:
        owner.refresh_search_text()


# The data version's receivers come last, so that they run after the ones
# above: a write refused by derive_before_save advances nothing, and outside
# a transaction the advance follows the writes that the handlers above make
# (a record's refreshed search text).


@receiver(pre_save)
@receiver(pre_delete)
def version_before_write(sender, using=None, **kwargs):
    if _is_archive_data(sender):
        data_version.before_write(using)


@receiver(post_save)
@receiver(post_delete)
def version_after_write(sender, using=None, **kwargs):
    if _is_archive_data(sender):
        data_version.after_write(using)
