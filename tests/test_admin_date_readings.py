"""A date's reading beside every EDTF field of the admin, and in its histories.

The reading of the saved value is in the page as served (no script needed to
see it); the reading of what is typed comes from the admin's date-reading
endpoint, answered by archive.dates, as a save would be (the browser's side is
tests/test_browser_date_readings.py).
"""

import json
import re

import pytest
from django.contrib.auth import get_user_model
from django.urls import reverse

from archive import history
from archive.models import Person, Position, State
from tests.admin_forms import form_data, url

pytestmark = pytest.mark.django_db

READING_URL = "/admin/archive/date-reading/"
HELP = (
    "Use a form such as 1941-07-30, 1941-07, 1941, 1941~ (circa), 1941? (uncertain), "
    "194X or 1939-09/1939-10."
)
AUGUST = "“14 August 1941” is not a valid EDTF date: did you mean 1941-08-14 (14 August 1941)?"


def change_url(obj):
    return reverse(f"admin:archive_{obj._meta.model_name}_change", args=[obj.pk])


def history_url(obj):
    return reverse(f"admin:archive_{obj._meta.model_name}_history", args=[obj.pk])


def read(client, value):
    response = client.get(READING_URL, {"edtf": value})
    return response.status_code, json.loads(response.content)


# --- the endpoint ---------------------------------------------------------------------------


def test_the_endpoint_reads_a_date(client, archivist):
    client.force_login(archivist)
    assert reverse("archive_date_reading") == READING_URL
    assert read(client, "1941-07") == (
        200,
        {
            "edtf": "1941-07",
            "reading": "July 1941, 1 July 1941 – 31 July 1941",
            "display": "July 1941",
            "earliest": "1941-07-01",
            "latest": "1941-07-31",
            "approximate": False,
            "uncertain": False,
        },
    )
    assert read(client, "../1941~") == (
        200,
        {
            "edtf": "../1941~",
            "reading": "until circa 1941, … – 31 December 1941",
            "display": "until circa 1941",
            "earliest": None,
            "latest": "1941-12-31",
            "approximate": True,
            "uncertain": False,
        },
    )


def test_the_endpoint_answers_a_refusal_with_its_suggestion(client, archivist):
    client.force_login(archivist)
    assert read(client, "14 August 1941") == (
        200,
        {"edtf": "14 August 1941", "error": AUGUST, "suggestion": "1941-08-14"},
    )
    level_2 = (
        "“{1667,1668}” is EDTF level 2 (a list of dates); the archive takes EDTF levels 0 "
        f"and 1 only. {HELP}"
    )
    assert read(client, "{1667,1668}") == (
        200,
        {"edtf": "{1667,1668}", "error": level_2, "suggestion": None},
    )


def test_the_endpoint_reads_as_the_form_takes_the_value(client, archivist):
    """Stripped, as the form's field strips it; empty is unknown, and says nothing."""
    client.force_login(archivist)
    assert read(client, " 1941-07-30 ")[1]["reading"] == "30 July 1941"
    assert read(client, "") == (200, {"edtf": "", "reading": ""})


def test_the_endpoint_refuses_bad_requests(client, archivist):
    client.force_login(archivist)
    assert read(client, "1" * 65) == (400, {"error": "A date has at most 64 characters."})
    response = client.get(READING_URL)
    assert (response.status_code, json.loads(response.content)) == (
        400,
        {"error": "Give the date to read: ?edtf=1941-07."},
    )
    assert client.post(READING_URL, {"edtf": "1941"}).status_code == 405


def test_the_endpoint_is_for_staff_only(client):
    """Anyone else is sent to the login page, as by every admin page, with no reading."""
    response = client.get(READING_URL, {"edtf": "1941-07"})
    assert response.status_code == 302
    assert response["Location"] == f"/admin/login/?next={READING_URL}%3Fedtf%3D1941-07"
    visitor = get_user_model().objects.create(username="visitor", is_staff=False)
    client.force_login(visitor)
    response = client.get(READING_URL, {"edtf": "1941-07"})
    assert response.status_code == 302
    assert response["Location"].startswith("/admin/login/")


# --- the widget -----------------------------------------------------------------------------


def reading_of(html: str, field_id: str) -> tuple[str, str]:
    """The class and text of the reading after the box ``field_id``."""
    match = re.search(
        rf'<span class="([^"]+)" id="{field_id}_reading" aria-live="polite">([^<]*)</span>',
        html,
    )
    assert match, f"no reading for {field_id}"
    return match.group(1), match.group(2)


def test_the_change_form_shows_the_reading_of_each_saved_date(client, archivist, maisky):
    soviet_union = State.objects.create(slug="soviet-union", name="Soviet Union")
    Position.objects.create(
        person=maisky, state=soviet_union, title="Ambassador", period="1932/1943"
    )
    client.force_login(archivist)
    html = client.get(change_url(maisky)).content.decode()

    assert reading_of(html, "id_born") == ("date-reading", "19 January 1884")
    assert reading_of(html, "id_died") == ("date-reading", "")
    assert reading_of(html, "id_positions-0-period") == (
        "date-reading",
        "1932 – 1943, 1 January 1932 – 31 December 1943",
    )
    # The box names its reading (after its help text) and where to ask for another.
    born = re.search(r'<input type="text" name="born"[^>]*>', html).group(0)
    assert 'aria-describedby="id_born_helptext id_born_reading"' in born
    assert f'data-date-reading="{READING_URL}"' in born
    # The empty row that "Add another" copies has its box and reading too.
    assert reading_of(html, "id_positions-__prefix__-period") == ("date-reading", "")
    # The script and style, once, from the site (the policy allows no inline script).
    assert html.count('<script src="/static/archive/date_reading.js"></script>') == 1
    assert html.count('href="/static/archive/date_reading.css"') == 1


def test_a_refused_date_is_shown_again_with_its_suggestion_and_nothing_is_saved(
    client, archivist, maisky
):
    client.force_login(archivist)
    page = client.get(change_url(maisky))
    response = client.post(
        change_url(maisky), form_data(page, born="14 August 1941", change_reason="Typed in words")
    )
    assert response.status_code == 200
    assert response.context["adminform"].form.errors == {"born": [AUGUST]}
    html = response.content.decode()
    # As typed, never rewritten; the reading says what to type instead.
    assert 'name="born" value="14 August 1941"' in html
    assert reading_of(html, "id_born") == ("date-reading invalid", AUGUST)
    assert Person.objects.get(pk=maisky.pk).born == "1884-01-19"


# --- histories ------------------------------------------------------------------------------


def test_the_history_shows_readings_beside_dates_of_the_record_and_its_rows(
    client, archivist, maisky
):
    soviet_union = State.objects.create(slug="soviet-union", name="Soviet Union")
    Position.objects.create(
        person=maisky, state=soviet_union, title="Ambassador", period="1932/1943"
    )
    client.force_login(archivist)
    page = client.get(change_url(maisky))
    client.post(
        change_url(maisky),
        form_data(
            page, born="1884-01", **{"positions-0-period": "1932-10/1943"}, change_reason="Checked"
        ),
    )

    response = client.get(history_url(maisky))
    changes = [(e.summary, e.changes) for e in response.context["entries"] if e.changes]
    assert changes == [
        (
            "position changed: Ambassador (1932-10/1943 (October 1932 – 1943))",
            [("period", "1932/1943 (1932 – 1943)", "1932-10/1943 (October 1932 – 1943)")],
        ),
        ("Changed", [("born", "1884-01-19 (19 January 1884)", "1884-01 (January 1884)")]),
    ]
    html = response.content.decode()
    assert (
        "<li><strong>born:</strong> <del>1884-01-19 (19 January 1884)</del> &rarr; "
        "<ins>1884-01 (January 1884)</ins></li>"
    ) in html
    assert "<td>position changed: Ambassador (1932-10/1943 (October 1932 – 1943))</td>" in html
    # A revert to before the position was added removes it, named the same way.
    before = maisky.history.order_by("-history_date")[1]
    revert_page = client.get(url(Person, "simple_history", maisky.pk, before.history_id))
    assert (
        '<tr class="row-removed">\n'
        "        <td>Position: Ambassador (1932-10/1943 (October 1932 – 1943))</td>\n"
        "        <td>removed</td>"
    ) in revert_page.content.decode()
    # The public API's history writes the period as stored, as its changes do.
    position = Position.objects.get(person=maisky)
    assert history.PUBLIC.row(position) == "Ambassador (1932-10/1943)"
