"""What every record's admin shares: reasons, search, history, revert, recovery.

* Every save asks "Reason for this change"; the reason is stored on every
  version the save writes: the record's, its inline rows', and on delete the
  rows removed with it (:mod:`archive.change_reasons`).
* Search matches the normalised names, name forms, titles and summaries
  (:mod:`archive.search`): "mayski", "Wladyslaw", "u.s.s.r." all work.
* The history page lists the record's versions and its rows' versions with
  field-level diffs (:mod:`archive.history`); revert restores an earlier
  version of the record and of its rows as new versions, after showing
  what it will change (:mod:`archive.admin.revert`).
* "Deleted records" lists what was deleted; recovering one restores it and
  the rows deleted with it. A delete asks for a reason too.
* A save over changes made since the form was opened is refused, and the
  form is shown again as typed (:mod:`archive.admin.edit_conflicts`).
"""

from __future__ import annotations

import datetime
import re
from collections import defaultdict

from django import forms
from django.contrib import admin, messages
from django.contrib.admin.helpers import ACTION_CHECKBOX_NAME
from django.contrib.admin.options import IS_POPUP_VAR
from django.contrib.admin.utils import unquote
from django.contrib.admin.views.main import ChangeList
from django.contrib.admin.widgets import AutocompleteSelect
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db import models, transaction
from django.db.models import Max, Min
from django.http import Http404, HttpResponseNotAllowed, HttpResponseRedirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.functional import cached_property
from django.utils.html import format_html
from django.utils.text import Truncator, capfirst
from simple_history.admin import SimpleHistoryAdmin

from archive import change_reasons, date_queries, dates, history, search
from archive.admin import bulk_changes, duplicates, edit_conflicts, record_view, revert, timeline
from archive.admin.date_readings import DateReadingInput
from archive.admin.edit_conflicts import RefuseStaleEdits
from archive.models.base import EDTFField, Record

REASON_FIELD = "change_reason"
# The editable fields every record has (archive.models.base.Record), in their order.
RECORD_FIELDS = ("slug", "published", "description", "internal_notes")


class ReasonForm(duplicates.RefuseLookAlikes):
    """A record's form, plus the reason the archivist gives for the change."""

    change_reason = revert.reason_field()


class LabelledAutocompleteSelect(AutocompleteSelect):
    """Django's autocomplete box, its combobox named after its field.

    select2 names the box it draws by the chosen record alone, and by nothing
    when none is chosen: archive/autocomplete_labels.js names it as the
    field's label (or, in an inline row, its aria-label) says.
    """

    @property
    def media(self):
        # After autocomplete.js (which draws the boxes): so listed, or Media may put it first.
        labels = forms.Media(js=["admin/js/autocomplete.js", "archive/autocomplete_labels.js"])
        return super().media + labels


class PreloadedAutocompleteSelect(LabelledAutocompleteSelect):
    """An autocomplete box whose chosen record its formset fetched with the others'.

    Django's AutocompleteSelect looks up its chosen record on its own: one
    query per link per inline row, hundreds on a treaty with many
    signatories. :class:`PreloadingFormSet` fetches them once per column.
    """

    preloaded: dict[str, models.Model] | None = None

    def optgroups(self, name, value, attr=None):
        if self.preloaded is None:
            return super().optgroups(name, value, attr)
        chosen = {str(v) for v in value if str(v) in self.preloaded}
        options = [] if self.is_required else [self.create_option(name, "", "", False, 0)]
        for key in sorted(chosen):
            record = self.preloaded[key]
            label = self.choices.field.label_from_instance(record)
            options.append(self.create_option(name, record.pk, label, chosen, len(options)))
        return [(None, options, 0)]


class PreloadingFormSet(forms.BaseInlineFormSet):
    """Inline rows whose autocomplete links are fetched in one query per column.

    ``all_formsets`` is shared by the formsets of one form, each under its
    prefix (:meth:`ArchiveAdmin.get_formset_kwargs`): a check across a record's
    rows (archive.admin.consistency) reads the others' cleaned data there.
    """

    def __init__(self, *args, all_formsets: dict | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        self.all_formsets = {} if all_formsets is None else all_formsets
        self.all_formsets[self.prefix] = self

    @cached_property
    def forms(self):
        forms = super().forms
        columns = defaultdict(list)  # field name -> [(widget, chosen pk)]
        for form in forms:
            for name, field in form.fields.items():
                widget = getattr(field.widget, "widget", field.widget)  # unwrap the +/✎ links
                if isinstance(widget, PreloadedAutocompleteSelect):
                    columns[name].append((widget, form[name].value()))
        for name, widgets in columns.items():
            keys = {str(value) for _, value in widgets if value not in (None, "")}
            queryset = forms[0].fields[name].queryset
            preloaded = {str(record.pk): record for record in queryset.filter(pk__in=keys)}
            for widget, _ in widgets:
                widget.preloaded = preloaded
        return forms

    def add_fields(self, form, index):
        super().add_fields(form, index)
        # A row's inputs stand under their column's heading, which a <th> does not
        # make their label: name each after its column, for screen readers.
        for field in form.fields.values():
            widget = getattr(field.widget, "widget", field.widget)  # inside the +/✎ links
            if not widget.is_hidden:
                widget.attrs.setdefault("aria-label", capfirst(field.label))


class LabelledAutocompletes:
    """An admin whose autocomplete boxes are named after their fields."""

    autocomplete_widget = LabelledAutocompleteSelect

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if "widget" not in kwargs and db_field.name in self.get_autocomplete_fields(request):
            kwargs["widget"] = self.autocomplete_widget(
                db_field, self.admin_site, using=kwargs.get("using")
            )
        return super().formfield_for_foreignkey(db_field, request, **kwargs)


class ArchiveInline(LabelledAutocompletes, admin.TabularInline):
    """A relation, name or citation row edited under its record."""

    extra = 0
    show_change_link = False
    formset = PreloadingFormSet
    formfield_overrides = {EDTFField: {"widget": DateReadingInput}}
    autocomplete_widget = PreloadedAutocompleteSelect

    def get_queryset(self, request):
        # A row's label (its __str__) names the records it links: fetch them with it.
        links = [f.name for f in self.model._meta.fields if f.many_to_one]
        return super().get_queryset(request).select_related(*links)


# The decades whose years a date can hold (datetime.date: years 1 to 9999).
FIRST_DECADE, LAST_DECADE = 1, 9990


class DecadeFilter(admin.SimpleListFilter):
    """Records whose date overlaps a decade (uses the derived bounds)."""

    title = "decade"
    parameter_name = "decade"
    date_field = "date"

    def lookups(self, request, model_admin):
        bounds = model_admin.model._default_manager.aggregate(
            first=Min(f"{self.date_field}_earliest"),
            last=Max(f"{self.date_field}_latest"),
        )
        if not bounds["first"] or not bounds["last"]:
            return []
        start, end = bounds["first"].year // 10 * 10, bounds["last"].year // 10 * 10
        return [(str(decade), f"{decade}s") for decade in range(end, start - 10, -10)]

    def queryset(self, request, queryset):
        value = self.value()
        if not value:
            return queryset
        decade = int(value) if re.fullmatch(r"[0-9]{1,4}", value) else None
        if decade is None or not FIRST_DECADE <= decade <= LAST_DECADE:
            # A link to a decade no date can be in: say so, list nothing.
            messages.error(
                request,
                f"No such decade: “{Truncator(value).chars(20)}”. A decade is a year "
                f"from {FIRST_DECADE} to {LAST_DECADE}, such as 1940.",
            )
            return queryset.none()
        return queryset.filter(
            date_queries.overlaps(
                self.date_field, datetime.date(decade, 1, 1), datetime.date(decade + 9, 12, 31)
            )
        )


def decade_filter(field_name: str, label: str) -> type[DecadeFilter]:
    return type(
        f"{field_name.title()}DecadeFilter",
        (DecadeFilter,),
        {"date_field": field_name, "title": label, "parameter_name": f"{field_name}_decade"},
    )


def edtf_display(field_name: str, label: str):
    """A changelist column that shows an EDTF date as people read it."""

    def column(model_admin, obj):
        return dates.display_of(getattr(obj, field_name))

    column.short_description = label
    column.admin_order_field = f"{field_name}_earliest"  # in full: ChronologicalChangeList
    return column


class ChronologicalChangeList(ChangeList):
    """A changelist that sorts by a date in the one order by date.

    ``admin_order_field`` holds one key, and :func:`date_queries.chronological`
    is four (where a missing day goes is written out, as SQLite and PostgreSQL
    disagree): a date column sorts by its ``<field>_earliest``, and the whole
    order by that date takes its place here, in either direction.
    """

    def get_ordering(self, request, queryset):
        dated = {f"{field.name}_earliest": field.name for field in _edtf_fields(self.model)}
        ordering = []
        for key in super().get_ordering(request, queryset):
            name = key.removeprefix("-") if isinstance(key, str) else None
            if name in dated:
                descending = key.startswith("-")
                ordering += date_queries.chronological(dated[name], descending=descending)
            else:
                ordering.append(key)
        return ordering


def _edtf_fields(model) -> list:
    return model.edtf_fields() if hasattr(model, "edtf_fields") else []


class ArchiveAdmin(LabelledAutocompletes, RefuseStaleEdits, SimpleHistoryAdmin):
    form = ReasonForm
    formfield_overrides = {
        models.URLField: {"assume_scheme": "https"},
        EDTFField: {"widget": DateReadingInput},  # with the date's reading beside it
    }
    search_fields = ("search_text",)  # the search box; matching is get_search_results'
    readonly_fields = ("created", "modified")
    list_per_page = 50
    show_full_result_count = False
    object_history_template = "admin/archive/record_history.html"
    object_history_form_template = "admin/archive/revert_form.html"
    # Each asks for a reason, as every change does.
    actions = (revert.delete_selected, *bulk_changes.ACTIONS)
    history_per_page = 50

    def get_changelist(self, request, **kwargs):
        return ChronologicalChangeList

    def get_fields(self, request, obj=None):
        # What the record is (its name or title, its dates…) first; then the fields
        # every record has (its slug, published, notes), which say nothing of it.
        fields = list(super().get_fields(request, obj))
        own = {f.name for f in self.model._meta.fields} - {f.name for f in Record._meta.fields}
        shared = [name for name in RECORD_FIELDS if name in fields]  # a read-only slug too
        rest = [name for name in fields if name not in RECORD_FIELDS]
        after_own = 1 + max((i for i, name in enumerate(rest) if name in own), default=-1)
        return rest[:after_own] + shared + rest[after_own:]

    def get_formset_kwargs(self, request, obj, inline, prefix):
        kwargs = super().get_formset_kwargs(request, obj, inline, prefix)
        if issubclass(inline.formset, PreloadingFormSet):
            kwargs["all_formsets"] = request.__dict__.setdefault("_archive_formsets", {})
        return kwargs

    # --- reasons --------------------------------------------------------

    def changeform_view(self, request, object_id=None, form_url="", extra_context=None):
        with change_reasons.reason_scope():
            return super().changeform_view(request, object_id, form_url, extra_context)

    def delete_view(self, request, object_id, extra_context=None):
        form = revert.reason_form(request, confirmed=request.method == "POST")
        if form.is_bound and not form.is_valid():
            request = revert.unconfirmed(request)  # the page again, with the field's error
        reason = form.cleaned_data[REASON_FIELD] if form.is_bound and form.is_valid() else None
        extra_context = {**(extra_context or {}), "reason_form": form}
        with change_reasons.reason_scope(reason):
            return super().delete_view(request, object_id, extra_context)

    def delete_queryset(self, request, queryset):
        revert.delete_with_reason(queryset)  # the reason revert.delete_selected asked for

    def history_form_view(self, request, object_id, version_id, extra_context=None):
        # simple-history would save a POST from anyone allowed to *view* history.
        if request.method == "POST" and not (
            self.has_change_history_permission(request) and self.has_change_permission(request)
        ):
            raise PermissionDenied
        found = revert.version_of(self.model, object_id, version_id)
        if found is None:
            raise Http404
        pk, version = found
        if request.method == "GET" and self.revert_disabled(request):
            # Nothing to revert with: the version as the record is read, not as inputs.
            if self.model._default_manager.filter(pk=pk).exists() or self.has_deleted_permission(
                request
            ):
                return self._version_view(request, pk, version)
            raise PermissionDenied
        plan = revert.plan(self.model, pk, version)
        if plan.recovering and not self.has_deleted_permission(request):
            raise PermissionDenied  # a deleted record is opened only by who may list them
        verb = "Recover" if plan.recovering else "Revert"
        extra_context = {"revert_plan": plan, "revert_verb": verb, **(extra_context or {})}
        if not self.revert_disabled(request, plan.record_then):
            extra_context.setdefault("title", f"{verb} {plan.record_then}")
        try:
            # save_model restores the rows (revert.restore_rows), in this transaction.
            with change_reasons.reason_scope(), transaction.atomic():
                return super().history_form_view(request, object_id, version_id, extra_context)
        except revert.CannotRevert as error:
            self.message_user(request, f"Nothing was saved. {error}", messages.ERROR)
            return HttpResponseRedirect(request.get_full_path())

    def response_change(self, request, obj):
        match = request.resolver_match
        if not (match and match.url_name.endswith("_simple_history") and "_save" in request.POST):
            return super().response_change(request, obj)
        # Django's message would link the record's name to request.path, which after a
        # revert is the earlier version's revert form: a click would show the old values
        # as if they were the record's. Link the record itself.
        opts = obj._meta
        record = reverse(f"admin:{opts.app_label}_{opts.model_name}_change", args=[obj.pk])
        self.message_user(
            request,
            format_html(
                'The {} “<a href="{}">{}</a>” was changed successfully.',
                opts.verbose_name,
                record,
                obj,
            ),
            messages.SUCCESS,
        )
        return self.response_post_save_change(request, obj)

    def save_model(self, request, obj, form, change):
        change_reasons.set(form.cleaned_data[REASON_FIELD])
        reverting = request.resolver_match.url_name.endswith("_simple_history")
        if change and not reverting and set(form.changed_data) <= {REASON_FIELD}:
            # Only inline rows changed: their versions say so; a version of
            # the record that changes nothing would only blur its history.
            return
        if reverting:
            revert.keep_published_slug(obj, self.model._default_manager.filter(pk=obj.pk).first())
        super().save_model(request, obj, form, change)
        if reverting:  # the rows too, before the success message is queued
            _, version = revert.version_of(self.model, *request.resolver_match.args[:2])
            restored = revert.restore_rows(self.model, obj.pk, version, request.user)
            if restored.rows:
                self.message_user(
                    request, f"Also set back {restored.rows} row(s) as they were then."
                )
            for sentence in restored.read_roles:
                self.message_user(request, sentence, messages.WARNING)

    def get_prepopulated_fields(self, request, obj=None):
        # The slug is filled from the name (or title) as it is typed, until it is
        # typed itself; Django's script leaves a saved slug alone.
        if "slug" in self.get_readonly_fields(request, obj):
            return {}
        names = [f.name for f in self.model._meta.fields if f.name in ("title", "name")]
        return {"slug": names[:1]} if names else {}

    def get_readonly_fields(self, request, obj=None):
        # A slug once published is an address others hold (the API, citations,
        # links): it stays, even if the record goes back to being a draft.
        if obj is not None and obj.pk and "_slug_fixed" not in obj.__dict__:
            obj._slug_fixed = obj.was_ever_published()  # asked several times a page
        fixed = ("slug",) if obj is not None and obj.pk and obj._slug_fixed else ()
        return (*super().get_readonly_fields(request, obj), *fixed)

    def get_form(self, request, obj=None, change=False, **kwargs):
        form = super().get_form(request, obj, change=change, **kwargs)
        may_save = (
            self.has_change_permission(request, obj) if obj else self.has_add_permission(request)
        )
        if not may_save:
            # A view-only page has nothing to give a reason for.
            return type(form.__name__, (form,), {REASON_FIELD: None})
        match = request.resolver_match
        if match and match.url_name and match.url_name.endswith("_simple_history"):
            # On the form's instances: base_fields are shared by every form class.
            model, pk = self.model, unquote(match.args[0])
            form = revert.form_with_initial(
                form,
                **{
                    REASON_FIELD: self._revert_reason(match.args),
                    edit_conflicts.TOKEN_FIELD: lambda: edit_conflicts.token_now(model, pk),
                },
            )
        return form

    def _revert_reason(self, args) -> str:
        object_id, version_id = (unquote(a) for a in args[:2])
        version = self.model.history.filter(history_id=version_id).first()
        if version is None:
            return ""
        exists = self.model._default_manager.filter(pk=object_id).exists()
        verb = "Reverted to" if exists else "Recovered from"
        return f"{verb} the version of {version.history_date:%Y-%m-%d %H:%M:%S} UTC"

    # --- search -----------------------------------------------------------

    def get_search_results(self, request, queryset, search_term):
        return search.filter_text(queryset, search_term), False

    # --- history ------------------------------------------------------------

    def history_view(self, request, object_id, extra_context=None):
        object_id = self.pk_or_404(object_id)
        obj = self.model._default_manager.filter(pk=object_id).first()
        if obj is None:
            last = self.model.history.filter(id=object_id).order_by("-history_date").first()
            if last is None:
                raise Http404
            obj = last.instance
            if not self.has_deleted_permission(request):
                raise PermissionDenied
        if not self.has_view_history_or_change_history_permission(request, obj):
            raise PermissionDenied
        entries = [history.ADMIN.show(entry) for entry in history.history(obj)]
        page = Paginator(entries, self.history_per_page).get_page(request.GET.get("p"))
        opts = self.model._meta
        context = {
            **self.admin_site.each_context(request),
            "title": f"History: {obj}",
            "subtitle": None,
            "object": obj,
            "opts": opts,
            "app_label": opts.app_label,
            "page_obj": page,
            "entries": page.object_list,
            "deleted": not self.model._default_manager.filter(pk=object_id).exists(),
            "revert_disabled": self.revert_disabled(request, obj),
            "version_url_name": f"admin:{opts.app_label}_{opts.model_name}_simple_history",
            **(extra_context or {}),
        }
        request.current_app = self.admin_site.name
        return TemplateResponse(request, self.object_history_template, context)

    # --- the read view (archive.admin.record_view) -------------------------------

    def record_view(self, request, object_id):
        """The record as a person reads it: fields, relations both ways, latest changes."""
        if request.method != "GET":
            return HttpResponseNotAllowed(["GET"])
        record = record_view.fetch(self.model, self.pk_or_404(object_id))
        if record is None:
            raise Http404
        if not self.has_view_or_change_permission(request, record):
            raise PermissionDenied
        shows_history = self.has_view_history_or_change_history_permission(request, record)
        recent = history.history(record)[: record_view.RECENT_CHANGES] if shows_history else []
        return self._render_record(
            request,
            record,
            record_view.sections(record),
            timeline=timeline.chart(record),
            recent_changes=[history.ADMIN.show(entry) for entry in recent],
            shows_history=shows_history,
        )

    def _version_view(self, request, pk, version):
        """An earlier version of the record, read as the record is: its own rows then."""
        record = history.instance_of(version)
        rows = revert.rows_at(self.model, pk, version)
        return self._render_record(
            request,
            record,
            record_view.sections_then(record, rows),
            version=version,
            deleted=not self.model._default_manager.filter(pk=pk).exists(),
            shows_history=True,
        )

    def _render_record(self, request, record, sections, **extra):
        opts = self.model._meta
        context = {
            **self.admin_site.each_context(request),
            "title": str(record),
            "subtitle": None,
            "opts": opts,
            "app_label": opts.app_label,
            "record": record,
            "facts": record_view.facts(record),
            "sections": sections,
            "may_change": self.has_change_permission(request, record),
            **extra,
        }
        request.current_app = self.admin_site.name
        return TemplateResponse(request, "admin/archive/record_view.html", context)

    def change_view(self, request, object_id, form_url="", extra_context=None):
        if (
            request.method == "GET"
            and IS_POPUP_VAR not in request.GET
            and self.has_view_permission(request)
            and not self.has_change_permission(request)
        ):
            # A reader gets the record to read, not a form of disabled inputs.
            opts = self.model._meta
            url = reverse(f"admin:{opts.app_label}_{opts.model_name}_view", args=[object_id])
            return HttpResponseRedirect(url)
        return super().change_view(request, object_id, form_url, extra_context)

    def render_change_form(self, request, context, add=False, change=False, form_url="", obj=None):
        if change and obj is not None:
            # What other records say of this one, read-only below its own rows' inlines.
            linked = record_view.fetch(self.model, obj.pk, incoming_only=True)
            context["incoming_sections"] = (
                record_view.sections(linked, incoming_only=True) if linked else []
            )
        return super().render_change_form(request, context, add, change, form_url, obj)

    @admin.display(description="read")
    def view_link(self, obj):
        return format_html('<a href="{}">View</a>', record_view.view_url(obj))

    def get_list_display(self, request):
        # The slug after the name: two records of one name are told apart.
        first, *rest = super().get_list_display(request)
        return (first, "slug", *rest, "view_link")

    # --- recovery -------------------------------------------------------------

    def get_urls(self):
        opts = self.model._meta
        return [
            path(
                "deleted/",
                self.admin_site.admin_view(self.deleted_view),
                name=f"{opts.app_label}_{opts.model_name}_deleted",
            ),
            path(
                "<path:object_id>/view/",
                self.admin_site.admin_view(self.record_view),
                name=f"{opts.app_label}_{opts.model_name}_view",
            ),
            *super().get_urls(),
        ]

    def has_deleted_permission(self, request) -> bool:
        """May list deleted records, and so open them (history, recover form)."""
        return self.has_change_history_permission(request)

    def pk_or_404(self, object_id):
        """The record id in a URL, as the database takes it; 404 when it cannot be one."""
        try:
            return revert.url_id(self.model, object_id)
        except ValidationError:
            raise Http404 from None

    def deleted_view(self, request):
        """Records of this type that were deleted, newest deletion first."""
        if not self.has_deleted_permission(request):
            raise PermissionDenied
        existing = self.model._default_manager.values("pk")
        # The last version of each record that is gone: its deletion.
        rows = list(
            self.model.history.exclude(id__in=existing)
            .latest_of_each()
            .filter(history_type="-")
            .select_related("history_user")
            .order_by("-history_date", "-history_id")[:500]
        )
        for version in rows:
            version.label = str(history.instance_of(version))
        opts = self.model._meta
        context = {
            **self.admin_site.each_context(request),
            "title": f"Deleted {opts.verbose_name_plural}",
            "opts": opts,
            "app_label": opts.app_label,
            "deletions": rows,
            "version_url_name": f"admin:{opts.app_label}_{opts.model_name}_simple_history",
        }
        return TemplateResponse(request, "admin/archive/deleted_records.html", context)

    # --- changelist ----------------------------------------------------------------

    def response_action(self, request, queryset):
        # Django filters by the ticked ids as posted, and one that no record can
        # have ("abc", 26 digits) fails in the database: refuse it here instead.
        pk = self.model._meta.pk
        for posted in request.POST.getlist(ACTION_CHECKBOX_NAME):
            try:
                pk.run_validators(pk.to_python(posted))
            except ValidationError:
                shown = Truncator(posted).chars(20)
                self.message_user(
                    request,
                    f"No {self.model._meta.verbose_name} has the id “{shown}”. "
                    "Nothing has been changed.",
                    messages.WARNING,
                )
                return None  # the changelist again, with the message
        return super().response_action(request, queryset)

    def changelist_view(self, request, extra_context=None):
        opts = self.model._meta
        extra_context = {
            **(extra_context or {}),
            "deleted_url": reverse(f"admin:{opts.app_label}_{opts.model_name}_deleted")
            if self.has_deleted_permission(request)
            else None,
        }
        return super().changelist_view(request, extra_context)
