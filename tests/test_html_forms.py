"""tools/html_forms.py: a form read as a browser posts it."""

import pytest

from tools.html_forms import FormFields

PAGE = """<!DOCTYPE html>
<html><body>
<form id="search"><input name="q" value="elsewhere"></form>
<form id="person_form" method="post">
  <input type="hidden" name="csrfmiddlewaretoken" value="token">
  <input type="text" name="name" value="Ivan &amp; Maisky">
  <input type="text" name="born">
  <textarea name="description">
First line
second line</textarea>
  <textarea name="notes"></textarea>
  <input type="checkbox" name="published" checked>
  <input type="checkbox" name="featured" value="yes">
  <input type="radio" name="kind" value="a"><input type="radio" name="kind" value="b" checked>
  <select name="language"><option value="en">English</option><option value="pl">Polish</option>
  </select>
  <select name="role"><option value="">---</option><option value="s" selected>signer</option>
  </select>
  <select name="groups" multiple><option value="1" selected>1</option><option value="2">2</option>
    <option value="3" selected>3</option></select>
  <input type="text" name="locked" value="x" disabled>
  <input type="file" name="scan">
  <input type="button" name="preview" value="Preview">
  <input type="submit" name="_save" value="Save">
</form>
</body></html>"""


def test_a_form_is_read_as_a_browser_posts_it():
    assert FormFields.of(PAGE, "person_form") == [
        ("csrfmiddlewaretoken", "token"),
        ("name", "Ivan & Maisky"),
        ("born", ""),
        ("description", "First line\nsecond line"),
        ("notes", ""),
        ("published", "on"),
        ("kind", "b"),
        ("language", "en"),
        ("role", "s"),
        ("groups", "1"),
        ("groups", "3"),
    ]


def test_changes_replace_the_values_in_place():
    fields = FormFields.of(PAGE, "person_form", born="1884", description="Changed")
    assert fields[1:4] == [("name", "Ivan & Maisky"), ("born", "1884"), ("description", "Changed")]


def test_a_missing_form_or_field_is_an_error():
    with pytest.raises(ValueError, match=r"^no form 'state_form' on the page$"):
        FormFields.of(PAGE, "state_form")
    with pytest.raises(ValueError, match=r"^the form has no fields \['died', 'q'\]$"):
        FormFields.of(PAGE, "person_form", q="x", died="1975")


def test_a_change_of_a_field_not_posted_ticks_or_chooses_it():
    """An unticked box is ticked; a list with no options (an autocomplete box before a
    record is chosen) posts the chosen value, in the field's place."""
    page = PAGE.replace("</form>\n</body>", '<select name="place"></select></form>\n</body>')
    fields = FormFields.of(page, "person_form", featured="yes", place="7")
    assert fields[5:7] == [("published", "on"), ("featured", "yes")]
    assert fields[-1] == ("place", "7")
