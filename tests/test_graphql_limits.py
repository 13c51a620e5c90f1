"""Limits of the GraphQL API: depth, aliases, tokens, fragments, page sizes.

Every request over a limit gets a GraphQL error that names the limit, never a
500; the example queries a client writes stay well inside every limit.
"""

import json
import re
import time
from pathlib import Path

import pytest
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

from archive.graphql.fields import DEFAULT_PAGE_SIZE, MAX_PAGE_SIZE
from archive.graphql.schema import MAX_ALIASES, MAX_DEPTH, MAX_FIELDS, MAX_TOKENS, schema
from archive.models import DocumentParty, DocumentSignatory
from tests.factories import make_document, make_person, make_state
from tests.graphql_client import gql, gql_errors, post

pytestmark = pytest.mark.django_db

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


def test_limit_values():
    """The values this file's messages are written for; change both together."""
    assert (MAX_DEPTH, MAX_ALIASES, MAX_TOKENS, MAX_FIELDS) == (10, 30, 2000, 2000)
    assert (DEFAULT_PAGE_SIZE, MAX_PAGE_SIZE) == (20, 100)


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
README = Path(__file__).resolve().parent.parent / "README.md"
EXAMPLES |= {
    f"readme-{i}": query
    for i, query in enumerate(
        re.findall(r"```graphql\n(.*?)```", README.read_text(encoding="utf-8"), flags=re.DOTALL)
    )
}


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
    fragment A on Document { signatories { person { ...B } } }
    fragment B on Person { signed { document { ...A2 } } }
    fragment A2 on Document { signatories { person { ...B2 } } }
    fragment B2 on Person { signed { ... on Signatory { document { slug } } } }
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


def test_fragments_that_double_at_every_level_are_refused_at_once(client):
    """Each fragment spreads the next twice: 2**22 fields once expanded, in 250 tokens.

    strawberry's depth and alias limiters walk every expansion (about 20 s of
    CPU here; each further fragment doubles it). The fragment guard counts the
    fields in linear time and refuses the query before they run.
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
    """The filters of SPEC.md, and strawberry-django's AND, OR, NOT and DISTINCT."""
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
    "Query too costly: it could resolve up to {cost} fields (each list multiplies what is "
    "below it by its page size); the budget is 200,000. Ask for smaller pages, fewer nested "
    "lists, or several queries."
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


def test_cost_values():
    """The budget and what it is measured against; change both together."""
    from archive.graphql.schema import MAX_COST

    assert MAX_COST == 200_000
    costs = {name: cost(query) for name, query in EXAMPLES.items()}
    assert {name: costs[name] for name in ("treaty", "person", "lists")} == {
        "treaty": 3205,
        "person": 2354,
        "lists": 842,
    }
    # Every README example costs less than a hundredth of the budget.
    assert max(costs.values()) < MAX_COST // 50


@pytest.mark.parametrize(
    ("variables", "expected"),
    [
        # documents, totalCount, results: 3, then per document slug and signatories
        # (1 + inner × (person, slug, signed (1 + inner × (role, document, slug))))
        ({"outer": 1, "inner": 1}, 3 + 1 * (2 + 1 * (3 + 1 * 3))),
        ({"outer": 10, "inner": 10}, 3 + 10 * (2 + 10 * (3 + 10 * 3))),
        ({"outer": 100, "inner": 100}, 3 + 100 * (2 + 100 * (3 + 100 * 3))),
        # A size over the maximum counts as the maximum: the page limit explains it.
        ({"outer": 10**9, "inner": 1}, 3 + 100 * (2 + 1 * (3 + 1 * 3))),
    ],
)
def test_every_list_multiplies_the_cost_below_it_by_its_page_size(variables, expected):
    assert cost(NESTED_PAGES, variables) == expected


def test_lists_without_a_page_size_count_at_the_default_and_fragments_once():
    query = """
    { documents { results { ...D } } }
    fragment D on Document { slug signatories { role } history { changes { field } } }
    """
    # documents, results, then per document (20 by default): slug, signatories
    # (1 + 20 × role), history (1 + 20 × (changes (1 + 10 unpaged × field)))
    assert cost(query) == 2 + 20 * (1 + (1 + 20 * 1) + (1 + 20 * (1 + 10 * 1)))


def test_a_query_over_the_budget_is_refused_before_any_sql(client, demo, django_assert_num_queries):
    variables = {"outer": 100, "inner": 100}
    with django_assert_num_queries(0):
        response = post(client, NESTED_PAGES, variables)
    assert response.status_code == 400
    assert response.json() == {
        "data": None,
        "errors": [{"message": COST_EXCEEDED.format(cost="3,030,203")}],
    }


def test_a_query_within_the_budget_runs(client, demo):
    variables = {"outer": 20, "inner": 20}
    assert cost(NESTED_PAGES, variables) <= 200_000
    data = gql(client, NESTED_PAGES, variables)
    assert data["documents"]["totalCount"] > 0


def test_a_too_deep_query_is_explained_by_its_depth_not_its_cost(client):
    query = chain(MAX_DEPTH + 1).replace("(pagination: {limit: 3})", "")
    assert cost(query) > 200_000
    assert gql_errors(client, query) == [DEPTH_EXCEEDED.format(operation="anonymous")]
