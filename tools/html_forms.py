"""Reading an HTML form as a browser would post it: the admin's change forms, read
by the load test's archivist (:mod:`tools.loadtest`) and by the tests that save
through a running server."""

from __future__ import annotations

import lxml.html


class FormFields:
    @staticmethod
    def of(page: str, form_id: str, **changes: str) -> list[tuple[str, str]]:
        """What a browser posts from the form with id ``form_id`` on ``page``, as
        (name, value) pairs in the page's order, with the values of ``changes``
        put in place of those fields' values."""
        forms = [f for f in lxml.html.document_fromstring(page).forms if f.get("id") == form_id]
        if not forms:
            raise ValueError(f"no form {form_id!r} on the page")
        form = forms[0]
        _as_a_browser_reads_it(form)
        fields = [(name, changes.get(name, value)) for name, value in form.form_values()]
        missing = set(changes) - {name for name, _ in fields}
        if missing:
            raise ValueError(f"the form has no fields {sorted(missing)}")
        return fields


def _as_a_browser_reads_it(form: lxml.html.FormElement) -> None:
    """Bring the form's fields to what the HTML standard says they hold, where
    lxml reads the markup literally: a text input without a ``value`` attribute
    holds "" (form_values() would leave it out), a newline just after
    ``<textarea>`` is not part of its value (Django writes one there), and an
    ``<input type="button">`` is never posted."""
    for field in form.inputs:
        if field.tag == "textarea":
            if field.text and field.text.startswith("\n"):
                field.text = field.text[1:]
        elif field.tag == "input":
            if field.type == "button":
                field.attrib.pop("name", None)
            elif not field.checkable and field.get("value") is None:
                field.set("value", "")
