"""Warnings before a save that would surprise, asked on a document's form.

Two things an archivist rarely means, so the save asks first (a box to tick
saves it all the same):

* a signatory signs on behalf of a state that is not among the document's parties
  (once it has any: parties not entered yet are not a contradiction);
* a published document links to drafts (a signatory, the state one signs for,
  a party, the place): the public API shows published records only, so those
  links would vanish from it.

The document's rows are those posted (its signatories here, its parties read
from the same form), not those saved: the warning is about what the save writes.
"""

from __future__ import annotations

import hashlib

from django.core.exceptions import ValidationError
from django.utils.html import format_html, format_html_join

from archive.admin.base import PreloadingFormSet
from archive.models import State

CONFIRM = "_save_despite_warnings"
PARTIES = "parties"  # the prefix of the document's party rows in its form


class CheckedSignatories(PreloadingFormSet):
    """A document's signatory rows, checked with its parties and itself."""

    def clean(self):
        super().clean()
        if any(self.errors) or self.non_form_errors():
            return
        warnings = surprises(self.instance, self._signatories(), self._party_ids())
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

    def _signatories(self) -> list[dict]:
        return [
            form.cleaned_data
            for form in self.forms
            if form.cleaned_data and not form.cleaned_data.get("DELETE")
        ]

    def _party_ids(self) -> set[int]:
        """The states the posted party rows name (those not ticked for deletion)."""
        try:
            total = int(self.data.get(f"{PARTIES}-TOTAL_FORMS", 0))
        except ValueError:
            return set()
        ids = set()
        for row in range(min(total, 1000)):
            state = self.data.get(f"{PARTIES}-{row}-state")
            if state and str(state).isdigit() and not self.data.get(f"{PARTIES}-{row}-DELETE"):
                ids.add(int(state))
        return ids


def surprises(document, signatories: list[dict], party_ids: set[int]) -> list[str]:
    """What the save would do that an archivist rarely means, each said in a sentence."""
    said = []
    for row in signatories:
        state = row.get("on_behalf_of")
        if state is not None and party_ids and state.pk not in party_ids:
            said.append(f"{row['person']} signs on behalf of {state}, which is not a party to it.")
    if document.published:
        linked = [document.place] if document.place_id else []
        for row in signatories:
            linked += [row.get("person"), row.get("on_behalf_of")]
        linked += list(State.objects.filter(pk__in=party_ids, published=False).order_by("pk"))
        drafts = list(dict.fromkeys(r for r in linked if r is not None and not r.published))
        if drafts:
            names = ", ".join(f"{type(r)._meta.verbose_name} “{r}”" for r in drafts)
            said.append(
                f"It is published but links to drafts ({names}): the public API shows "
                "published records only, so these links would not appear there."
            )
    return said
