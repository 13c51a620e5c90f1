"""The admin under hostile input and curious readers: no 500, no page opened that may not be
listed, a Content-Security-Policy on every page, logins locked per address and account."""

import pytest
from django.contrib import admin
from django.test import Client
from django.urls import reverse
from django.utils.html import format_html
from django.utils.text import Truncator

from archive.admin import edit_conflicts
from archive.models import Document, Event, Person, Place, Source, State
from tests import factories
from tests.admin_forms import RECORDS, form_data, url

pytestmark = pytest.mark.django_db

MAKE = {
    Document: factories.make_document,
    Person: factories.make_person,
    State: factories.make_state,
    Event: factories.make_event,
    Place: factories.make_place,
    Source: factories.make_source,
}
HUGE = "99999999999999999999999999"


def decade_parameters(model) -> list[str]:
    model_admin = admin.site._registry[model]
    return [
        f.parameter_name
        for f in model_admin.list_filter
        if isinstance(f, type) and hasattr(f, "date_field")
    ]


@pytest.fixture
def quiet_client(superuser):
    """A superuser's client that answers a server error as the server would: a 500 page."""
    client = Client(raise_request_exception=False)
    client.force_login(superuser)
    return client


def bad_urls(model) -> list[str]:
    record = model.objects.order_by("pk").first()
    version = record.history.earliest().history_id
    changelist = url(model, "changelist")
    values = ["-5", "0", "9995", "10000", HUGE, "abc", "1e3", " 1940", "１９４０", "\x00"]
    urls = [f"{changelist}?{name}={value}" for name in decade_parameters(model) for value in values]
    urls += [
        f"{changelist}?published__exact=maybe",
        f"{changelist}?published__exact={HUGE}",
        f"{changelist}?kind__exact=nonsense",
        f"{changelist}?pk={HUGE}",
        f"{changelist}?id__gt=abc",
        f"{changelist}?place__id__exact=abc",
        f"{changelist}?nonexistent=1",
        f"{changelist}?o=abc",
        f"{changelist}?o=99",
        f"{changelist}?o=-",
        f"{changelist}?o=1.{HUGE}",
        f"{changelist}?p=abc",
        f"{changelist}?p=-1",
        f"{changelist}?p={HUGE}",
        f"{changelist}?q=%00",
        f"{changelist}?q={'x' * 3000}",
        f"{changelist}?_to_field=secret",
        f"{changelist}?_popup=1&_to_field=internal_notes",
        f"{changelist}?e=1",
        f"{url(model, 'deleted')}?p=abc",
    ]
    for bad_id in ("abc", HUGE, "-1", "%00", "1.5"):
        urls += [
            url(model, "change", bad_id),
            url(model, "delete", bad_id),
            url(model, "history", bad_id),
            url(model, "simple_history", bad_id, version),
            url(model, "simple_history", record.pk, bad_id),
        ]
    for page in ("abc", "-1", HUGE, "\x00"):
        urls.append(f"{url(model, 'history', record.pk)}?p={page}")
    urls += [
        url(model, "simple_history", record.pk, 0),
        url(model, "simple_history", record.pk, HUGE),
        url(model, "simple_history", HUGE, HUGE),
    ]
    autocomplete = reverse("admin:autocomplete")
    for field in ("place", "source", "state", "person", "document"):
        urls += [
            f"{autocomplete}?app_label=archive&model_name={model._meta.model_name}"
            f"&field_name={field}&term=x&page={page}"
            for page in ("abc", "-1", HUGE, "1")
        ]
    urls += [
        f"{autocomplete}?app_label=archive&model_name=nonexistent&field_name=x&term=x",
        f"{autocomplete}?app_label=archive&model_name=document&field_name=place&term=%00",
        f"{autocomplete}?term=x",
    ]
    return urls


@pytest.mark.parametrize("model", RECORDS, ids=lambda m: m.__name__)
def test_no_admin_url_answers_bad_parameters_with_a_server_error(quiet_client, demo, model):
    answers = {page: quiet_client.get(page).status_code for page in bad_urls(model)}
    errors = {page: status for page, status in answers.items() if status >= 500}
    print("\n".join(sorted(errors)))
    assert errors == {}


@pytest.mark.parametrize("model", RECORDS, ids=lambda m: m.__name__)
@pytest.mark.parametrize("bad_id", ["abc", HUGE, "-99999999999999999999", "\x00", "1.5", ""])
def test_an_action_on_a_record_that_cannot_exist_is_refused_with_a_message(
    quiet_client, demo, model, bad_id
):
    """The ids ticked in a changelist went to filter(pk__in=…) as posted: a 500."""
    record = model.objects.order_by("pk").first()
    versions = model.history.count()
    changelist = url(model, "changelist")
    for confirmed in ({}, {"post": "yes", "change_reason": "Duplicate"}):
        response = quiet_client.post(
            changelist,
            {
                "action": "delete_selected",
                "index": "0",
                "_selected_action": [str(record.pk), bad_id],
                **confirmed,
            },
            follow=True,
        )
        assert response.status_code == 200
        assert [str(m) for m in response.context["messages"]] == [
            f"No {model._meta.verbose_name} has the id “{Truncator(bad_id).chars(20)}”. "
            "Nothing has been changed."
        ]
    assert model.objects.filter(pk=record.pk).exists()
    assert model.history.count() == versions


def test_a_decade_no_date_can_be_in_is_refused_with_a_message(client, archivist, demo):
    client.force_login(archivist)
    for value, shown in [
        ("-5", "-5"),
        ("9995", "9995"),
        ("0", "0"),
        (HUGE, "9999999999999999999…"),
        ("abc", "abc"),
    ]:
        response = client.get(url(Person, "changelist"), {"born_decade": value})
        assert response.status_code == 200
        assert list(response.context["cl"].result_list) == []
        assert [str(m) for m in response.context["messages"]] == [
            f"No such decade: “{shown}”. A decade is a year from 1 to 9990, such as 1940."
        ]
    response = client.get(url(Document, "changelist"), {"date_decade": "9990"})
    assert (response.status_code, list(response.context["messages"])) == (200, [])


@pytest.mark.parametrize(
    "token",
    [
        f"{HUGE}:abc",
        f"{HUGE}:{'0' * 64}",
        f"{'9' * 17}:{'0' * 64}",
        f"²:{'0' * 64}",
        f"１２:{'0' * 64}",
        "12:",
        ":abc",
        "\x00",
        "",
    ],
)
def test_a_malformed_opened_version_is_a_form_error_and_saves_nothing(
    client, archivist, maisky, token
):
    client.force_login(archivist)
    page = client.get(url(Person, "change", maisky.pk))
    data = form_data(page, name="Ivan Mikhailovich Maisky", change_reason="Full name")
    response = client.post(url(Person, "change", maisky.pk), {**data, "opened_version": token})
    assert response.status_code == 200
    change_url = url(Person, "change", maisky.pk)
    form = response.context["adminform"].form
    assert list(form.non_field_errors()) == [
        format_html(edit_conflicts.NO_TOKEN, change_url=change_url)
    ]
    assert Person.objects.get(pk=maisky.pk).name == "Ivan Maisky"
    assert maisky.history.count() == 1


@pytest.mark.parametrize("model", RECORDS, ids=lambda m: m.__name__)
def test_a_reader_opens_no_deleted_record_they_may_not_list(
    client, superuser, reader, archivist, demo, model
):
    """Readers see every record that exists and its history, but not the deleted ones:
    not in the list, nor by id (its history, its recover form), internal notes included."""
    pk = MAKE[model](internal_notes="Secret: source not yet checked").pk
    model.objects.get(pk=pk).delete()
    kept = model.objects.order_by("pk").first()
    deletion = model.history.filter(id=pk, history_type="-").get()
    deleted_pages = [
        url(model, "deleted"),
        url(model, "history", pk),
        url(model, "simple_history", pk, deletion.history_id),
    ]
    existing_pages = [
        url(model, "history", kept.pk),
        url(model, "simple_history", kept.pk, kept.history.earliest().history_id),
    ]

    client.force_login(reader)
    answers = {page: client.get(page) for page in deleted_pages + existing_pages}
    assert {page: r.status_code for page, r in answers.items()} == {
        **dict.fromkeys(deleted_pages, 403),
        **dict.fromkeys(existing_pages, 200),
    }
    assert not any(b"Secret: source not yet checked" in r.content for r in answers.values())
    assert client.get(url(model, "changelist")).context["deleted_url"] is None

    client.force_login(archivist)
    answers = {page: client.get(page) for page in deleted_pages}
    assert {page: r.status_code for page, r in answers.items()} == dict.fromkeys(deleted_pages, 200)
    recover_form = answers[url(model, "simple_history", pk, deletion.history_id)]
    assert b"Secret: source not yet checked" in recover_form.content
    assert client.get(url(model, "changelist")).context["deleted_url"] == url(model, "deleted")


# --- Content-Security-Policy ---------------------------------------------------------------

STRICT_POLICY = {
    "default-src": "'self'",
    "script-src": "'self'",
    "style-src": "'self'",
    "img-src": "'self'",
    "font-src": "'self'",
    "connect-src": "'self'",
    "object-src": "'none'",
    "base-uri": "'none'",
    "form-action": "'self'",
    "frame-ancestors": "'none'",
}


def policy(response) -> dict[str, str]:
    """The Content-Security-Policy header as {directive: sources} (its order varies)."""
    directives = [
        part.strip().split(" ", 1) for part in response["Content-Security-Policy"].split(";")
    ]
    parsed = {name: sources for name, sources in directives}
    assert len(parsed) == len(directives)
    return parsed


def test_every_admin_page_has_the_strict_content_security_policy(client, superuser, demo):
    person = Person.objects.get(slug="ivan-maisky")
    version = person.history.earliest().history_id
    assert policy(client.get("/admin/login/")) == STRICT_POLICY
    client.force_login(superuser)
    pages = [
        "/admin/",
        url(Person, "changelist"),
        url(Person, "changelist") + "?born_decade=1880",
        url(Person, "add") + "?_popup=1",
        url(Person, "change", person.pk),
        url(Person, "history", person.pk),
        url(Person, "simple_history", person.pk, version),
        url(Person, "deleted"),
        url(Document, "changelist") + "?date_decade=1940",
        reverse("admin:autocomplete")
        + "?app_label=archive&model_name=document&field_name=place&term=w",
        "/healthz",
    ]
    answers = {page: client.get(page) for page in pages}
    assert {page: r.status_code for page, r in answers.items()} == dict.fromkeys(pages, 200)
    assert {page: policy(r) for page, r in answers.items()} == dict.fromkeys(pages, STRICT_POLICY)
    # Errors too.
    assert policy(client.get(url(Person, "history", "abc"))) == STRICT_POLICY


def test_graphiql_alone_may_use_data_urls_and_loads_nothing_from_elsewhere(client, settings):
    """Its scripts and styles are the site's own (tests/test_graphiql.py): no CDN, no
    inline script or style; its CSS's fonts and icons are data: URLs."""
    settings.GRAPHIQL = True
    response = client.get("/graphql/", HTTP_ACCEPT="text/html")
    assert response.status_code == 200
    assert b"unpkg.com" not in response.content
    assert policy(response) == {
        **STRICT_POLICY,
        "img-src": "'self' data:",
        "font-src": "'self' data:",
    }
