"""The benchmark's queries, their hand-written baselines, and how they are timed.

Each case is a query of the GraphQL contract and a baseline: plain Django
ORM code and ``json.dumps`` producing the *same* JSON from the same database,
without GraphQL. The benchmark first checks that both give identical data
(so the comparison is honest), then times each in turn, on the same data,
in the same process, and reports medians, 95th percentiles, the SQL query
count and the peak memory of one run (``tracemalloc``).
"""

from __future__ import annotations

import datetime
import gc
import json
import statistics
import time
import tracemalloc
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass

from django.db import connection
from django.db.models import Prefetch

from archive import date_queries, dates, search, visibility
from archive.models import Document, DocumentParty, DocumentSignatory, Event, Person, PersonName


@dataclass
class Case:
    name: str
    query: str
    variables: dict
    baseline: Callable[[], dict]


@dataclass
class Measure:
    case: str
    median_ms: float
    p95_ms: float
    queries: int
    peak_kib: float


def date_object(value: str) -> dict | None:
    if not value:
        return None
    parsed = dates.parse(value)
    return {
        "edtf": parsed.edtf,
        "display": parsed.display,
        "earliest": parsed.earliest.isoformat() if parsed.earliest else None,
        "latest": parsed.latest.isoformat() if parsed.latest else None,
    }


def public_rows(model):
    return visibility.public_rows(model.objects.all()).order_by("pk")


# --- the cases ----------------------------------------------------------------------

DOCUMENTS_PAGE = """
{
  documents(ordering: [{date: ASC}, {slug: ASC}], pagination: {limit: 100}) {
    totalCount
    results {
      slug title
      date { edtf display earliest latest }
      parties { role state { slug name } }
      signatories { role person { slug name } onBehalfOf { slug } }
    }
  }
}
"""


def documents_page() -> dict:
    documents = visibility.public_records(Document.objects.all())
    page = (
        documents.order_by(*date_queries.chronological("date"), "slug")
        .only("slug", "title", "date")
        .prefetch_related(
            Prefetch("parties", queryset=public_rows(DocumentParty).select_related("state")),
            Prefetch(
                "signatories",
                queryset=public_rows(DocumentSignatory).select_related("person", "on_behalf_of"),
            ),
        )[:100]
    )
    return {
        "documents": {
            "totalCount": documents.count(),
            "results": [
                {
                    "slug": d.slug,
                    "title": d.title,
                    "date": date_object(d.date),
                    "parties": [
                        {"role": p.role, "state": {"slug": p.state.slug, "name": p.state.name}}
                        for p in d.parties.all()[:20]
                    ],
                    "signatories": [
                        {
                            "role": s.role,
                            "person": {"slug": s.person.slug, "name": s.person.name},
                            "onBehalfOf": {"slug": s.on_behalf_of.slug}
                            if visibility.public_or_none(s.on_behalf_of)
                            else None,
                        }
                        for s in d.signatories.all()[:20]
                    ],
                }
                for d in page
            ],
        }
    }


PERSON = """
query ($slug: String!) {
  person(slug: $slug) {
    name
    nameForms { name language }
    signed { role document { slug title } }
  }
}
"""


def person(slug: str) -> dict:
    record = (
        visibility.public_records(Person.objects.filter(slug=slug))
        .prefetch_related(
            Prefetch("name_forms", queryset=PersonName.objects.order_by("pk")),
            Prefetch("signed", queryset=public_rows(DocumentSignatory).select_related("document")),
        )
        .first()
    )
    return {
        "person": {
            "name": record.name,
            "nameForms": [
                {"name": f.name, "language": f.language} for f in record.name_forms.all()
            ][:20],
            "signed": [
                {"role": s.role, "document": {"slug": s.document.slug, "title": s.document.title}}
                for s in record.signed.all()[:20]
            ],
        }
    }


# A page of 20 (the API's default): full at every size, so that growth measures
# the database (the count grows with the matches), not a longer answer.
EVENTS_IN_RANGE = """
query ($from: Date!, $to: Date!) {
  events(
    filters: {dateFrom: $from, dateTo: $to}
    ordering: [{date: ASC}, {slug: ASC}]
    pagination: {limit: 20}
  ) {
    totalCount
    results { slug name date { edtf display earliest latest } }
  }
}
"""


def events_in_range(start: datetime.date, end: datetime.date) -> dict:
    events = visibility.public_records(Event.objects.all()).filter(
        date_queries.overlaps("date", start, end)
    )
    page = events.order_by(*date_queries.chronological("date"), "slug").only("slug", "name", "date")
    return {
        "events": {
            "totalCount": events.count(),
            "results": [
                {"slug": e.slug, "name": e.name, "date": date_object(e.date)} for e in page[:20]
            ],
        }
    }


SEARCH = """
query ($text: String!) {
  search(text: $text, limit: 20) { score record { __typename ... on Person { slug name } } }
}
"""


def person_fields(record) -> dict:
    return {"slug": record.slug, "name": record.name} if isinstance(record, Person) else {}


def search_hits(text: str) -> dict:
    from archive.models import SEARCHED

    querysets = [visibility.public_records(model.objects.all()) for model in SEARCHED]
    return {
        "search": [
            {
                "score": score,
                "record": {"__typename": type(record).__name__}
                | (
                    {"slug": record.slug, "name": record.name} if isinstance(record, Person) else {}
                ),
            }
            for score, record in search.ranked(querysets, text, 20)
        ]
    }


HISTORY = """
query ($slug: String!) {
  document(slug: $slug) { history { date type reason changes { field old new } } }
}
"""

AS_OF = """
query ($slug: String!, $at: DateTime!) {
  document(slug: $slug, asOf: $at) {
    title
    date { edtf }
    signatories { role person { slug name } }
  }
}
"""


def history_of(slug: str) -> dict:
    """The API's own history code, without GraphQL around it."""
    from archive.graphql.types import present
    from archive.history import histories

    document = visibility.public_records(Document.objects.filter(slug=slug)).get()
    entries = histories(Document, [document.pk], public=True)[document.pk][:20]
    return {
        "document": {
            "history": [
                {
                    "date": entry.date.isoformat(),
                    "type": entry.type.name,
                    "reason": entry.reason,
                    "changes": [
                        {"field": c.field, "old": c.old, "new": c.new} for c in entry.changes
                    ],
                }
                for entry in map(present, entries)
            ]
        }
    }


def as_of(slug: str, at: datetime.datetime) -> dict:
    from archive.as_of import record_as_of

    record = record_as_of(Document, slug, at, {"signatories": {"person": {}}})
    return {
        "document": {
            "title": record.title,
            "date": {"edtf": record.date} if record.date else None,
            "signatories": [
                {"role": s.role, "person": {"slug": s.person.slug, "name": s.person.name}}
                for s in record.signatories.all()[:20]
            ],
        }
    }


# How many public persons bear the surname searched: as many at every size, so
# that the answer is as long at every size and its growth measures the search.
# (The first signatory's surname, searched before, found 2 records at 1k, 8 at
# 10k and 20 at 100k: a ten times longer answer.) 3: at 1k no surname has more
# than 4 bearers.
SEARCHED_NAMESAKES = 3


def namesakes(bearers: int) -> str:
    """The first surname (alphabetically) that ``bearers`` public persons bear, or
    the one whose number of bearers is nearest."""
    names = visibility.public_records(Person.objects.all()).values_list("name", flat=True)
    counts = Counter(name.split()[-1] for name in names)
    return min(counts, key=lambda surname: (abs(counts[surname] - bearers), surname))


def cases() -> list[Case]:
    """The fixed set of queries, with arguments chosen from the data present.

    The document is the first with a signatory whose every link is filled
    (person, state represented, source), so that its history and ``asOf``
    reads touch the same relations at every size: query counts then compare.
    Its signatory is the person read. The surname searched is one that the
    same number of public persons bear at every size (:func:`namesakes`).
    """
    document, signer, name = (
        DocumentSignatory.objects.filter(
            *(visibility.public(link) for link in ("document", "person", "on_behalf_of", "source"))
        )
        .order_by("pk")
        .values_list("document__slug", "person__slug", "person__name")
        .first()
    )
    surname = namesakes(SEARCHED_NAMESAKES)
    created = Document.history.filter(slug=document).order_by("history_date").first().history_date
    at = created + datetime.timedelta(seconds=1)
    start, end = datetime.date(1941, 7, 1), datetime.date(1941, 8, 31)
    return [
        Case("documents page (100)", DOCUMENTS_PAGE, {}, documents_page),
        Case("person + signed", PERSON, {"slug": signer}, lambda: person(signer)),
        Case(
            "events in range",
            EVENTS_IN_RANGE,
            {"from": start.isoformat(), "to": end.isoformat()},
            lambda: events_in_range(start, end),
        ),
        Case("search", SEARCH, {"text": surname}, lambda: search_hits(surname)),
        Case("history", HISTORY, {"slug": document}, lambda: history_of(document)),
        Case(
            "asOf",
            AS_OF,
            {"slug": document, "at": at.isoformat()},
            lambda: as_of(document, at),
        ),
    ]


# --- timing ----------------------------------------------------------------------------


def run_graphql(case: Case) -> dict:
    from archive.graphql.schema import schema

    result = schema.execute_sync(case.query, variable_values=case.variables)
    if result.errors:
        raise RuntimeError(f"{case.name}: {result.errors[0].message}")
    return json.loads(json.dumps(result.data))


def run_baseline(case: Case) -> dict:
    return json.loads(json.dumps(case.baseline()))


def measure(name: str, function: Callable[[], object], repeat: int) -> Measure:
    function()  # warm caches (query plans, imports)
    # What is loaded stays out of the collector's way, as in a gunicorn worker
    # (project/gunicorn.conf.py freezes the app before forking them).
    gc.collect()
    gc.freeze()
    queries = []
    # Counted as they run: CaptureQueriesContext loses them when a request
    # through the test client resets the connection's query log.
    with connection.execute_wrapper(lambda execute, *args: queries.append(1) or execute(*args)):
        function()
    tracemalloc.start()
    function()
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    timings = []
    for _ in range(repeat):
        started = time.perf_counter()
        function()
        timings.append((time.perf_counter() - started) * 1000)
    timings.sort()
    p95 = timings[min(len(timings) - 1, round(0.95 * (len(timings) - 1)))]
    return Measure(name, statistics.median(timings), p95, len(queries), peak / 1024)


def http_timing(case: Case, repeat: int, *, cached: bool) -> float:
    """Median ms of the case POSTed to the /graphql/ view, response cache on or off.

    The view is called with a request from ``RequestFactory``: Django's test
    ``Client`` adds tens of milliseconds of its own per request here, which
    a real server does not.
    """
    from django.test import RequestFactory, override_settings

    from archive.graphql.views import graphql_view

    factory = RequestFactory(HTTP_HOST="localhost")
    body = json.dumps({"query": case.query, "variables": case.variables})

    def post():
        request = factory.post("/graphql/", body, content_type="application/json")
        response = graphql_view(request)
        if response.status_code != 200:
            raise RuntimeError(f"{case.name}: HTTP {response.status_code}")

    with override_settings(GRAPHQL_CACHE=cached):
        post()  # fills the cache when it is on
        timings = []
        for _ in range(repeat):
            started = time.perf_counter()
            post()
            timings.append((time.perf_counter() - started) * 1000)
    return statistics.median(timings)


# --- the admin ---------------------------------------------------------------------------

# Rows added to the document of the change page: provisions, signatories, parties.
ADDED_ROWS = 60
ADDED_PARTIES = 5


class _RolledBack(Exception):
    pass


def admin_timings(repeat: int) -> list[dict]:
    """Median and 95th percentile ms and SQL count of the admin pages archivists open most.

    Runs in a transaction rolled back at the end: it adds a user to log in
    with and gives one document ``ADDED_ROWS`` provisions and signatories and
    ``ADDED_PARTIES`` parties (plus their versions), so that its change page
    has many inline rows and its history page several pages. The database is
    left as it was.
    """
    from django.contrib.auth import get_user_model
    from django.db import transaction
    from django.test import Client

    from archive.models import Provision, State

    rows = []
    try:
        with transaction.atomic():
            user = get_user_model().objects.create_superuser("benchmark-admin", "", None)
            client = Client(HTTP_HOST="localhost")
            client.force_login(user)
            document = visibility.public_records(Document.objects.all()).order_by("pk").first()
            for number in range(1000, 1000 + ADDED_ROWS):
                Provision.objects.create(document=document, number=number, text=f"Art. {number}.")
            for person in Person.objects.exclude(signed__document=document)[:ADDED_ROWS]:
                DocumentSignatory.objects.create(document=document, person=person, role="signatory")
            # Few parties: the smallest archive has only a few states, and every size
            # should time the same page.
            for state in State.objects.exclude(parties__document=document)[:ADDED_PARTIES]:
                DocumentParty.objects.create(document=document, state=state, role="benchmark")
            surname = Person.objects.order_by("pk").values_list("name", flat=True).first()
            surname = surname.split()[-1]
            inline_rows = sum(
                getattr(document, name).count() for name in ("provisions", "signatories", "parties")
            )
            pages = [
                ("documents", "/admin/archive/document/"),
                ("documents, search", f"/admin/archive/document/?q={surname}"),
                ("persons", "/admin/archive/person/"),
                ("persons, search", f"/admin/archive/person/?q={surname}"),
                ("events", "/admin/archive/event/"),
                ("events, search", f"/admin/archive/event/?q={surname}"),
                (
                    f"document with {inline_rows} inline rows",
                    f"/admin/archive/document/{document.pk}/change/",
                ),
                ("its history, page 1", f"/admin/archive/document/{document.pk}/history/"),
                ("its history, page 3", f"/admin/archive/document/{document.pk}/history/?p=3"),
            ]
            for name, url in pages:
                rows.append(_admin_page(client, name, url, repeat))
            raise _RolledBack
    except _RolledBack:
        pass
    return rows


def _admin_page(client, name: str, url: str, repeat: int) -> dict:
    def get():
        response = client.get(url)
        if response.status_code != 200:
            raise RuntimeError(f"{url}: HTTP {response.status_code}")
        return response

    measured = measure(name, get, repeat)
    return {"page": name, **vars(measured)}
