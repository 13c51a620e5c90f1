"""The time limit holds where the time is spent, not only before SQL queries."""

import json
import signal
import threading
import time

import pytest

from archive.graphql import time_limit
from tests.graphql_client import post

pytestmark = pytest.mark.django_db

MESSAGE = (
    "Time limit exceeded: the query ran for more than 0.2 s and was stopped. "
    "Ask for smaller pages or fewer nested lists."
)

# Introspection, 30 times over: no SQL at all, about 40,000 fields for graphql-core
# to complete (2.8 s and an 838 kB answer on the 2-core test machine).
INTROSPECTION = "__schema { types { name fields { name args { name type { name ofType { name } } } type { name kind ofType { name kind ofType { name } } } } } }"  # noqa: E501
PYTHON_ONLY = "{ " + " ".join(f"a{i}: {INTROSPECTION}" for i in range(30)) + " }"


@pytest.fixture
def seen_before(client, settings):
    """The query parsed and validated once (both remembered): what remains is execution."""
    settings.GRAPHQL_TIME_LIMIT = 30
    assert post(client, PYTHON_ONLY).status_code == 200
    settings.GRAPHQL_TIME_LIMIT = 0.2


def stopped(response, started: float) -> None:
    """The answer of an execution the limit stopped: one error, located where it stopped."""
    elapsed = time.monotonic() - started
    body = response.json()
    assert response.status_code == 200, body
    assert body["data"] is None
    (error,) = body["errors"]
    assert error["message"] == MESSAGE
    assert error["extensions"] == {"code": "TIME_LIMIT_EXCEEDED"}
    assert error["path"][0].startswith("a")  # inside the aliases, wherever it was
    assert elapsed < 1.5, elapsed  # 0.2 s, and the test client's own work


@pytest.mark.no_cache
def test_python_work_without_sql_stops_at_the_limit(client, seen_before, django_assert_num_queries):
    started = time.monotonic()
    with django_assert_num_queries(0):
        response = post(client, PYTHON_ONLY)
    stopped(response, started)


def test_python_work_stops_at_the_limit_outside_the_main_thread(client, seen_before):
    """gunicorn's threaded workers run requests in other threads, where no signal
    arrives: the checks made as fields and list items are completed stop it."""
    answers = []

    def request():
        answers.append((post(client, PYTHON_ONLY), time.monotonic()))

    started = time.monotonic()
    worker = threading.Thread(target=request)
    worker.start()
    worker.join()
    ((response, _),) = answers
    stopped(response, started)


def test_a_query_within_the_limit_is_answered_whole(client, settings):
    settings.GRAPHQL_TIME_LIMIT = 10
    response = post(client, "{ a0: " + INTROSPECTION + " }")
    assert response.status_code == 200
    assert "errors" not in response.json()


def busy(seconds: float) -> None:
    """Pure Python work in one call, with no check inside (as a validation rule or
    the compilation of a huge SQL query would be)."""
    end = time.monotonic() + seconds
    while time.monotonic() < end:
        sum(range(1000))


def test_the_timer_stops_a_single_long_python_call_in_the_main_thread():
    started = time.monotonic()
    with pytest.raises(time_limit.TimeLimitExceeded) as raised:
        with time_limit.limited(0.2):
            busy(5)
    assert time.monotonic() - started < 1.5
    assert str(raised.value) == MESSAGE
    # Left as it was found: no timer armed, the previous handler back.
    assert signal.getitimer(signal.ITIMER_REAL) == (0.0, 0.0)
    assert signal.getsignal(signal.SIGALRM) is signal.SIG_DFL


def test_no_timer_fires_after_the_block():
    with time_limit.limited(0.2):
        pass
    busy(0.4)  # nothing raised


def test_other_threads_rely_on_the_checks():
    """No signal reaches another thread: its long call runs on, and the next
    check stops it."""
    outcome = []

    def work():
        try:
            with time_limit.limited(0.1):
                busy(0.3)
                outcome.append("call finished")
                time_limit.check()
        except time_limit.TimeLimitExceeded as error:
            outcome.append(str(error))

    worker = threading.Thread(target=work)
    worker.start()
    worker.join()
    assert outcome == [
        "call finished",
        "Time limit exceeded: the query ran for more than 0.1 s and was stopped. "
        "Ask for smaller pages or fewer nested lists.",
    ]


def test_the_database_works_after_the_timer_stopped_a_request(client, settings, demo, seen_before):
    started = time.monotonic()
    stopped(post(client, PYTHON_ONLY), started)
    settings.GRAPHQL_TIME_LIMIT = 10
    response = post(client, '{ person(slug: "ivan-maisky") { name } }')
    assert json.loads(response.content) == {"data": {"person": {"name": "Ivan Maisky"}}}


def test_a_limit_reached_outside_strawberrys_handlers_is_a_graphql_error(client, monkeypatch):
    """The timer can fire after strawberry has answered but before the block ends:
    the client still gets the limit's message as a GraphQL error, not a 500."""
    from strawberry.django.views import GraphQLView

    def run_out(*args, **kwargs):
        raise time_limit.current().exceeded()

    monkeypatch.setattr(GraphQLView, "execute_single", run_out)
    response = post(client, "{ __typename }")
    assert response.json() == {  # nothing to show: no data
        "errors": [
            {
                "message": MESSAGE.replace("0.2 s", "2 s"),
                "extensions": {"code": "TIME_LIMIT_EXCEEDED"},
            }
        ],
    }


def test_the_sql_check_is_removed_even_when_the_limit_is_reached_on_leaving():
    from django.db import connection

    wrappers = list(connection.execute_wrappers)
    with pytest.raises(time_limit.TimeLimitExceeded):
        with time_limit.limited(5) as limit:
            raise limit.exceeded()
    assert connection.execute_wrappers == wrappers
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
