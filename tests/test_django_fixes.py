"""archive/django_fixes.py: a one-column ``TupleIn`` (Django 5.2's prefetch of a
forward foreign key) is a plain ``IN``, on every database."""

import pytest
from django.db import connection
from django.db.models import prefetch_related_objects
from django.db.models.fields.tuple_lookups import Tuple, TupleIn
from django.test.utils import CaptureQueriesContext

from archive.models import Document, DocumentSignatory, Person
from tests.graphql_client import gql


@pytest.mark.django_db
def test_prefetching_a_link_filters_with_one_in_list(maisky):
    documents = Document.objects.bulk_create(
        Document(slug=f"d{number}", title=f"D{number}", published=True) for number in range(3)
    )
    DocumentSignatory.objects.bulk_create(
        DocumentSignatory(document=document, person=maisky, role="signatory")
        for document in documents
    )
    signatories = list(DocumentSignatory.objects.order_by("pk"))
    with CaptureQueriesContext(connection) as queries:
        prefetch_related_objects(signatories, "document")
    (sql,) = [query["sql"] for query in queries.captured_queries]
    ids = ", ".join(str(document.pk) for document in documents)
    assert sql.endswith(f'WHERE "archive_document"."id" IN ({ids})'), sql
    assert [signatory.document.slug for signatory in signatories] == ["d0", "d1", "d2"]


@pytest.mark.no_cache
@pytest.mark.django_db
def test_a_page_may_link_to_more_than_a_thousand_records(client):
    """SQLite refuses an OR chain of over 1,000 terms, which Django 5.2 wrote for the
    documents signed by a page of persons ("Expression tree is too large")."""
    persons = Person.objects.bulk_create(
        Person(slug=f"p{number:02}", name=f"P{number:02}", published=True) for number in range(11)
    )
    documents = Document.objects.bulk_create(
        Document(slug=f"d{number:04}", title=f"D{number}", published=True, date="1941")
        for number in range(1100)
    )
    DocumentSignatory.objects.bulk_create(
        DocumentSignatory(document=document, person=persons[number // 100], role="signatory")
        for number, document in enumerate(documents)
    )
    data = gql(
        client,
        """{ persons(ordering: [{slug: ASC}], pagination: {limit: 11}) { results {
             signed(pagination: {limit: 100}) { document { slug } } } } }""",
    )
    slugs = [s["document"]["slug"] for p in data["persons"]["results"] for s in p["signed"]]
    assert len(slugs) == 1100 and set(slugs) == {document.slug for document in documents}


@pytest.mark.django_db
def test_a_lookup_on_two_columns_is_left_to_django(maisky):
    """Only the one-column case changes; tuples of several columns keep Django's SQL."""
    Person.objects.create(slug="other", name="Ivan Maisky", published=True)
    found = Person.objects.filter(
        TupleIn(Tuple("slug", "name"), [("ivan-maisky", "Ivan Maisky"), ("x", "y")])
    )
    assert list(found.values_list("slug", flat=True)) == ["ivan-maisky"]
    sql = str(found.query)
    if connection.vendor == "sqlite":  # Django's fallback: one AND per tuple, ORed
        assert ' OR ("archive_person"."slug" = ' in sql, sql
    else:
        assert '("archive_person"."slug", "archive_person"."name") IN ' in sql, sql


def test_the_fix_is_installed_when_django_starts():
    from archive import django_fixes

    assert TupleIn.as_sql is django_fixes._one_column_tuple_in_as_sql
