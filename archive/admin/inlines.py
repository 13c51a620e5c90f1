"""Inline rows shared by several record admins: name forms and citations."""

from archive.admin.base import ArchiveInline


def name_forms_inline(model):
    return type(
        f"{model.__name__}Inline",
        (ArchiveInline,),
        {"model": model, "fields": ("name", "language", "kind")},
    )


def citations_inline(model):
    return type(
        f"{model.__name__}Inline",
        (ArchiveInline,),
        {
            "model": model,
            "fields": ("source", "locator", "note"),
            "autocomplete_fields": ("source",),
        },
    )


class RelationInline(ArchiveInline):
    """A relation row: the other record, the role, and the source attesting it.

    The role is picked from the relation's controlled list (archive.models.roles),
    so that one word means one thing; what each means is listed under the rows,
    the choices themselves kept short enough for the table's column.
    """

    template = "admin/archive/edit_inline/relation_rows.html"

    @property
    def role_list(self):
        return getattr(self.model, "roles", None)

    def get_autocomplete_fields(self, request):
        return [
            f.name
            for f in self.model._meta.fields
            if f.is_relation and f.name != self.fk_name and f.related_model is not None
        ]
