"""The documentation's examples (README.md and docs/) work, as they are, against the
demo data, and answer what the documentation says they find."""

import datetime
import json
from collections import Counter
from urllib.parse import urlsplit

import pytest

from tests.documentation import CURL_EXAMPLES, EXAMPLES, curl_request
from tests.graphql_client import gql

SIKORSKI = {"results": [{"name": "Władysław Sikorski"}]}
# July and August 1941 (dateFrom/dateTo): what overlaps them, in date order.
EVENTS_OF_JULY_AUGUST_1941 = {
    "totalCount": 6,
    "results": [
        {
            "name": "Formation of the Anders Army",
            "kind": "FORMATION",
            "date": {"display": "1941"},
            "place": None,
        },
        {
            "name": "Polish–Soviet negotiations of 1941",
            "kind": "NEGOTIATION",
            "date": {"display": "5 July 1941 – 30 July 1941"},
            "place": {"name": "London"},
        },
        {
            "name": "Signing of the Sikorski–Mayski agreement",
            "kind": "SIGNING",
            "date": {"display": "30 July 1941"},
            "place": {"name": "London"},
        },
        {
            "name": "Sikorski's diplomatic mission to Moscow",
            "kind": "MISSION",
            "date": {"display": "August 1941 – December 1941"},
            "place": {"name": "Moscow"},
        },
        {
            "name": "Amnesty for Polish citizens in the Soviet Union",
            "kind": "AMNESTY",
            "date": {"display": "12 August 1941"},
            "place": None,
        },
        {
            "name": "Signing of the Polish–Soviet military agreement",
            "kind": "SIGNING",
            "date": {"display": "14 August 1941"},
            "place": {"name": "Moscow"},
        },
    ],
}
MAISKY_NAMES = ["Ivan Maisky", "Ivan Mayski", "Iwan Majski", "Иван Майский"]
MAISKY_BORN = {"edtf": "1884-01-19", "display": "19 January 1884"}
TREATY = "Sikorski–Mayski agreement"

# The answer of each example that reads no history, exactly.
ANSWERS = {
    "README.md-0": {"persons": SIKORSKI, "events": EVENTS_OF_JULY_AUGUST_1941},
    "docs/api.md-0": {
        "document": {
            "title": TREATY,
            "officialTitle": "Treaty between the Republic of Poland and the U.S.S.R.",
            "date": {
                "edtf": "1941-07-30",
                "display": "30 July 1941",
                "earliest": "1941-07-30",
                "latest": "1941-07-30",
            },
            "place": {"name": "London"},
            "parties": [
                {"role": "party", "state": {"name": "Poland"}},
                {"role": "party", "state": {"name": "Soviet Union"}},
            ],
            "signatories": [
                {
                    "role": "signatory",
                    "person": {"name": "Władysław Sikorski"},
                    "onBehalfOf": {"name": "Poland"},
                },
                {
                    "role": "signatory",
                    "person": {"name": "Ivan Maisky"},
                    "onBehalfOf": {"name": "Soviet Union"},
                },
            ],
            "relatedDocuments": [
                {"relation": "ANNULS", "document": {"title": "Molotov–Ribbentrop Pact"}}
            ],
        }
    },
    "docs/api.md-1": {
        "person": {
            "name": "Ivan Maisky",
            "nameForms": [
                {"name": "Ivan Maisky", "language": "en", "kind": "AUTHORIZED"},
                {"name": "Ivan Mayski", "language": "en", "kind": "VARIANT"},
                {"name": "Iwan Majski", "language": "pl", "kind": "VARIANT"},
                {"name": "Иван Майский", "language": "ru", "kind": "AUTHORIZED"},
            ],
            "born": {"display": "19 January 1884"},
            "positions": [
                {
                    "title": "Soviet ambassador to the United Kingdom",
                    "state": {"name": "Soviet Union"},
                    "period": {"display": "1932 – 1943"},
                }
            ],
            "signed": [
                {
                    "document": {"title": TREATY, "date": {"display": "30 July 1941"}},
                    "onBehalfOf": {"name": "Soviet Union"},
                }
            ],
        }
    },
    "docs/api.md-2": {"events": EVENTS_OF_JULY_AUGUST_1941},
    "docs/api.md-3": {
        "documents": {
            "totalCount": 2,
            "results": [{"title": TREATY}, {"title": "Polish–Soviet military agreement"}],
        },
        "persons": SIKORSKI,
        "states": {
            "results": [
                {"name": "Soviet Union", "officialName": "Union of Soviet Socialist Republics"}
            ]
        },
    },
    "docs/api.md-6": {
        "person": {
            "name": "Ivan Maisky",
            "born": MAISKY_BORN,
            "nameForms": [{"name": name} for name in MAISKY_NAMES],
            "signed": [{"document": {"title": TREATY}}],
        }
    },
    "docs/api.md-4": {
        "search": [
            {"score": 3.0, "record": {"__typename": "Document", "title": TREATY}},
            {
                "score": 2.0,
                "record": {
                    "__typename": "Event",
                    "name": "Signing of the Sikorski–Mayski agreement",
                },
            },
            {
                "score": 1.0,
                "record": {"__typename": "Document", "title": "Polish–Soviet military agreement"},
            },
        ]
    },
}


def loaded_with_the_demo(history: list, entries: int, fields: set[str]) -> bool:
    """A record's history as loading the demo wrote it: created, then one change per
    row added, each on the given fields; all with the loader's reason."""
    return (
        [entry["type"] for entry in history] == ["CHANGED"] * (entries - 1) + ["CREATED"]
        and {entry["reason"] for entry in history} == {"Loaded from fixture demo.json"}
        and {change["field"] for entry in history for change in entry["changes"]} == fields
    )


# The examples that read history, whose dates are when the test loaded the demo:
# what they must say whenever that was.
HISTORY_CHECKS = {
    "README.md-1": lambda data: (
        data["then"] == {"name": "Ivan Maisky", "born": MAISKY_BORN}
        and data["now"]["born"] == MAISKY_BORN
        and loaded_with_the_demo(data["now"]["history"], 8, {"nameForms", "positions", "sources"})
    ),
    "docs/api.md-5": lambda data: loaded_with_the_demo(
        data["document"]["history"],
        12,
        {"parties", "provisions", "relatedDocuments", "signatories", "sources"},
    ),
}

# What each curl command of the docs answers (status, JSON body).
CURL_ANSWERS = {
    "README.md-curl-0": (
        200,
        {"data": {"person": {"name": "Ivan Maisky", "born": {"display": "19 January 1884"}}}},
    ),
    "docs/deployment.md-curl-0": (200, {"status": "ok", "database": "ok", "cache": "ok"}),
}


def test_the_docs_have_the_examples_they_promise():
    """The README's first tour has two; docs/api.md one for each kind of query."""
    where = Counter(name.rsplit("-", 1)[0] for name in EXAMPLES)
    assert where == {"README.md": 2, "docs/api.md": 7}
    assert set(ANSWERS) | set(HISTORY_CHECKS) == set(EXAMPLES)
    assert set(CURL_ANSWERS) == set(CURL_EXAMPLES)


@pytest.mark.parametrize("name", EXAMPLES.keys())
@pytest.mark.django_db
def test_documented_example_answers_what_the_docs_say(client, demo, name):
    query = EXAMPLES[name]
    now = datetime.datetime.now(datetime.UTC).isoformat()
    data = gql(client, query, {"before": now} if "$before" in query else None)
    if name in ANSWERS:
        assert data == ANSWERS[name]
    else:
        assert HISTORY_CHECKS[name](data), data


@pytest.mark.parametrize("name", CURL_EXAMPLES.keys())
@pytest.mark.django_db
def test_documented_curl_command_answers_what_the_docs_say(client, demo, settings, name):
    """Sent through the test client as curl would send it: method, path, headers, body."""
    request = curl_request(CURL_EXAMPLES[name])
    headers = dict(request["headers"])
    if "Host" in headers:  # the deployment's own name, which it lists in DJANGO_ALLOWED_HOSTS
        settings.ALLOWED_HOSTS = [*settings.ALLOWED_HOSTS, headers["Host"]]
    content_type = headers.pop("Content-Type", "application/octet-stream")
    response = client.generic(
        request["method"],
        urlsplit(request["url"]).path,
        data=request["body"] or "",
        content_type=content_type,
        headers=headers,
    )
    assert (response.status_code, json.loads(response.content)) == CURL_ANSWERS[name]
