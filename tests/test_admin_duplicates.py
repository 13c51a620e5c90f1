"""A record that looks like one the archive holds is saved only once the archivist
says it is another (archive/admin/duplicates.py)."""

import pytest

from archive.admin.duplicates import CONFIRM
from archive.models import Document, Person
from tests.admin_forms import form_data, url

pytestmark = pytest.mark.django_db


def add_person(client, **fields):
    page = client.get(url(Person, "add"))
    return client.post(url(Person, "add"), form_data(page, change_reason="New person", **fields))


def test_a_look_alike_is_refused_with_the_record_it_looks_like(client, archivist, demo):
    client.force_login(archivist)
    maisky = Person.objects.get(slug="ivan-maisky")
    count = Person.objects.count()
    # "Mayski" is one of Maisky's name forms; born the same day.
    refused = add_person(client, name="Ivan Mayski", slug="ivan-mayski", born=maisky.born)
    assert refused.status_code == 200
    assert Person.objects.count() == count
    [error] = refused.context["adminform"].form.non_field_errors()
    assert error == (
        "The archive already has a person with this name and date: "
        f'<a href="/admin/archive/person/{maisky.pk}/view/">Ivan Maisky</a> (ivan-maisky). '
        "If this is another one, tick the box and save again. "
        f'<label class="another-record"><input type="checkbox" name="{CONFIRM}" '
        f'value="{maisky.pk}"> It is another person: save it all the same</label>'
    )
    assert error in refused.content.decode()  # shown as HTML, the box inside the form

    page = client.get(url(Person, "add"))
    saved = client.post(
        url(Person, "add"),
        form_data(
            page,
            change_reason="New person",
            name="Ivan Mayski",
            slug="ivan-mayski",
            born=maisky.born,
        )
        | {CONFIRM: str(maisky.pk)},
    )
    assert saved.status_code == 302
    assert Person.objects.filter(slug="ivan-mayski").exists()


def test_another_date_or_another_name_is_not_a_look_alike(client, archivist, demo):
    client.force_login(archivist)
    assert (
        add_person(client, name="Ivan Maisky", slug="ivan-maisky-2", born="1890").status_code == 302
    )
    assert (
        add_person(client, name="Ivan Maiskov", slug="ivan-maiskov", born="1884-01-19").status_code
        == 302
    )


def test_saving_a_record_itself_does_not_find_it(client, archivist, demo):
    client.force_login(archivist)
    document = Document.objects.get(slug="sikorski-mayski-agreement")
    page = client.get(url(Document, "change", document.pk))
    response = client.post(
        url(Document, "change", document.pk),
        form_data(page, change_reason="Summary", summary="Restored relations."),
    )
    assert response.status_code == 302


@pytest.mark.parametrize(("model", "source"), [(Person, "name"), (Document, "title")])
def test_the_slug_is_filled_from_the_name_as_it_is_typed(client, archivist, model, source):
    client.force_login(archivist)
    page = client.get(url(model, "add")).content.decode()
    assert (
        'data-prepopulated-fields="[{&quot;id&quot;: &quot;#id_slug&quot;, &quot;name&quot;: '
        f"&quot;slug&quot;, &quot;dependency_ids&quot;: [&quot;#id_{source}&quot;]"
    ) in page
    assert "admin/js/prepopulate_init.js" in page


def test_a_slug_once_published_stays(client, archivist):
    """A draft's slug may be mended; once the record has been published (even if it
    is a draft again) its slug is shown as text, not filled from the name, and a
    slug posted anyway changes nothing."""
    client.force_login(archivist)
    person = Person.objects.create(name="Ivan Maisky", slug="ivan-maiski", published=False)
    change = url(Person, "change", person.pk)
    assert 'name="slug"' in client.get(change).content.decode()
    person.published = True
    person.save()
    person.published = False
    person.save()
    page = client.get(change)
    html = page.content.decode()
    assert 'name="slug"' not in html and "#id_slug" not in html
    assert '<div class="readonly">ivan-maiski</div>' in html
    saved = client.post(change, form_data(page, change_reason="Typo") | {"slug": "ivan-maisky"})
    assert saved.status_code == 302
    person.refresh_from_db()
    assert person.slug == "ivan-maiski"


def test_autocomplete_tells_records_of_one_name_apart(client, archivist, demo):
    client.force_login(archivist)
    Person.objects.create(name="Ivan Maisky", slug="ivan-maisky-junior", born="1920")
    answer = client.get(
        "/admin/autocomplete/",
        # The person box of a signatory row.
        {
            "term": "maisky",
            "app_label": "archive",
            "model_name": "documentsignatory",
            "field_name": "person",
        },
    )
    assert answer.status_code == 200
    assert [r["text"] for r in answer.json()["results"]] == [
        "Ivan Maisky (19 January 1884 – 3 September 1975; ivan-maisky)",
        "Ivan Maisky (1920; ivan-maisky-junior)",
    ]


def test_a_label_names_dates_kind_and_slug(demo):
    from archive.admin.autocomplete import distinguishing_label

    document = Document.objects.get(slug="sikorski-mayski-agreement")
    assert distinguishing_label(document) == (
        "Sikorski–Mayski agreement (30 July 1941; agreement; sikorski-mayski-agreement)"
    )


def test_a_list_shows_each_record_s_slug(client, reader, demo):
    client.force_login(reader)
    page = client.get(url(Document, "changelist")).content.decode()
    assert '<td class="field-slug">sikorski-mayski-agreement</td>' in page
