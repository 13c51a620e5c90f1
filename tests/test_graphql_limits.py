"""Limits of the GraphQL API: depth, aliases, tokens, fragments, page sizes.

Every request over a limit gets a GraphQL error that names the limit, never a
500; the example queries a client writes stay well inside every limit.
"""

import json
import runpy
import time

import pytest
from django.conf import settings
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from graphql import (
    FragmentDefinitionNode,
    GraphQLInputObjectType,
    OperationDefinitionNode,
    get_introspection_query,
    parse,
    validate,
)
from graphql.language import Lexer, Source, TokenKind
from strawberry.extensions.max_aliases import count_fields_with_alias
from strawberry.extensions.query_depth_limiter import create_validator
from strawberry.printer import print_schema

from archive.graphql import limits, selections
from archive.graphql.schema import NUL_REFUSED, build_schema, schema
from archive.models import DocumentParty, DocumentSignatory
from project import settings as project_settings
from tests.documentation import EXAMPLES as DOCUMENTED_EXAMPLES
from tests.factories import make_document, make_person, make_state
from tests.graphql_client import ACCEPT, gql, gql_errors, post

pytestmark = pytest.mark.django_db

MAX_DEPTH, MAX_ALIASES, MAX_TOKENS = (
    settings.GRAPHQL_MAX_DEPTH,
    settings.GRAPHQL_MAX_ALIASES,
    settings.GRAPHQL_MAX_TOKENS,
)

PAGE_SIZE_EXCEEDED = (
    "Page size limit exceeded: pagination.limit is {limit}, the maximum is 100. "
    "Ask for further pages with pagination.offset."
)
DEPTH_EXCEEDED = "'{operation}' exceeds maximum operation depth of 10"


# --- measuring queries as the limiters do ---------------------------------------------


def tokens(query: str) -> int:
    lexer = Lexer(Source(query))
    count = 0
    while lexer.advance().kind != TokenKind.EOF:
        count += 1
    return count


def depth(query: str) -> int:
    """The depth strawberry's QueryDepthLimiter measures (the deepest operation)."""
    depths = {}
    validate(schema._schema, parse(query), [create_validator(1000, None, depths.update)])
    return max(depths.values())


def aliases(query: str) -> int:
    document = parse(query)
    fragments = {
        d.name.value: d for d in document.definitions if isinstance(d, FragmentDefinitionNode)
    }
    return sum(
        count_fields_with_alias(d, fragments)
        for d in document.definitions
        if isinstance(d, OperationDefinitionNode)
    )


# --- the limits are what the schema says ------------------------------------------------


DEEP = "query Deep { documents { results { parties { state { slug } } } } }"
PAGE = "{ documents(pagination: {limit: 51}) { results { slug } } }"
COSTLY = "{ documents(pagination: {limit: 10}) { results { slug } } }"
COSTLY_COST = limits.query_cost(schema._schema, parse(COSTLY))


@pytest.mark.parametrize(
    "setting, value, described, query, refusal",
    [
        (
            "GRAPHQL_MAX_PAGE_SIZE",
            50,
            "limit (default 20, at most 50)",
            PAGE,
            "Page size limit exceeded: pagination.limit is 51, the maximum is 50. "
            "Ask for further pages with pagination.offset.",
        ),
        (
            "GRAPHQL_MAX_TEXT_WORDS",
            2,
            "At most 2 words and 200 characters.",
            '{ search(text: "treaty of riga") { score } }',
            "text: Text too long: 3 words; a text to find holds at most 2 words and 200 "
            "characters.",
        ),
        (
            "GRAPHQL_MAX_DEPTH",
            depth(DEEP) - 1,
            f"nests fields at most {depth(DEEP) - 1} deep",
            DEEP,
            f"'Deep' exceeds maximum operation depth of {depth(DEEP) - 1}",
        ),
        (
            "GRAPHQL_MAX_COST",
            COSTLY_COST - 1,
            f"costs at most {COSTLY_COST - 1:,}",
            COSTLY,
            f"Query too costly: it costs {COSTLY_COST:,} (each field 1, each list's items "
            "times its page size; histories, texts to find, filters and asOf reads more); "
            f"the budget is {COSTLY_COST - 1:,}. Ask for smaller pages, fewer nested lists, "
            "or several queries.",
        ),
        (
            "GRAPHQL_MAX_TEXT_CHARACTERS",
            10,
            "At most 20 words and 10 characters.",
            '{ search(text: "treaty of riga") { score } }',
            "text: Text too long: 14 characters; a text to find holds at most 10 characters "
            "and 20 words.",
        ),
        (
            "GRAPHQL_MAX_ALIASES",
            2,
            "holds at most 2 aliases",
            "{ a: __typename b: __typename c: __typename }",
            "3 aliases found. Allowed: 2",
        ),
        (
            "GRAPHQL_MAX_TOKENS",
            tokens("{ a: __typename b: __typename c: __typename }") - 1,
            "and 10 tokens",
            "{ a: __typename b: __typename c: __typename }",
            "Syntax Error: Document contains more than 10 tokens. Parsing aborted.",
        ),
    ],
    ids=["page-size", "text-words", "depth", "cost", "text-characters", "aliases", "tokens"],
)
def test_a_limit_is_one_setting_that_its_description_and_its_refusal_follow(
    client, settings, setting, value, described, query, refusal
):
    assert described not in print_schema(schema)
    gql(client, query)  # within the limit as shipped
    setattr(settings, setting, value)
    assert described in print_schema(build_schema())
    assert gql_errors(client, query) == [refusal]


def test_the_default_page_size_is_one_setting(client, settings, crowded_document):
    """Lists within records are paged by it as they are read (the top-level pages by
    strawberry-django, whose settings project/settings.py derives from it)."""
    query = '{ document(slug: "crowded") { parties { state { slug } } } }'
    parties = gql(client, query)["document"]["parties"]
    assert len(parties) == 20
    settings.GRAPHQL_PAGE_SIZE = 3
    assert "limit (default 3, at most 100)" in print_schema(build_schema())
    assert gql(client, query) == {"document": {"parties": parties[:3]}}


def test_strawberry_django_pages_by_the_page_size_settings(monkeypatch):
    """The top-level lists' defaults (read once, at start) follow the two settings'
    environment variables: a deployment sets each limit in one place."""
    monkeypatch.setenv("GRAPHQL_PAGE_SIZE", "7")
    monkeypatch.setenv("GRAPHQL_MAX_PAGE_SIZE", "9")
    started = runpy.run_path(project_settings.__file__)
    assert (started["GRAPHQL_PAGE_SIZE"], started["GRAPHQL_MAX_PAGE_SIZE"]) == (7, 9)
    assert started["STRAWBERRY_DJANGO"] == {
        "PAGINATION_DEFAULT_LIMIT": 7,
        "PAGINATION_MAX_LIMIT": 9,
        "FIELD_DESCRIPTION_FROM_HELP_TEXT": True,
    }


# --- example queries pass comfortably -------------------------------------------------

TREATY = """
query Treaty {
  document(slug: "sikorski-mayski-agreement") {
    slug title officialTitle kind summary
    date { edtf display earliest latest approximate uncertain }
    place { slug name state { name } }
    provisions { number text }
    parties { role state { slug name officialName } sources { source { title } locator } }
    signatories {
      role
      person { slug name nameForms { name language kind } }
      onBehalfOf { slug name }
    }
    relatedDocuments { relation document { slug title date { display } } }
    events { role event { slug name date { display } } }
    sources { source { title author url } locator note }
    history { date type reason summary changes { field old new } }
  }
}
"""

PERSON = """
query Person {
  person(slug: "ivan-maisky") {
    slug name
    nameForms { name language kind }
    born { edtf display }
    died { edtf display }
    positions { title state { name } period { display } }
    signed {
      role
      onBehalfOf { name }
      document { slug title kind date { display } parties { role state { name } } }
    }
    events { role event { name date { display } } }
    history { date type summary changes { field old new } }
  }
}
"""

LISTS = """
query Lists {
  polish: documents(filters: {party: "poland"}, ordering: [{date: ASC}],
                    pagination: {limit: 10}) {
    totalCount
    results { slug title date { display } parties { role state { name } } }
  }
  maisky: events(filters: {participant: "ivan-maisky"}) {
    totalCount
    results { slug name date { display earliest latest } }
  }
  found: search(text: "sikorski maisky", limit: 5) {
    score
    record {
      __typename
      ... on Document { slug title }
      ... on Person { slug name }
      ... on State { slug name }
      ... on Event { slug name }
      ... on Place { slug name }
    }
  }
}
"""

EXAMPLES = {"treaty": TREATY, "person": PERSON, "lists": LISTS}
EXAMPLES |= DOCUMENTED_EXAMPLES  # the README's and docs/'s


@pytest.mark.parametrize("name", EXAMPLES)
def test_example_queries_are_well_inside_the_limits(name):
    """Half of each limit is still enough for the examples a client starts from."""
    query = EXAMPLES[name]
    assert depth(query) <= MAX_DEPTH // 2
    assert aliases(query) <= MAX_ALIASES // 2
    assert tokens(query) <= MAX_TOKENS // 4


def test_example_measures():
    """What the examples measure, so a change of the limits can be judged against them."""
    measures = {name: (depth(q), aliases(q), tokens(q)) for name, q in EXAMPLES.items()}
    assert {name: measures[name] for name in ["treaty", "person", "lists"]} == {
        "treaty": (4, 0, 128),
        "person": (5, 0, 92),
        "lists": (4, 3, 131),
    }
    assert max(depth for depth, _, _ in measures.values()) == 5


def test_treaty_example_runs(client, demo):
    data = gql(client, TREATY)["document"]
    assert (data["title"], data["kind"], data["date"]["edtf"]) == (
        "Sikorski–Mayski agreement",
        "AGREEMENT",
        "1941-07-30",
    )
    assert [(s["person"]["slug"], s["onBehalfOf"]["slug"]) for s in data["signatories"]] == [
        ("wladyslaw-sikorski", "poland"),
        ("ivan-maisky", "soviet-union"),
    ]


def test_person_example_runs(client, demo):
    data = gql(client, PERSON)["person"]
    assert [(f["name"], f["language"], f["kind"]) for f in data["nameForms"]] == [
        ("Ivan Maisky", "en", "AUTHORIZED"),
        ("Ivan Mayski", "en", "VARIANT"),
        ("Iwan Majski", "pl", "VARIANT"),
        ("Иван Майский", "ru", "AUTHORIZED"),
    ]
    assert data["signed"] == [
        {
            "role": "signatory",
            "onBehalfOf": {"name": "Soviet Union"},
            "document": {
                "slug": "sikorski-mayski-agreement",
                "title": "Sikorski–Mayski agreement",
                "kind": "AGREEMENT",
                "date": {"display": "30 July 1941"},
                "parties": [
                    {"role": "party", "state": {"name": "Poland"}},
                    {"role": "party", "state": {"name": "Soviet Union"}},
                ],
            },
        }
    ]


def test_lists_example_runs(client, demo):
    data = gql(client, LISTS)
    assert [d["slug"] for d in data["polish"]["results"]] == [
        "sikorski-mayski-agreement",
        "polish-soviet-military-agreement",
    ]
    assert data["maisky"]["totalCount"] == 2
    assert [(h["score"], h["record"]["slug"]) for h in data["found"]] == [
        (3.0, "sikorski-mayski-agreement"),
        (2.0, "signing-of-the-sikorski-mayski-agreement"),
        (1.0, "polish-soviet-military-agreement"),
    ]


def test_graphiql_introspection_passes_every_limit(client):
    """The introspection query GraphiQL sends on load (fragments, deep type refs) passes."""
    query = get_introspection_query(
        descriptions=True,
        specified_by_url=True,
        directive_is_repeatable=True,
        schema_description=True,
        input_value_deprecation=True,
        one_of=True,
    )
    data = gql(client, query)
    assert data["__schema"]["queryType"] == {"kind": "OBJECT", "name": "Query"}
    assert data["__schema"]["mutationType"] is None


# --- depth ----------------------------------------------------------------------------

# Small pages, so that the chain stays within the cost budget at any depth.
CYCLE = [
    "signatories(pagination: {limit: 3})",
    "person",
    "signed(pagination: {limit: 3})",
    "document",
]


def chain(levels: int, operation: str = "") -> str:
    """A query ``levels`` fields deep below ``document``, round the signatory cycle."""
    fields = ['document(slug: "sikorski-mayski-agreement")'] + [
        CYCLE[i % 4] for i in range(levels - 1)
    ]
    return f"query {operation} {{ " + " { ".join(fields) + " { __typename" + " }" * levels + " }"


def test_depth_at_the_limit_passes(client, demo):
    query = chain(MAX_DEPTH)
    assert depth(query) == MAX_DEPTH
    data = gql(client, query)
    # Two signatories, each signed this one document: 2 × 2 × 2 leaves.
    assert json.dumps(data).count('{"__typename": "Signatory"}') == 8


def test_depth_over_the_limit_is_refused(client):
    query = chain(MAX_DEPTH + 1)
    assert depth(query) == MAX_DEPTH + 1
    assert gql_errors(client, query) == [DEPTH_EXCEEDED.format(operation="anonymous")]


def test_depth_error_names_the_operation(client):
    assert gql_errors(client, chain(MAX_DEPTH + 5, "Deep")) == [
        DEPTH_EXCEEDED.format(operation="Deep")
    ]


def test_depth_is_counted_through_fragments(client, demo):
    """Depth hidden in fragments (nested spreads, inline fragments) is counted."""
    query = """
    query { document(slug: "sikorski-mayski-agreement") { ...A } }
    fragment A on Document { signatories(pagination: {limit: 3}) { person { ...B } } }
    fragment B on Person { signed(pagination: {limit: 3}) { document { ...A2 } } }
    fragment A2 on Document { signatories(pagination: {limit: 3}) { person { ...B2 } } }
    fragment B2 on Person { signed(pagination: {limit: 3}) { ... on Signatory {
      document { slug } } } }
    """
    assert depth(query) == 9
    at_limit = query.replace("document { slug }", "document { parties { role } }")
    assert depth(at_limit) == MAX_DEPTH
    data = gql(client, at_limit)
    (signatory, _) = data["document"]["signatories"]
    assert signatory["person"]["signed"][0]["document"]["signatories"][0]["person"]["signed"] == [
        {"document": {"parties": [{"role": "party"}, {"role": "party"}]}}
    ]
    over = query.replace("document { slug }", "document { parties { state { slug } } }")
    assert depth(over) == MAX_DEPTH + 1
    assert gql_errors(client, over) == [DEPTH_EXCEEDED.format(operation="anonymous")]


# --- aliases --------------------------------------------------------------------------


def aliased(count: int, prefix: str = "a") -> str:
    return " ".join(f"{prefix}{i}: __typename" for i in range(count))


def test_aliases_at_the_limit_pass(client):
    data = gql(client, f"{{ {aliased(MAX_ALIASES)} }}")
    assert data == {f"a{i}": "Query" for i in range(MAX_ALIASES)}


def test_too_many_aliases_are_refused(client):
    assert gql_errors(client, f"{{ {aliased(MAX_ALIASES + 1)} }}") == [
        "31 aliases found. Allowed: 30"
    ]


def test_aliases_in_a_fragment_are_counted(client):
    query = f"{{ ...F }} fragment F on Query {{ {aliased(MAX_ALIASES + 1)} }}"
    assert gql_errors(client, query) == ["31 aliases found. Allowed: 30"]


def test_aliases_split_across_fragments_are_counted(client):
    query = (
        "{ ...F ...G } "
        f"fragment F on Query {{ {aliased(16, 'f')} }} "
        f"fragment G on Query {{ {aliased(16, 'g')} }}"
    )
    assert gql_errors(client, query) == ["32 aliases found. Allowed: 30"]


def test_aliases_are_counted_for_every_spread_of_a_fragment(client):
    """A fragment of 16 aliases spread twice (nested in fields) counts 32."""
    query = (
        '{ document(slug: "sikorski-mayski-agreement") { ...F events { document { ...F } } } } '
        f"fragment F on Document {{ {aliased(16)} }}"
    )
    assert gql_errors(client, query) == ["32 aliases found. Allowed: 30"]


# --- tokens ---------------------------------------------------------------------------


def operations(count: int, extra: str = "") -> str:
    """``count`` operations of 5 tokens each (``query Qn { __typename }``)."""
    ops = [f"query Q{i} {{ __typename }}" for i in range(count)]
    ops[-1] = ops[-1].replace("}", f"{extra} }}")
    return "\n".join(ops)


def post_operation(client, query: str, operation: str):
    return client.post(
        "/graphql/",
        data=json.dumps({"query": query, "operationName": operation}),
        content_type="application/json",
        HTTP_ACCEPT=ACCEPT,
    )


def test_tokens_at_the_limit_pass(client):
    query = operations(MAX_TOKENS // 5)
    assert tokens(query) == MAX_TOKENS
    response = post_operation(client, query, "Q0")
    assert response.status_code == 200
    assert response.json() == {"data": {"__typename": "Query"}}


def test_too_many_tokens_are_refused(client):
    query = operations(MAX_TOKENS // 5, extra="__typename")
    assert tokens(query) == MAX_TOKENS + 1
    response = post_operation(client, query, "Q0")
    assert response.status_code == 400
    (error,) = response.json()["errors"]
    assert error["message"] == (
        "Syntax Error: Document contains more than 2000 tokens. Parsing aborted."
    )


# --- fragments ------------------------------------------------------------------------


def test_circular_fragments_are_refused(client):
    query = """
    { document(slug: "sikorski-mayski-agreement") { ...A } }
    fragment A on Document { ...B }
    fragment B on Document { ...A }
    """
    response = post(client, query)
    assert response.status_code == 400
    assert [e["message"] for e in response.json()["errors"]] == [
        "Cannot spread fragment 'A' within itself via 'B'."
    ]


def test_a_fragment_spreading_itself_is_refused(client):
    query = '{ document(slug: "x") { ...A } } fragment A on Document { slug ...A }'
    assert gql_errors(client, query) == ["Cannot spread fragment 'A' within itself."]


def test_an_unknown_fragment_is_explained(client):
    """Not strawberry's depth limiter's KeyError (message "'Missing'")."""
    assert gql_errors(client, "{ ...Missing }") == ["Unknown fragment 'Missing'."]


def test_one_walk_measures_fields_depth_and_aliases_as_the_limiters_do():
    query = """query Q { a: documents { results { ...D } } b: persons { results { slug } } }
        fragment D on Document { slug x: title parties { state { ...S } } }
        fragment S on State { slug y: name ... on State { __typename } }"""
    document = parse(query)
    shape = selections.shape(document)
    # a, results, D (slug, title, parties, state, S: slug, name, __typename); b, results, slug
    assert (shape.fields, shape.depth, shape.aliases) == (12, 4, 4)
    assert (shape.depth, shape.aliases) == (depth(query), aliases(query))
    assert selections.shape(document) is shape  # walked once per document


def test_the_walk_is_linear_in_fragments_that_double():
    levels = 200
    fragments = " ".join(
        f"fragment F{i} on Query {{ ...F{i + 1} a{i}: __typename ...F{i + 1} }}"
        for i in range(levels)
    )
    query = f"{{ ...F0 }} {fragments} fragment F{levels} on Query {{ __typename }}"
    started = time.perf_counter()
    shape = selections.shape(parse(query))
    assert (shape.fields, shape.aliases) == (2 ** (levels + 1) - 1, 2**levels - 1)
    # A walk that expanded each spread would take 2**200 steps, never finishing;
    # a linear one takes milliseconds. The bound only tells the two apart, so it
    # is wide enough for a machine under load.
    assert time.perf_counter() - started < 5


def test_fragments_that_double_at_every_level_are_refused_at_once(client):
    """Each fragment spreads the next twice: 2**22 fields once expanded, in 250 tokens.

    strawberry's depth and alias limiters walk every expansion (each further
    fragment doubles the work). The one walk of the limits (selections.shape)
    counts the fields in linear time and refuses the query before they run.
    """
    levels = 22
    fragments = " ".join(
        f"fragment F{i} on Query {{ ...F{i + 1} ...F{i + 1} }}" for i in range(levels)
    )
    query = f"{{ ...F0 }} {fragments} fragment F{levels} on Query {{ __typename }}"
    assert tokens(query) < MAX_TOKENS // 4
    started = time.perf_counter()
    assert gql_errors(client, query) == [
        f"Query too large: it selects {2**levels} fields once its fragments are expanded; "
        "the maximum is 2000."
    ]
    assert time.perf_counter() - started < 2


def test_a_reused_fragment_under_the_field_limit_passes(client, demo):
    query = """
    { documents { results { date { ...D } place { name } } }
      events { results { date { ...D } } } }
    fragment D on HistoricalDate { edtf display earliest latest approximate uncertain }
    """
    data = gql(client, query)
    assert data["documents"]["results"][0]["date"] == {
        "edtf": "1939-08-23",
        "display": "23 August 1939",
        "earliest": "1939-08-23",
        "latest": "1939-08-23",
        "approximate": False,
        "uncertain": False,
    }


# --- page sizes -----------------------------------------------------------------------


def test_a_page_over_the_maximum_is_refused(client):
    assert gql_errors(client, "{ documents(pagination: {limit: 1000000}) { totalCount } }") == [
        PAGE_SIZE_EXCEEDED.format(limit=1000000)
    ]


def test_a_page_at_the_maximum_passes(client, demo):
    data = gql(client, "{ documents(pagination: {limit: 100}) { totalCount pageInfo { limit } } }")
    assert data == {"documents": {"totalCount": 3, "pageInfo": {"limit": 100}}}


@pytest.mark.parametrize(
    "query",
    [
        '{ document(slug: "sikorski-mayski-agreement") '
        "{ signatories(pagination: {limit: 101}) { role } } }",
        "{ documents { results { signatories(pagination: {limit: 101}) { role } } } }",
        '{ person(slug: "ivan-maisky") { signed(pagination: {limit: 101}) { role } } }',
        "{ states { results { documents(pagination: {limit: 101}) { role } } } }",
    ],
)
def test_a_nested_page_over_the_maximum_is_refused(client, demo, query):
    assert gql_errors(client, query) == [PAGE_SIZE_EXCEEDED.format(limit=101)]


def test_search_over_the_maximum_is_refused(client):
    assert gql_errors(client, '{ search(text: "maisky", limit: 1000000) { score } }') == [
        "Search limit exceeded: limit is 1000000, it must be between 0 and 100."
    ]


def test_search_with_a_negative_limit_is_refused(client):
    assert gql_errors(client, '{ search(text: "maisky", limit: -1) { score } }') == [
        "Search limit exceeded: limit is -1, it must be between 0 and 100."
    ]


@pytest.mark.parametrize(
    ("query", "message"),
    [
        (
            "{ documents(pagination: {offset: -1}) { totalCount } }",
            "pagination.offset must be 0 or more, not -1.",
        ),
        (
            "{ documents(pagination: {limit: -5}) { totalCount } }",
            "pagination.limit must be 0 or more, not -5.",
        ),
        (
            '{ document(slug: "sikorski-mayski-agreement") '
            "{ parties(pagination: {offset: -1}) { role } } }",
            "pagination.offset must be 0 or more, not -1.",
        ),
    ],
)
def test_a_negative_offset_or_limit_is_refused(client, demo, query, message):
    assert gql_errors(client, query) == [message]


def test_a_page_size_too_large_for_an_int_is_a_graphql_error(client):
    assert gql_errors(client, "{ documents(pagination: {limit: 99999999999}) { totalCount } }") == [
        "Int cannot represent non 32-bit signed integer value: 99999999999"
    ]


@pytest.fixture
def many_documents(db):
    return [
        make_document(slug=f"doc-{i:02}", title=f"Doc {i:02}", published=True) for i in range(25)
    ]


@pytest.fixture
def crowded_document(db):
    """One document with 25 parties and 25 signatories."""
    document = make_document(slug="crowded", title="Zanzibar convention", published=True)
    for i in range(25):
        state = make_state(slug=f"state-{i:02}", published=True)
        DocumentParty.objects.create(document=document, state=state)
        person = make_person(slug=f"person-{i:02}", published=True)
        DocumentSignatory.objects.create(document=document, person=person)
    return document


def test_top_level_pages_default_to_20(client, many_documents):
    query = "{ documents(ordering: [{slug: ASC}]) { totalCount pageInfo { limit offset } %s } }"
    data = gql(client, query % "results { slug }")
    assert data["documents"]["totalCount"] == 25
    assert data["documents"]["pageInfo"] == {"limit": 20, "offset": 0}
    assert [d["slug"] for d in data["documents"]["results"]] == [f"doc-{i:02}" for i in range(20)]


def test_top_level_next_page(client, many_documents):
    query = "{ documents(ordering: [{slug: ASC}], pagination: {offset: 20}) { results { slug } } }"
    data = gql(client, query)
    assert [d["slug"] for d in data["documents"]["results"]] == [
        f"doc-{i:02}" for i in range(20, 25)
    ]


def test_nested_lists_default_to_20(client, crowded_document):
    query = """{ document(slug: "crowded") {
        parties { state { slug } } signatories { person { slug } } } }"""
    data = gql(client, query)["document"]
    assert [p["state"]["slug"] for p in data["parties"]] == [f"state-{i:02}" for i in range(20)]
    assert [s["person"]["slug"] for s in data["signatories"]] == [
        f"person-{i:02}" for i in range(20)
    ]


def test_nested_lists_under_a_page_default_to_20(client, crowded_document):
    query = "{ documents { results { parties { role } signatories { role } } } }"
    (document,) = gql(client, query)["documents"]["results"]
    assert (len(document["parties"]), len(document["signatories"])) == (20, 20)


def test_nested_lists_in_search_hits_default_to_20(client, crowded_document):
    query = '{ search(text: "zanzibar") { record { ... on Document { parties { role } } } } }'
    (hit,) = gql(client, query)["search"]
    assert len(hit["record"]["parties"]) == 20


def test_nested_next_page(client, crowded_document):
    query = '{ document(slug: "crowded") { parties(pagination: {offset: 20}) { state { slug } } } }'
    data = gql(client, query)["document"]
    assert [p["state"]["slug"] for p in data["parties"]] == [f"state-{i:02}" for i in range(20, 25)]


def test_nested_lists_read_as_of_default_to_20(client, crowded_document):
    query = """query($t: DateTime) { document(slug: "crowded", asOf: $t) {
        parties { state { slug } }
        rest: parties(pagination: {offset: 20}) { state { slug } } } }"""
    data = gql(client, query, {"t": timezone.now().isoformat()})["document"]
    assert [p["state"]["slug"] for p in data["parties"]] == [f"state-{i:02}" for i in range(20)]
    assert [p["state"]["slug"] for p in data["rest"]] == [f"state-{i:02}" for i in range(20, 25)]


# --- no free lookups ------------------------------------------------------------------


def test_no_regex_lookup_anywhere_in_the_schema():
    """No input type has a regex field: a ReDoS surface on a public API."""
    input_types = {
        name: t
        for name, t in schema._schema.type_map.items()
        if isinstance(t, GraphQLInputObjectType) and not name.startswith("__")
    }
    assert {"DocumentFilter", "PersonFilter", "StateFilter", "EventFilter", "PlaceFilter"} <= set(
        input_types
    )
    fields = {f"{name}.{field}" for name, t in input_types.items() for field in t.fields}
    assert [f for f in sorted(fields) if "regex" in f.lower()] == []
    arguments = {
        f"{name}.{field}({arg})"
        for name, t in schema._schema.type_map.items()
        if hasattr(t, "fields") and not name.startswith("__")
        for field, definition in t.fields.items()
        for arg in getattr(definition, "args", {})
    }
    assert [a for a in sorted(arguments) if "regex" in a.lower()] == []


def test_filters_take_only_the_documented_fields():
    """The filters docs/api.md documents, and strawberry-django's AND, OR, NOT and DISTINCT."""
    combinators = ["AND", "DISTINCT", "NOT", "OR"]
    fields = {
        name: sorted(schema._schema.type_map[name].fields)
        for name in ["DocumentFilter", "PersonFilter", "StateFilter", "EventFilter", "PlaceFilter"]
    }
    assert fields == {
        "DocumentFilter": sorted(
            [*combinators, "text", "dateFrom", "dateTo", "kind", "party", "signatory", "place"]
        ),
        "PersonFilter": sorted([*combinators, "text", "dateFrom", "dateTo", "signed", "event"]),
        "StateFilter": sorted([*combinators, "text", "dateFrom", "dateTo", "document", "event"]),
        "EventFilter": sorted(
            [*combinators, "text", "dateFrom", "dateTo", "kind", "participant", "state"]
            + ["document", "place"]
        ),
        "PlaceFilter": sorted([*combinators, "text", "state"]),
    }


# --- cost ---------------------------------------------------------------------------------

COST_EXCEEDED = (
    "Query too costly: it costs {cost} (each field 1, each list's items times its page "
    "size; histories, texts to find, filters and asOf reads more); the budget is 50,000. "
    "Ask for smaller pages, fewer nested lists, or several queries."
)
NESTED_PAGES = """
query ($outer: Int!, $inner: Int!) {
  documents(pagination: {limit: $outer}) {
    totalCount
    results {
      slug
      signatories(pagination: {limit: $inner}) {
        person { slug signed(pagination: {limit: $inner}) { role document { slug } } }
      }
    }
  }
}
"""


def cost(query: str, variables: dict | None = None) -> int:
    from archive.graphql.limits import query_cost

    return query_cost(schema._schema, parse(query), variables)


def nested_pages_cost(outer: int, inner: int) -> int:
    """NESTED_PAGES's cost, written out: a list is 1 + LIST + size × (ROW + its fields)."""
    from archive.graphql.limits import COUNT, LIST, ROW

    signed = 1 + LIST + inner * (ROW + 1 + (1 + 1))  # role, document { slug }
    signatories = 1 + LIST + inner * (ROW + (1 + 1 + signed))  # person { slug signed }
    results = 1 + LIST + outer * (ROW + 1 + signatories)  # slug signatories
    return 1 + (1 + COUNT) + results  # documents { totalCount results }


def test_cost_values():
    """The budget and what it is measured against; change both together."""
    from django.conf import settings

    MAX_COST = settings.GRAPHQL_MAX_COST  # noqa: N806 - the budget, as documented
    assert MAX_COST == 50_000
    costs = {name: cost(query) for name, query in EXAMPLES.items()}
    assert {name: costs[name] for name in ("treaty", "person", "lists")} == {
        "treaty": 6775,
        "person": 5704,
        "lists": 9942,  # its five __typename are free
    }
    # Every documented example costs less than a fifth of the budget.
    assert max(costs.values()) < MAX_COST // 5
    # The benchmark's page of 100 documents with their parties and signatories passes.
    from tools.benchmark import DOCUMENTS_PAGE

    assert cost(DOCUMENTS_PAGE) == 44_013


def test_what_clients_add_to_every_object_costs_nothing():
    """Apollo Client adds ``__typename`` to every selection, Relay ``id`` to every
    node: the benchmark's page of 100 documents costs the same from them, and stays
    within the budget (it cost 54,215 with __typename, over the budget)."""
    import re

    from tools.benchmark import DOCUMENTS_PAGE

    keyed = re.sub(r"(\w \{)(\s*)(?!date:|limit:)", r"\1\2__typename id ", DOCUMENTS_PAGE)
    assert keyed.count("__typename id ") == 7
    assert cost(keyed) == cost(DOCUMENTS_PAGE) == 44_013


@pytest.mark.parametrize(("outer", "inner"), [(1, 1), (10, 10), (100, 100)])
def test_every_list_multiplies_the_cost_below_it_by_its_page_size(outer, inner):
    assert cost(NESTED_PAGES, {"outer": outer, "inner": inner}) == nested_pages_cost(outer, inner)


def test_a_size_over_the_maximum_is_refused_not_costed():
    from archive.graphql.limits import RequestRefused

    with pytest.raises(RequestRefused) as refused:
        cost(NESTED_PAGES, {"outer": 10**9, "inner": 1})
    assert [e.message for e in refused.value.errors] == [PAGE_SIZE_EXCEEDED.format(limit=10**9)]


def test_lists_without_a_page_size_count_at_the_default_and_fragments_once():
    from archive.graphql.limits import HISTORY, LIST, ROW, UNPAGED_LIST_SIZE

    query = """
    { documents { results { ...D } } }
    fragment D on Document { slug signatories { role } history { changes { field } } }
    """
    # documents, results, then per document (20 by default): slug, signatories
    # (20 × role), history (a record's history, 20 × (changes (10 unpaged × field)))
    signatories = 1 + LIST + 20 * (ROW + 1)
    history = 1 + LIST + HISTORY + 20 * (ROW + 1 + UNPAGED_LIST_SIZE * 1)
    assert cost(query) == 1 + 1 + LIST + 20 * (ROW + 1 + signatories + history)


def test_offsets_and_unindexed_orders_count():
    from archive.graphql.limits import SKIPPED_ROW, SORT

    page = "{ documents(pagination: {offset: %d}, ordering: %s) { results { slug } } }"
    bare = cost(page % (0, "[{date: ASC}, {slug: DESC}]"))
    assert cost(page % (10_000, "[{date: ASC}]")) == bare + round(10_000 * SKIPPED_ROW)
    assert cost(page % (0, "[{title: ASC}]")) == bare + SORT
    assert cost(page % (0, "[{date: ASC_NULLS_FIRST}]")) == bare + SORT
    assert cost(page % (0, "[{kind: ASC}, {title: DESC}]")) == bare + SORT


def test_a_deep_offset_is_refused(client):
    """``offset: 99000`` took 1.4 s of CPU on SQLite at 100,000 documents (each skipped
    row is read), and thirty of them under aliases 19 s."""
    (message,) = gql_errors(
        client, "{ documents(pagination: {offset: 99000}) { results { slug } } }"
    )
    assert message.startswith("Query too costly: it costs 64,")


def test_a_query_within_the_budget_runs(client, demo):
    variables = {"outer": 10, "inner": 5}
    assert cost(NESTED_PAGES, variables) <= 50_000
    data = gql(client, NESTED_PAGES, variables)
    assert data["documents"]["totalCount"] > 0


def test_a_too_deep_query_is_explained_by_its_depth_not_its_cost(client):
    query = chain(MAX_DEPTH + 1).replace("(pagination: {limit: 3})", "")
    assert cost(query) > 50_000
    assert gql_errors(client, query) == [DEPTH_EXCEEDED.format(operation="anonymous")]


# --- arguments out of bounds are refused before anything runs ------------------------------

SEARCH_LIMIT = "Search limit exceeded: limit is {limit}, it must be between 0 and 100."
OUT_OF_BOUNDS = [
    ("{ documents(pagination: {limit: 101}) { totalCount } }", None, PAGE_SIZE_EXCEEDED),
    (
        "{ documents(pagination: {offset: -1}) { totalCount } }",
        None,
        "pagination.offset must be 0 or more, not -1.",
    ),
    ('{ search(text: "maisky", limit: -1) { score } }', None, SEARCH_LIMIT.format(limit=-1)),
    (
        "query ($p: OffsetPaginationInput) { documents(pagination: $p) { totalCount } }",
        {"p": {"limit": 101}},
        PAGE_SIZE_EXCEEDED,
    ),
    (
        "query ($p: OffsetPaginationInput = {limit: 101}) "
        "{ documents(pagination: $p) { totalCount } }",
        None,
        PAGE_SIZE_EXCEEDED,
    ),
    (
        "query ($o: Int!) { documents(pagination: {offset: $o}) { totalCount } }",
        {"o": -1},
        "pagination.offset must be 0 or more, not -1.",
    ),
    (
        'query ($l: Int = 101) { search(text: "maisky", limit: $l) { score } }',
        None,
        SEARCH_LIMIT.format(limit=101),
    ),
    (
        '{ document(slug: "sikorski-mayski-agreement") '
        "{ parties(pagination: {offset: -1}) { role } } }",
        None,
        "pagination.offset must be 0 or more, not -1.",
    ),
    (
        "{ documents { results { ...D } } } "
        "fragment D on Document { signatories(pagination: {limit: 101}) { role } }",
        None,
        PAGE_SIZE_EXCEEDED,
    ),
    (
        '{ person(slug: "ivan-maisky") { history(pagination: {limit: 101}) { date } } }',
        None,
        PAGE_SIZE_EXCEEDED,
    ),
]


@pytest.mark.parametrize(("query", "variables", "message"), OUT_OF_BOUNDS)
def test_pages_out_of_bounds_are_request_errors(
    client, demo, django_assert_num_queries, query, variables, message
):
    """A 400 before any SQL, with no path: nothing ran. Refused as a field's error
    instead, a non-null root field's null would wipe the valid fields beside it."""
    valid = "ok: documents { totalCount } "
    query = query.replace("{ ", "{ " + valid, 1) if query.startswith("{") else query
    with django_assert_num_queries(0):
        response = post(client, query, variables)
    assert response.status_code == 400
    body = response.json()
    assert "data" not in body  # a request error: nothing ran
    assert [e["message"] for e in body["errors"]] == [message.format(limit=101)]
    assert [e for e in body["errors"] if "path" in e] == []


def test_every_page_out_of_bounds_is_named(client):
    query = """{ documents(pagination: {limit: 200}) { totalCount }
      search(text: "x", limit: 500) { score } }"""
    assert gql_errors(client, query) == [
        PAGE_SIZE_EXCEEDED.format(limit=200),
        SEARCH_LIMIT.format(limit=500),
    ]


# --- every way a page size reaches a list counts in the cost -----------------------------

STATES = (
    "states(pagination: {limit: 100}) "
    "{ results { slug documents(pagination: {limit: 100}) { role } } }"
)
SAME_COST = {
    "variable": (
        "query ($l: Int) { states(pagination: {limit: $l}) "
        "{ results { slug documents(pagination: {limit: $l}) { role } } } }",
        {"l": 100},
    ),
    "variable default": (
        "query ($l: Int = 100) { states(pagination: {limit: $l}) "
        "{ results { slug documents(pagination: {limit: $l}) { role } } } }",
        {},
    ),
    "non-null variable default": (
        "query ($l: Int! = 100) { states(pagination: {limit: $l}) "
        "{ results { slug documents(pagination: {limit: $l}) { role } } } }",
        {},
    ),
    "input variable": (
        "query ($p: OffsetPaginationInput) { states(pagination: $p) "
        "{ results { slug documents(pagination: $p) { role } } } }",
        {"p": {"limit": 100}},
    ),
    "input variable default": (
        "query ($p: OffsetPaginationInput = {limit: 100}) { states(pagination: $p) "
        "{ results { slug documents(pagination: $p) { role } } } }",
        {},
    ),
    "input variable default holding a variable's": (
        "query ($l: Int = 100, $o: Int = 0) { states(pagination: {limit: $l, offset: $o}) "
        "{ results { slug documents(pagination: {offset: $o, limit: $l}) { role } } } }",
        {},
    ),
    "fragments": (
        "query ($l: Int = 100) { ...Q } "
        "fragment Q on Query { states(pagination: {limit: $l}) { ...P } } "
        "fragment P on StateOffsetPaginated { results { ...S } } "
        "fragment S on State { slug documents(pagination: {limit: $l}) { role } }",
        {},
    ),
    "inline fragments": (
        "query ($l: Int = 100) { ... on Query { states(pagination: {limit: $l}) "
        "{ ... { results { ... on State { slug documents(pagination: {limit: $l}) "
        "{ role } } } } } } }",
        {},
    ),
}


@pytest.mark.parametrize("way", SAME_COST)
def test_every_way_a_page_size_arrives_costs_the_same(way):
    """A variable left at its default passed the budget (it counted as the default
    page size, 20), and so did a whole pagination input in a variable's default."""
    query, variables = SAME_COST[way]
    assert cost(query, variables) == cost(f"{{ {STATES} }}")


def test_aliases_and_nested_lists_multiply_the_cost():
    one = cost(f"{{ {STATES} }}")
    assert cost(f"{{ a: {STATES} b: {STATES} }}") == 2 * one
    nested = cost(
        "{ states(pagination: {limit: 100}) { results { slug documents(pagination: {limit: 100})"
        " { role document { signatories(pagination: {limit: 2}) { role } } } } } }"
    )
    assert nested > one * 2


def test_a_default_page_size_over_the_budget_is_refused_before_any_sql(
    client, demo, django_assert_num_queries
):
    query = """query ($l: Int = 100) { states(pagination: {limit: $l}) { results {
        documents(pagination: {limit: $l}) { document {
          signatories(pagination: {limit: $l}) { role } } } } } }"""
    with django_assert_num_queries(0):
        response = post(client, query)
    assert response.status_code == 400
    (error,) = response.json()["errors"]
    assert error["message"].startswith("Query too costly: it costs ")


def test_a_query_at_the_depth_limit_is_costed(client):
    """A query at the depth limit is costed too: depth counted from the root field is
    one more than the depth limiter's count, and a guard that read one for the
    other would leave such a query to the depth limit alone."""
    query = chain(MAX_DEPTH).replace("(pagination: {limit: 3})", "(pagination: {limit: 100})")
    assert depth(query) == MAX_DEPTH
    (message,) = gql_errors(client, query)
    assert message.startswith("Query too costly: it costs ")


# --- texts, strings and lists are bounded -----------------------------------------------


def many_words(count: int) -> str:
    return " ".join(f"w{i}" for i in range(count))


@pytest.mark.parametrize(
    ("query", "where"),
    [
        ("query ($t: String!) { search(text: $t) { score } }", "text"),
        ("query ($t: String!) { documents(filters: {text: $t}) { totalCount } }", "filters.text"),
        (
            "query ($t: String!) { persons(filters: {OR: {NOT: {text: $t}}}) { totalCount } }",
            "filters.OR.NOT.text",
        ),
        (
            "query ($f: PlaceFilter) { places(filters: $f) { totalCount } }",
            "filters.AND.text",
        ),
    ],
)
def test_a_text_of_too_many_words_is_refused(client, django_assert_num_queries, query, where):
    variables = {"t": many_words(21), "f": {"AND": {"text": many_words(21)}}}
    with django_assert_num_queries(0):
        response = post(client, query, variables)
    assert response.status_code == 400
    assert [e["message"] for e in response.json()["errors"]] == [
        f"{where}: Text too long: 21 words; a text to find holds at most 20 words and "
        "200 characters."
    ]


def test_a_text_of_too_many_characters_is_refused(client):
    text = "maisky " + "x" * 200
    assert gql_errors(client, f'{{ search(text: "{text}") {{ score }} }}') == [
        "text: Text too long: 207 characters; a text to find holds at most 200 characters "
        "and 20 words."
    ]


def test_twenty_words_are_searched(client, demo):
    text = "sikorski mayski agreement " + many_words(17)
    assert gql(client, f'{{ search(text: "{text}") {{ score }} }}') == {"search": []}
    text = "Treaty of Non-Aggression between Germany and the Union of Soviet Socialist Republics"
    data = gql(client, f'{{ documents(filters: {{text: "{text}"}}) {{ totalCount }} }}')
    assert data == {"documents": {"totalCount": 1}}


def test_thousands_of_words_under_aliases_are_refused_at_once(client):
    """12,000 words under 30 aliases ran past 30 s (and SQLite failed near 4,000 words
    with "Expression tree is too large")."""
    aliases_ = " ".join(
        f"a{i}: documents(filters: {{text: $t}}) {{ totalCount }}" for i in range(30)
    )
    started = time.perf_counter()
    response = post(client, f"query ($t: String!) {{ {aliases_} }}", {"t": many_words(12_000)})
    assert time.perf_counter() - started < 1
    assert response.status_code == 400
    (error,) = response.json()["errors"]
    assert error["message"] == (
        "filters.text: Text too long: 72,889 characters; a text to find holds at most 200 "
        "characters and 20 words."
    )
    assert len(error["locations"]) == 30


def test_a_long_slug_is_refused(client):
    query = """query ($s: String!) { person(slug: $s) { slug }
        documents(filters: {party: $s}) { totalCount } }"""
    assert gql_errors(client, query, {"s": "a" * 201}) == [
        "slug: text too long: 201 characters; the most is 200.",
        "filters.party: text too long: 201 characters; the most is 200.",
    ]


def test_a_long_list_is_refused(client):
    query = "query ($o: [DocumentOrder!]) { documents(ordering: $o) { totalCount } }"
    assert gql_errors(client, query, {"o": [{"slug": "ASC"}] * 5000}) == [
        "ordering: a list holds at most 10 items; this one holds 5,000."
    ]


def test_words_and_filters_count_in_the_cost():
    from archive.graphql import limits

    def filtered(filters: str) -> int:
        return cost(f"{{ documents(filters: {filters}) {{ totalCount }} }}")

    bare = cost("{ documents { totalCount } }")
    assert filtered('{text: "sikorski"}') == bare + limits.FILTER + limits.TEXT_WORD
    assert filtered('{text: "sikorski maisky"}') == bare + limits.FILTER + 2 * limits.TEXT_WORD
    assert filtered('{OR: {kind: TREATY, NOT: {party: "poland"}}}') == bare + 2 * limits.FILTER
    search = cost('{ search(text: "a b c", limit: 0) { score } }')
    assert search == 1 + limits.LIST + limits.SEARCH + 3 * limits.TEXT_WORD


def test_a_read_as_of_costs_more_than_the_same_read_now():
    from archive.graphql import limits

    selection = "{ slug parties(pagination: {limit: 50}) { role state { name } } history { date } }"
    now = cost(f'{{ document(slug: "x") {selection} }}')
    past = cost(
        f'query ($t: DateTime) {{ document(slug: "x", asOf: $t) {selection} }}',
        {"t": "2026-01-01T00:00:00Z"},
    )
    assert past == 1 + limits.AS_OF * (now - 1)
    # asOf null reads now.
    assert cost(f'query ($t: DateTime) {{ document(slug: "x", asOf: $t) {selection} }}') == now


def test_a_states_documents_and_events_cost_what_is_read_of_them():
    """Each state's documents and events are read whole (and numbered) whatever the
    page, so they cost the whole list: otherwise a page of states with their
    documents would be admitted and read every document of the archive."""
    from archive.graphql.limits import WHOLE_LISTS

    def states(field: str) -> int:
        return cost(
            f"{{ states {{ results {{ {field}(pagination: {{limit: 1}}) {{ role }} }} }} }}"
        )

    assert states("documents") - states("sources") == 20 * WHOLE_LISTS["State", "documents"]
    assert states("events") - states("sources") == 20 * WHOLE_LISTS["State", "events"]


# --- refused before any SQL, in the production configuration ------------------------------


@pytest.fixture
def default_cache(settings):
    """The response cache as shipped without Redis: on, and reading the data version
    from the database for every answer it looks up (one query: see
    test_graphql_cache.py::test_the_version_read_from_the_database_costs_one_query_per_hit).

    Both are the defaults, set again because the environment may change them
    (``GRAPHQL_CACHE=0`` or ``GRAPHQL_CACHE_VERSION_FROM_DB=0`` exported in the shell,
    which pytest-env keeps): the tests using this fixture check the configuration as
    shipped."""
    settings.GRAPHQL_CACHE = True
    settings.GRAPHQL_CACHE_VERSION_FROM_DB = True


def refused_without_sql(client, query: str, variables=None, operation=None) -> dict:
    """The body of the 400 refusing the request, which must run no SQL at all."""
    body = {"query": query, "variables": variables or {}, "operationName": operation}
    with CaptureQueriesContext(connection) as ran:
        response = client.post(
            "/graphql/", data=json.dumps(body), content_type="application/json", HTTP_ACCEPT=ACCEPT
        )
    assert [q["sql"] for q in ran.captured_queries] == []
    assert response.status_code == 400
    assert response["Cache-Control"] == "no-store"
    return response.json()


def test_a_query_over_the_budget_is_refused_before_any_sql_with_the_default_cache(
    client, demo, default_cache
):
    body = refused_without_sql(client, NESTED_PAGES, {"outer": 100, "inner": 100})
    assert body == {
        "errors": [
            {
                "message": COST_EXCEEDED.format(cost=f"{nested_pages_cost(100, 100):,}"),
                "locations": [{"line": 2, "column": 1}],  # the operation
                "extensions": {"code": "QUERY_TOO_COSTLY"},
            }
        ],
    }


def doubling_fragments(levels: int) -> str:
    """``2**levels`` fields once expanded: each fragment spreads the next twice."""
    fragments = " ".join(
        f"fragment F{i} on Query {{ ...F{i + 1} ...F{i + 1} }}" for i in range(levels)
    )
    return f"{{ ...F0 }} {fragments} fragment F{levels} on Query {{ __typename }}"


VARIABLE_TEXT = "query ($t: String!) { search(text: $t) { score } }"
REFUSED = {
    "depth": (chain(MAX_DEPTH + 1), None, None, DEPTH_EXCEEDED.format(operation="anonymous")),
    "aliases": (f"{{ {aliased(MAX_ALIASES + 1)} }}", None, None, "31 aliases found. Allowed: 30"),
    "tokens": (
        operations(MAX_TOKENS // 5, extra="__typename"),
        None,
        "Q0",
        "Syntax Error: Document contains more than 2000 tokens. Parsing aborted.",
    ),
    "fields": (
        doubling_fragments(11),
        None,
        None,
        "Query too large: it selects 2048 fields once its fragments are expanded; "
        "the maximum is 2000.",
    ),
    "page-size": (
        "{ documents(pagination: {limit: 101}) { totalCount } }",
        None,
        None,
        PAGE_SIZE_EXCEEDED.format(limit=101),
    ),
    "list-items": (
        "query ($o: [DocumentOrder!]) { documents(ordering: $o) { totalCount } }",
        {"o": [{"slug": "ASC"}] * 11},
        None,
        "ordering: a list holds at most 10 items; this one holds 11.",
    ),
    "text-words": (
        VARIABLE_TEXT,
        {"t": many_words(21)},
        None,
        "text: Text too long: 21 words; a text to find holds at most 20 words and 200 characters.",
    ),
    "text-characters": (
        VARIABLE_TEXT,
        {"t": "x" * 201},
        None,
        "text: Text too long: 201 characters; a text to find holds at most 200 characters "
        "and 20 words.",
    ),
    "string-length": (
        "query ($s: String!) { person(slug: $s) { slug } }",
        {"s": "a" * 201},
        None,
        "slug: text too long: 201 characters; the most is 200.",
    ),
    "unstorable-text": (
        "query ($s: String!) { person(slug: $s) { slug } }",
        {"s": "\x00"},
        None,
        NUL_REFUSED,
    ),
    "syntax": ("{ documents {", None, None, "Syntax Error: Expected Name, found <EOF>."),
    "unknown-field": (
        '{ person(slug: "ivan-maisky") { nope } }',
        None,
        None,
        "Cannot query field 'nope' on type 'Person'.",
    ),
    "circular-fragments": (
        '{ document(slug: "x") { ...A } } fragment A on Document { slug ...A }',
        None,
        None,
        "Cannot spread fragment 'A' within itself.",
    ),
    "variables": (
        "query ($l: Int!) { documents(pagination: {limit: $l}) { totalCount } }",
        {"l": "many"},
        None,
        "Variable '$l' has invalid value: Int cannot represent non-integer value: 'many'",
    ),
    "operation-not-named": (
        "query A { __typename } query B { __typename }",
        None,
        None,
        "Must provide operation name if query contains multiple operations.",
    ),
}


# The codes of errors that refuse a request before it runs (docs/api.md).
REQUEST_ERROR_CODES = {
    "GRAPHQL_PARSE_FAILED",
    "GRAPHQL_VALIDATION_FAILED",
    "BAD_USER_INPUT",
    "OPERATION_RESOLUTION_FAILURE",
    "QUERY_TOO_DEEP",
    "TOO_MANY_ALIASES",
    "QUERY_TOO_LARGE",
    "ARGUMENT_OUT_OF_BOUNDS",
    "QUERY_TOO_COSTLY",
}


@pytest.mark.parametrize(
    ("query", "variables", "operation", "message"), REFUSED.values(), ids=REFUSED
)
def test_every_refusal_runs_no_sql_with_the_default_cache(
    client, demo, default_cache, query, variables, operation, message
):
    """Parsing, validation and every limit come before the cache is looked up."""
    body = refused_without_sql(client, query, variables, operation)
    assert "data" not in body  # a request error: nothing ran
    assert [error["message"] for error in body["errors"]] == [message]
    assert all(error["extensions"]["code"] in REQUEST_ERROR_CODES for error in body["errors"])


def test_a_query_answered_before_is_refused_once_a_limit_is_lowered(
    client, demo, default_cache, settings, django_assert_num_queries
):
    """A request that passed the limits is looked up at once when asked again; the
    limits are part of what it is, so lowered they make it another request."""
    query = chain(MAX_DEPTH)
    answer = gql(client, query)
    with django_assert_num_queries(1):  # the data version, read from the database
        assert gql(client, query) == answer
    settings.GRAPHQL_MAX_DEPTH = MAX_DEPTH - 1
    body = refused_without_sql(client, query)
    assert [error["message"] for error in body["errors"]] == [
        f"'anonymous' exceeds maximum operation depth of {MAX_DEPTH - 1}"
    ]
