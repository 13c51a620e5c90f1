"""bin/attack's machinery (tools/attack.py): what counts as a failure, the table, and
a short run against a small generated archive served by gunicorn."""

import json

import pytest

from tools import attack

pytestmark = pytest.mark.live_server

MB = 2**20


def result(name="r", status=200, seconds=0.1, growth=0, died=False) -> attack.Result:
    return attack.Result(name, "8", status, seconds, growth, died, "data, 10 bytes")


def test_what_counts_as_a_failure():
    assert result().problems == []
    assert result(status=400, seconds=1.9, growth=50 * MB).problems == []
    assert result(seconds=2.0).problems == ["took 2.0 s"]
    assert result(status=400, seconds=10.2).problems == ["took 10.2 s"]  # a slow refusal
    assert result(growth=50 * MB + 1).problems == ["grew 50 MB"]
    assert result(growth=120 * MB).problems == ["grew 120 MB"]
    assert result(status=500).problems == ["HTTP 500"]
    assert result(status=None, seconds=30.0, died=True).problems == [
        "took 30.0 s",
        "no answer",
        "worker died",
    ]


def test_the_summary_table():
    results = [
        result("control", seconds=0.05, growth=2 * MB),
        result("refused quickly", status=400, seconds=0.01),
        result("too slow", seconds=3.5, growth=80 * MB),
    ]
    assert attack.table(results) == (
        "item  request          status    time  peak RSS +  verdict\n"
        "----  ---------------  ------  ------  ----------  ----------------------------\n"
        "8     control             200  0.05 s      2.0 MB  answered\n"
        "8     refused quickly     400  0.01 s      0.0 MB  refused\n"
        "8     too slow            200  3.50 s     80.0 MB  FAIL: took 3.5 s, grew 80 MB\n"
        "\n"
        "3 requests, 1 failed (a failure: 2 s or more, the worker grown by more than 50 MB, "
        "a 5xx or no answer, or the worker died)."
    )


def test_a_run_against_a_small_archive(tmp_path, capsys):
    url = f"sqlite:///{tmp_path / 'attack.sqlite3'}"
    attack.ensure_archive(url, 200, 1, print)
    assert attack.documents_in(url) == 200
    report = tmp_path / "results.json"
    status = attack.main(
        ["--database-url", url, "--only", "control,7-level", "--json", str(report)]
    )
    results = json.loads(report.read_text())
    said = [(r["name"], r["status"], r["said"][: 6 if r["status"] == 200 else 22]) for r in results]
    assert said == [
        ("control: one person", 200, "data, "),
        ("control: a syntax error", 400, "Syntax Error: Expected"),
        ("7-level asOf, pages of 1", 200, "data, "),
    ]
    for r in results:
        assert 0 < r["seconds"] < 2
        assert 0 <= r["growth"] < 50 * MB
        assert r["problems"] == [] and r["worker_died"] is False
    assert status == 0
    out = capsys.readouterr().out
    assert "3 requests, 0 failed" in out
