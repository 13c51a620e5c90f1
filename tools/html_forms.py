"""Reading an HTML form as a browser would post it: the admin's change forms, read
by the load test's archivist (:mod:`tools.loadtest`), by the tests that save
through a running server and by the admin tests (:mod:`tests.admin_forms`)."""

from __future__ import annotations

import lxml.html


class FormFields:
    @staticmethod
    def of(page: str, form_id: str, **changes: str) -> list[tuple[str, str]]:
        """What a browser posts from the form with id ``form_id`` on ``page``, as
        (name, value) pairs in the page's order, with the values of ``changes``
        put in place of those fields' values (see :meth:`posted`)."""
        return FormFields.posted(FormFields.form(page, form_id), **changes)

    @staticmethod
    def form(page: str, form_id: str) -> lxml.html.FormElement:
        """The form with id ``form_id`` on ``page``, its fields holding what a
        browser reads in them: to change as a script on the page would before
        :meth:`posted` reads it."""
        forms = [f for f in lxml.html.document_fromstring(page).forms if f.get("id") == form_id]
        if not forms:
            raise ValueError(f"no form {form_id!r} on the page")
        form = forms[0]
        _as_a_browser_reads_it(form)
        return form

    @staticmethod
    def posted(form: lxml.html.FormElement, **changes: str) -> list[tuple[str, str]]:
        """What a browser posts from ``form``, as (name, value) pairs in the page's
        order, with the values of ``changes`` put in place of those fields' values.

        A change of a field that the form has but would not post is made as a
        person makes it: an unticked box is ticked, and a list with no options
        (an autocomplete box before a record is chosen) gets the chosen one."""
        for name in changes:
            _make_it_posted(form, name, changes[name])
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


def _make_it_posted(form: lxml.html.FormElement, name: str, value: str) -> None:
    try:
        field = form.inputs[name]
    except KeyError:
        return  # posted() names it among the fields the form does not have
    if isinstance(field, lxml.html.InputElement) and field.checkable:
        field.checked = True
    elif isinstance(field, lxml.html.SelectElement) and not field.multiple:
        if field.value is None:  # no option to post
            field.append(field.makeelement("option", value=value))
