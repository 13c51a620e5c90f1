"""The fast execution of plain fields (archive/graphql/execution.py) answers exactly
what graphql-core and strawberry-django answer the ordinary way."""

import datetime

import pytest
from django.utils import timezone
from graphql import GraphQLNonNull, GraphQLObjectType, get_named_type
from strawberry.extensions import SchemaExtension
from strawberry.schema.schema import StrawberryGraphQLCoreExecutionContext
from strawberry_django.fields.field import StrawberryDjangoField
from strawberry_django.optimizer import DjangoOptimizerExtension

from archive.graphql import execution
from archive.graphql.execution import FieldOptimizer
from archive.graphql.schema import schema
from archive.models import Document, DocumentSignatory, Person

# Queries over every kind of field: leaves, links, lists of rows, custom resolvers,
# aliases, fragments, __typename, nested pagination, asOf reads (rows rebuilt in
# memory, which the fast path must leave alone) and search (a union).
QUERIES = [
    """{ documents(ordering: [{date: ASC}, {slug: ASC}], pagination: {limit: 100}) {
          totalCount
          results { __typename id slug title officialTitle kind summary text description
            date { edtf display earliest latest approximate uncertain }
            place { id slug name }
            parties { id role state { id slug name officialName } }
            signatories { id role person { slug name born { edtf } } onBehalfOf { slug name } }
            provisions { number text }
            relatedDocuments { relation document { slug title } }
            events { role event { slug name } }
            sources { locator source { slug title } }
          } } }""",
    """{ persons(pagination: {limit: 100}) { results {
          slug name description born { display } died { display }
          nameForms { name language kind }
          signed(pagination: {limit: 3, offset: 1}) {
            id role document { slug } onBehalfOf { slug } }
          positions { id title state { slug } }
          events { role event { slug date { edtf } } }
        } } }""",
    """{ events(ordering: [{date: DESC}]) { totalCount results {
          slug name kind date { edtf }
          place { slug }
          participants { role person { slug } }
          states { role state { slug } }
          documents { document { slug } }
        } } }""",
    """query { a: states { results { ...S } }
         b: places { results { slug name placeNames: nameForms { name } } } }
       fragment S on State { slug name existence { edtf } nameForms { name language } }""",
    """{ search(text: "maisky") { score record { __typename ... on Person { slug name }
          ... on Document { slug title } ... on Event { slug } ... on State { slug } } } }""",
]


def stock_execution() -> dict:
    """The schema's attributes with which strawberry and strawberry-django execute it
    out of the box: their optimizer, their execution context."""
    return {
        "extensions": tuple(
            DjangoOptimizerExtension if extension is FieldOptimizer else extension
            for extension in schema.extensions
        ),
        "execution_context_class": StrawberryGraphQLCoreExecutionContext,
    }


def ordinary_execution(monkeypatch):
    for name, value in stock_execution().items():
        monkeypatch.setattr(schema, name, value)


def run(query: str, variables: dict | None = None):
    result = schema.execute_sync(query, variable_values=variables)
    errors = [(error.message, error.path) for error in result.errors or []]
    return result.data, errors


@pytest.mark.django_db
@pytest.mark.parametrize(
    "query", QUERIES, ids=["documents", "persons", "events", "fragments", "search"]
)
def test_the_fast_way_answers_what_the_ordinary_way_answers(demo, monkeypatch, settings, query):
    settings.GRAPHQL_MAX_COST = 10**7  # every field at once: over the budget of production
    fast = run(query)
    assert fast[1] == [] and fast[0]
    ordinary_execution(monkeypatch)
    assert run(query) == fast


@pytest.mark.django_db
def test_an_as_of_read_answers_the_same_both_ways(demo, monkeypatch):
    """Rows of a past version are paged in Python: the fast way must not take them."""
    document = Document.objects.filter(published=True, signatories__isnull=False).first()
    moment = timezone.now()  # every row's latest version, rebuilt from the history
    query = """query ($slug: String!, $at: DateTime!) { document(slug: $slug, asOf: $at) {
        title date { edtf } place { slug }
        signatories(pagination: {limit: 1}) { role person { slug name } onBehalfOf { slug } }
        parties { role state { slug } } } }"""
    variables = {"slug": document.slug, "at": moment.isoformat()}
    fast = run(query, variables)
    assert fast[1] == [] and fast[0]["document"]["signatories"]
    ordinary_execution(monkeypatch)
    assert run(query, variables) == fast


@pytest.mark.django_db
def test_an_unpublished_link_is_null_both_ways(maisky, monkeypatch):
    from tests.factories import make_document, make_state

    draft_state = make_state(slug="draft-state", published=False)
    document = make_document(slug="pact", published=True)
    DocumentSignatory.objects.create(
        document=document, person=maisky, on_behalf_of=draft_state, role="signatory"
    )
    query = '{ document(slug: "pact") { signatories { person { slug } onBehalfOf { slug } } } }'
    fast = run(query)
    signatory = {"person": {"slug": "ivan-maisky"}, "onBehalfOf": None}
    expected = {"document": {"signatories": [signatory]}}
    assert fast == (expected, [])
    ordinary_execution(monkeypatch)
    assert run(query) == fast


@pytest.mark.django_db
def test_a_null_on_a_non_null_field_is_graphql_cores_error(maisky, monkeypatch):
    """A value that is not plainly valid goes the ordinary way, which reports it."""
    assert isinstance(schema._schema.type_map["Person"].fields["name"].type, GraphQLNonNull)
    loaded = Person.from_db.__func__

    def nameless(cls, *args, **kwargs):
        person = loaded(cls, *args, **kwargs)
        person.name = None
        return person

    monkeypatch.setattr(Person, "from_db", classmethod(nameless))
    query = '{ person(slug: "ivan-maisky") { slug name } }'
    # graphql-core raises a TypeError there; the API masks it as unexpected.
    assert run(query) == ({"person": None}, [("Unexpected error.", ["person", "name"])])
    ordinary_execution(monkeypatch)
    assert run(query) == ({"person": None}, [("Unexpected error.", ["person", "name"])])


@pytest.mark.django_db
def test_plain_fields_skip_the_resolver_chain(demo, monkeypatch):
    """Only the top-level list goes through strawberry-django's resolver: the
    documents' columns, their parties, and the parties' states are read directly."""
    calls = []
    original = StrawberryDjangoField.get_result

    def counted(self, source, info, args, kwargs):
        calls.append(self.python_name)
        return original(self, source, info, args, kwargs)

    monkeypatch.setattr(StrawberryDjangoField, "get_result", counted)
    data, errors = run(
        "{ documents(pagination: {limit: 5}) { results { slug title"
        "  parties { role state { slug } } } } }"
    )
    assert errors == [] and sum(len(d["parties"]) for d in data["documents"]["results"]) > 5
    assert calls == ["documents"]


@pytest.mark.django_db
def test_with_a_middleware_every_field_goes_the_ordinary_way(demo, monkeypatch):
    """An extension that sees each field (``resolve``) still sees every one of them."""
    seen = []

    class EveryField(SchemaExtension):
        def resolve(self, _next, root, info, *args, **kwargs):
            seen.append(info.field_name)
            return _next(root, info, *args, **kwargs)

    monkeypatch.setattr(schema, "extensions", (*schema.extensions, EveryField))
    data, errors = run(
        "{ documents(pagination: {limit: 2}) { results { slug parties { state { slug } } } } }"
    )
    assert errors == []
    results = data["documents"]["results"]
    parties = sum(len(d["parties"]) for d in results)
    # documents, results, and per document: slug, parties; per party: state, slug
    assert len(seen) == 2 + 2 * len(results) + 2 * parties


def test_which_fields_take_the_fast_way():
    types = schema._schema.type_map
    plans = {
        name: execution.fast_path(types[type_name].fields[name])
        for type_name, name in [
            ("Document", "id"),
            ("Document", "slug"),
            ("Document", "kind"),
            ("Document", "date"),
            ("Document", "place"),
            ("Document", "parties"),
            ("Document", "sources"),
            ("Document", "history"),
        ]
    }
    kinds = {name: plan.kind if plan else None for name, plan in plans.items()}
    assert kinds == {
        "id": "key",  # Relay's Node.id
        "slug": "leaf",
        "kind": "leaf",
        "date": None,  # a resolver
        "place": "link",
        "parties": "rows",
        "sources": None,  # a resolver
        "history": None,  # a resolver
    }
    assert isinstance(execution.fast_path(types["Signatory"].fields["id"]), execution.Key)
    # Every object field the plans name is what they say it is.
    for type_name, graphql_type in types.items():
        if not isinstance(graphql_type, GraphQLObjectType) or type_name.startswith("__"):
            continue
        for field_name, field in graphql_type.fields.items():
            plan = execution.fast_path(field)
            # Every id is a key: free in the cost (archive/graphql/limits.py KEYS).
            assert isinstance(plan, execution.Key) == (field_name == "id")
            if isinstance(plan, execution.Key):
                assert str(field.type) == "ID!"
            elif isinstance(plan, execution.Leaf):
                assert not isinstance(get_named_type(field.type), GraphQLObjectType)
            elif plan:
                assert isinstance(plan, execution.Link | execution.Rows)
                assert isinstance(get_named_type(field.type), GraphQLObjectType)


@pytest.mark.django_db
def test_a_query_text_seen_before_is_not_validated_again(maisky, monkeypatch):
    import strawberry.schema.schema as strawberry_schema

    validated = []
    validate = strawberry_schema.validate

    def counted(*args, **kwargs):
        validated.append(1)
        return validate(*args, **kwargs)

    monkeypatch.setattr(strawberry_schema, "validate", counted)
    query = '{ seenBefore: person(slug: "ivan-maisky") { name } }'  # a text no other test sends
    assert run(query) == ({"seenBefore": {"name": "Ivan Maisky"}}, [])
    assert run(query) == ({"seenBefore": {"name": "Ivan Maisky"}}, [])
    assert len(validated) == 1
    # A remembered error is the same, and each request gets its own copy.
    wrong = '{ seenBefore: person(slug: "ivan-maisky") { nam } }'
    first, second = run(wrong), run(wrong)
    assert first == second == (None, [("Cannot query field 'nam' on type 'Person'.", None)])
    assert len(validated) == 2


@pytest.mark.fuzz
@pytest.mark.django_db
def test_generated_queries_answer_the_same_both_ways(demo):
    """Queries generated from the schema (hypothesis-graphql, steered to demo slugs and
    words as bin/fuzz does), each answered the fast way and the ordinary way: the same
    data and the same errors, every time."""
    import random

    from graphql import parse, print_ast
    from hypothesis import HealthCheck, given, settings
    from hypothesis import strategies as st
    from hypothesis_graphql import nodes, queries

    from tools.fuzzing import _steer

    graphql_schema = schema._schema
    scalars = {
        "Date": st.dates().map(lambda day: nodes.String(day.isoformat())),
        "DateTime": st.datetimes(timezones=st.just(datetime.UTC)).map(
            lambda moment: nodes.String(moment.isoformat())
        ),
    }
    ordinary = stock_execution()
    fast = {name: getattr(schema, name) for name in ordinary}
    compared = []

    @settings(
        max_examples=150,
        deadline=None,
        derandomize=True,
        database=None,
        suppress_health_check=list(HealthCheck),
    )
    @given(query=queries(graphql_schema, custom_scalars=scalars), seed=st.integers(0, 2**16))
    def both_ways(query, seed):
        steered = print_ast(_steer(parse(query), graphql_schema, random.Random(seed)))
        answers = []
        try:
            for way in (fast, ordinary):
                for name, value in way.items():
                    setattr(schema, name, value)
                answers.append(run(steered))
        finally:
            for name, value in fast.items():
                setattr(schema, name, value)
        assert answers[0] == answers[1], steered
        compared.append(answers[0][0] is not None)

    both_ways()
    # Many are refused (cost, depth, values no record has): enough answer data.
    assert len(compared) == 150 and sum(compared) >= 30


def test_another_graphql_core_is_refused_at_import(monkeypatch):
    """execute_field is graphql-core's private API: the override is fenced to the
    version it was written for, and pyproject.toml pins that version."""
    import importlib.metadata
    import importlib.util
    import re
    import tomllib
    from pathlib import Path

    from archive import library_versions

    root = Path(__file__).resolve().parent.parent
    pins = tomllib.loads((root / "pyproject.toml").read_text())["project"]["dependencies"]
    assert "graphql-core==3.3.2" in pins
    # The module's code run again as a fresh import would run it, in this process
    # (a new one would spend seconds starting Django); sys.modules is left alone.
    monkeypatch.setattr(
        library_versions,
        "installed",
        lambda name: "3.3.3" if name == "graphql-core" else importlib.metadata.version(name),
    )
    spec = importlib.util.spec_from_file_location("fenced_execution", execution.__file__)
    message = (
        "archive/graphql/execution.py overrides graphql-core's private "
        "ExecutionContext.execute_field and calls its to_nodes: it was written for "
        "graphql-core 3.3.2, and graphql-core 3.3.3 is installed. Check it against 3.3.3, "
        "then change the version it requires and the pin in pyproject.toml."
    )
    with pytest.raises(ImportError, match=f"^{re.escape(message)}$"):
        spec.loader.exec_module(importlib.util.module_from_spec(spec))
