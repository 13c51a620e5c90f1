"""Warnings before a save that would surprise, asked on a document's form.

Two things an archivist rarely means, so the save asks first (a box to tick
saves it all the same):

* a signatory signs on behalf of a state that is not among the document's parties
  (once it has any: parties not entered yet are not a contradiction);
* a published document links to drafts (a signatory, the state one signs for,
  a party, the place): the public API shows published records only, so those
  links would vanish from it.

The document's rows are those posted, as their formsets cleaned them (its
signatories here, its parties from the form's other formsets), not those saved:
the warning is about what the save writes. It is asked once every row is
valid, so that it never hides an error that must be mended anyway.
"""

from __future__ import annotations

import hashlib

from django.core.exceptions import ValidationError
from django.utils.html import format_html, format_html_join

from archive.admin.base import PreloadingFormSet

CONFIRM = "_save_despite_warnings"
PARTIES = "parties"  # the prefix of the document's party rows in its form


class CheckedSignatories(PreloadingFormSet):
    """A document's signatory rows, checked with its parties and itself."""

    def clean(self):
        super().clean()
        if any(self.errors) or self.non_form_errors():
            return
        parties = self.all_formsets.get(PARTIES)
        if parties is not None and not parties.is_valid():
            return
        warnings = surprises(self.instance, rows_kept(self), rows_kept(parties))
        if not warnings:
            return
        token = hashlib.sha256("\n".join(warnings).encode()).hexdigest()[:16]
        if self.data.get(CONFIRM) == token:
            return
        raise ValidationError(
            format_html(
                "Before this is saved: {} "
                '<label class="save-anyway"><input type="checkbox" name="{}" value="{}"> '
                "I mean it: save it all the same</label>",
                format_html_join(" ", "{}", ((w,) for w in warnings)),
                CONFIRM,
                token,
            )
        )


def rows_kept(formset) -> list[dict]:
    """The cleaned rows of a formset that the save keeps (none when there is none)."""
    if formset is None:
        return []
    return [
        form.cleaned_data
        for form in formset.forms
        if form.cleaned_data and not form.cleaned_data.get("DELETE")
    ]


def surprises(document, signatories: list[dict], parties: list[dict]) -> list[str]:
    """What the save would do that an archivist rarely means, each said in a sentence."""
    said = []
    party_ids = {row["state"].pk for row in parties if row.get("state") is not None}
    for row in signatories:
        state = row.get("on_behalf_of")
        if state is not None and party_ids and state.pk not in party_ids:
            said.append(f"{row['person']} signs on behalf of {state}, which is not a party to it.")
    if document.published:
        linked = [document.place] if document.place_id else []
        for row in signatories:
            linked += [row.get("person"), row.get("on_behalf_of")]
        linked += [row.get("state") for row in parties]
        drafts = list(dict.fromkeys(r for r in linked if r is not None and not r.published))
        if drafts:
            names = ", ".join(f"{type(r)._meta.verbose_name} “{r}”" for r in drafts)
            said.append(
                f"It is published but links to drafts ({names}): the public API shows "
                "published records only, so these links would not appear there."
            )
    return said
