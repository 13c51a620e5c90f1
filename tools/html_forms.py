"""Reading an HTML form as a browser would post it: the admin's change forms, read
by the load test's archivist (:mod:`tools.loadtest`) and by the tests that
save through a running server."""

from __future__ import annotations

import html.parser


class FormFields(html.parser.HTMLParser):
    """What a browser posts from the form with the given id, as (name, value) pairs."""

    def __init__(self, form_id: str):
        super().__init__(convert_charrefs=True)
        self.form_id, self.found, self.inside = form_id, False, False
        self.fields: list[tuple[str, str]] = []
        self._select = self._option = self._textarea = None

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == "form":
            self.inside = a.get("id") == self.form_id
            self.found |= self.inside
            return
        if not self.inside or "disabled" in a:
            return
        name = a.get("name")
        if tag == "input" and name:
            kind = (a.get("type") or "text").lower()
            if kind in {"checkbox", "radio"}:
                if "checked" in a:
                    self.fields.append((name, a.get("value", "on") or ""))
            elif kind not in {"submit", "button", "image", "reset", "file"}:
                self.fields.append((name, a.get("value") or ""))
        elif tag == "select" and name:
            self._select = [name, "multiple" in a, []]
        elif tag == "option" and self._select is not None:
            self._option = [a.get("value"), "selected" in a, []]
        elif tag == "textarea" and name:
            self._textarea = [name, []]

    def handle_data(self, data):
        if self._textarea is not None:
            self._textarea[1].append(data)
        elif self._option is not None:
            self._option[2].append(data)

    def handle_endtag(self, tag):
        if tag == "form":
            self.inside = False
        elif tag == "option" and self._option is not None and self._select is not None:
            value, selected, text = self._option
            self._select[2].append((value if value is not None else "".join(text), selected))
            self._option = None
        elif tag == "select" and self._select is not None:
            name, multiple, options = self._select
            chosen = [value for value, selected in options if selected]
            if not chosen and not multiple and options:
                chosen = [options[0][0]]
            self.fields.extend((name, v) for v in (chosen if multiple else chosen[:1]))
            self._select = None
        elif tag == "textarea" and self._textarea is not None:
            name, parts = self._textarea
            value = "".join(parts)
            value = value[2:] if value.startswith("\r\n") else value.removeprefix("\n")
            self.fields.append((name, value))
            self._textarea = None

    @classmethod
    def of(cls, page: str, form_id: str, **changes: str) -> list[tuple[str, str]]:
        parser = cls(form_id)
        parser.feed(page)
        if not parser.found:
            raise ValueError(f"no form {form_id!r} on the page")
        fields = [(name, changes.get(name, value)) for name, value in parser.fields]
        missing = set(changes) - {name for name, _ in fields}
        if missing:
            raise ValueError(f"the form has no fields {sorted(missing)}")
        return fields
