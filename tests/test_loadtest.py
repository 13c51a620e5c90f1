"""bin/loadtest, at a tiny scale: 5 readers for 8 seconds, a save every second.

It runs the command itself, as a person would, on a 1,000-document archive
generated for the tests in a SQLite file of its own (whatever DATABASE_URL the
suite runs with: the load test's gunicorn and locust must not share the
suite's database), with the local-memory response cache (no Redis database
shared with anything else). The full-scale runs, and the faults (which restart
PostgreSQL), are run by hand: docs/reliability.md, "Under load" and "Faults".
"""

import json
import subprocess
import sys
from pathlib import Path

import pytest
from django.conf import settings

from tools.processes import clean_environment

pytestmark = pytest.mark.load
ROOT = Path(settings.BASE_DIR)

GENERATE = (
    "from django.core.management import call_command\n"
    "from tools import generate_archive\n"
    "call_command('migrate', verbosity=0)\n"
    "call_command(generate_archive.Command(), documents=1000, seed=1, verbosity=0)\n"
)


@pytest.fixture(scope="module")
def archive(tmp_path_factory) -> Path:
    """A generated 1,000-document archive; each run copies it."""
    archive = tmp_path_factory.mktemp("loadtest") / "archive-1k.sqlite3"
    generated = subprocess.run(
        [sys.executable, "manage.py", "shell", "--no-startup", "-v", "0", "-c", GENERATE],
        cwd=ROOT,
        env=clean_environment(DATABASE_URL=f"sqlite:///{archive}", DJANGO_DEBUG="1"),
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert generated.returncode == 0, generated.stderr
    return archive


def loadtest(archive: Path, directory: Path, *options: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [
            "bin/loadtest",
            "--database=sqlite",
            f"--source={archive}",
            "--spawn-rate=5",
            "--workers=2",
            "--redis=",
            f"--json={directory / 'summary.json'}",
            f"--log-dir={directory / 'run'}",
            *options,
        ],
        cwd=ROOT,
        env=clean_environment(),
        capture_output=True,
        text=True,
        timeout=240,
    )


def test_loadtest_at_a_tiny_scale_loses_no_save(archive, tmp_path):
    ran = loadtest(archive, tmp_path, "--users=5", "--seconds=8")
    assert ran.returncode == 0, ran.stdout + ran.stderr
    summary = json.loads((tmp_path / "summary.json").read_text())

    assert summary["passed"] is True
    assert (summary["database"], summary["documents"], summary["users"]) == ("sqlite", 1000, 5)
    # locust's own results (--json-file): the reads, the archivist's requests, the probes
    stats = json.loads((tmp_path / "run" / "locust.json").read_text())
    reads = [e for e in stats if not e["name"].startswith(("admin: ", "probe: "))]
    assert sum(e["num_requests"] for e in reads) > 0
    assert sum(e["num_failures"] for e in reads) == 0
    assert {"admin: save", "probe: /healthz", "probe: uncached query"} <= {e["name"] for e in stats}
    saves = summary["saves"]
    assert saves["made"] >= 5  # one a second for 8 s, however slow the machine
    assert saves["succeeded"] == saves["found"] == saves["made"]
    assert saves["failed"] == 0
    assert saves["lost"] == saves["half_done"] == saves["doubled"] == []
    assert saves["out_of_order"] == saves["wrong_current_value"] == []
    assert saves["locked"] == 0
    assert summary["server"]["database_is_locked"] == 0
    assert summary["timeline"]["probe_failures"] == 0
    assert all(check["passed"] for check in summary["checks"])

    # A summary a person reads at a glance, and progress while it ran.
    assert "| reads (locust) | requests | req/s | median | p95 | max | errors |" in ran.stdout
    assert "| **all** |" in ran.stdout
    assert '| zero "database is locked" | PASS |' in ran.stdout
    assert "Running: 5 readers (locust)" in ran.stdout
    # Every save is written down with what it wrote.
    made = [
        json.loads(line) for line in (tmp_path / "run" / "saves.jsonl").read_text().splitlines()
    ]
    assert len(made) == saves["made"]
    assert all(s["value"] and s["reason"] and s["outcome"] == "saved" for s in made)


def test_a_failing_check_fails_the_run(archive, tmp_path):
    """No reader: the check "locust read" fails, and the run's exit status says so."""
    ran = loadtest(archive, tmp_path, "--users=0", "--seconds=3")

    assert ran.returncode == 1, ran.stdout + ran.stderr
    summary = json.loads((tmp_path / "summary.json").read_text())
    assert summary["passed"] is False
    assert [c["check"] for c in summary["checks"] if not c["passed"]] == ["locust read"]
    assert "| locust read | FAIL | 0 reads |" in ran.stdout
