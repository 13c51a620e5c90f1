"""What bin/loadtest checks after the load: every save against the database and its
history, and errors only where a fault allows them.

Locust counts the requests and their failures; what it cannot know is whether a
save the admin answered is really in the database, in its history, in order,
and whether a save that failed wrote all or nothing. :func:`verify_saves`
answers that from the saves the archivist wrote down (``saves.jsonl``).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

RECOVERY_LIMIT = 5.0  # seconds after the database is back within which the API must answer
KILL_GRACE = 2.0  # seconds after a worker is killed in which its cut requests may fail


@dataclass
class Probe:
    kind: str
    started: float
    ended: float
    ok: bool
    detail: str


def verify_saves(saves: list[dict], original: dict[int, str]) -> dict:
    """Each save against the database and the record's history.

    * a save answered as saved: exactly one version of the record with its
      reason, and that version holds its value (not lost, not doubled);
    * the versions of one record's successful saves are in the order the
      saves were made, and the record holds the value of its last one;
    * a failed save: no version with its reason and no version with its value
      (nothing written), or both in one version (written whole: the answer was
      lost, e.g. the database went down after the commit); never one without
      the other.

    ``original`` maps each edited record to its description before the run.
    """
    from archive.models import Person

    history = Person.history.model
    lost, half, doubled, out_of_order, committed_failed, wrong_current = [], [], [], [], [], []
    by_record: dict[int, list] = {}
    for save in saves:
        versions = list(
            history.objects.filter(id=save["pk"], history_change_reason=save["reason"]).values(
                "history_id", "description"
            )
        )
        with_value = history.objects.filter(id=save["pk"], description=save["value"]).count()
        whole = [v for v in versions if v["description"] == save["value"]]
        save["found"] = bool(whole)
        if save["outcome"] == "saved":
            if not whole:
                lost.append(save["number"])
            elif len(versions) > 1 or with_value > 1:
                doubled.append(save["number"])
        elif versions or with_value:
            if whole and len(versions) == 1 and with_value == 1:
                committed_failed.append(save["number"])
            else:
                half.append(save["number"])
                continue
        if whole:
            by_record.setdefault(save["pk"], []).append((save["number"], whole[0]["history_id"]))
    for pk, made in by_record.items():
        ids = [history_id for _, history_id in sorted(made)]
        if ids != sorted(ids):
            out_of_order.append(pk)
    for pk, description in original.items():
        current = Person.objects.filter(pk=pk).values_list("description", flat=True).first()
        last = max(
            (s for s in saves if s["pk"] == pk and s["found"]),
            key=lambda s: s["number"],
            default=None,
        )
        if current != (last["value"] if last else description):
            wrong_current.append(pk)
    succeeded = [s for s in saves if s["outcome"] == "saved"]
    return {
        "made": len(saves),
        "succeeded": len(succeeded),
        "failed": len(saves) - len(succeeded),
        "found": sum(1 for s in succeeded if s["found"]),
        "lost": lost,
        "half_done": half,
        "doubled": doubled,
        "out_of_order": out_of_order,
        "failed_but_committed": committed_failed,
        "wrong_current_value": wrong_current,
        "failures": sorted(
            {f"{s['stage']}: {s['error']}"[:160] for s in saves if s["outcome"] == "failed"}
        ),
        "locked": sum(1 for s in saves if "database is locked" in s.get("error", "")),
    }


def _windows(times: list[float], gap: float = 1.0) -> list[tuple[float, float]]:
    windows: list[list[float]] = []
    for moment in sorted(times):
        if windows and moment - windows[-1][1] <= gap:
            windows[-1][1] = moment
        else:
            windows.append([moment, moment])
    return [(start, end) for start, end in windows]


def timeline(probes: list[Probe], faults: dict, start: float) -> dict:
    """The probes' story, dated by their answers and in seconds into the run.

    ``recovery``: seconds from PostgreSQL accepting connections again to the
    last failed answer (0 when none failed after it); ``first_good``: to the
    first good answer to a probe sent after it (this includes the wait in the
    queue of a loaded server).
    """
    probes = sorted(probes, key=lambda p: p.ended)
    failed = [p for p in probes if not p.ok]
    result = {
        "probes": len(probes),
        "probe_failures": len(failed),
        "error_windows": [(a - start, b - start) for a, b in _windows([p.ended for p in failed])],
        "error_details": sorted({f"{p.kind}: {p.detail}" for p in failed}),
    }
    if "up" in faults:
        down, up = faults["stop_begun"], faults["up"]
        result["outage"] = (down - start, up - start, up - down)
        last_failure = max((p.ended for p in failed), default=up)
        result["recovery"] = max(0.0, last_failure - up)
        good = [p.ended for p in probes if p.ok and p.started >= up]
        result["first_good"] = (min(good) - up) if good else None
        result["recovered_at"] = max(up, last_failure) - start
    return result


def allowed_error_windows(faults: dict) -> list[tuple[float, float]]:
    """When errors are expected: the database down (and recovering), a killed worker's cut."""
    windows = []
    if "up" in faults:
        windows.append((faults["stop_begun"], faults["up"] + RECOVERY_LIMIT))
    if "worker_killed" in faults:
        windows.append((faults["worker_killed"] - 0.5, faults["worker_killed"] + KILL_GRACE))
    return windows


def _inside(moment: float, windows, slack: float = 0.0) -> bool:
    return any(start - slack <= moment <= end + slack for start, end in windows)


def server_log_findings(directory: Path) -> dict:
    """What gunicorn's logs (``gunicorn.out.log``, ``gunicorn.err.log``) say went wrong."""
    err = (directory / "gunicorn.err.log").read_text(errors="replace")
    out = (directory / "gunicorn.out.log").read_text(errors="replace")
    return {
        "database_is_locked": err.count("database is locked") + out.count("database is locked"),
        "tracebacks": err.count("Traceback (most recent call last)"),
        "5xx": sum(1 for line in out.splitlines() if re.search(r'" 5\d\d \d', line)),
        "worker_timeouts": err.count("WORKER TIMEOUT"),
    }


def evaluate(
    *,
    database: str,
    with_faults: bool,
    reads: int,
    read_failure_seconds: dict[int, int],
    saves: list[dict],
    verified: dict,
    probes: list[Probe],
    timeline: dict,
    faults: dict,
    server: dict,
    start: float,
) -> list[tuple[str, bool, str]]:
    """(check, passed, detail), in the order the summary shows them."""
    checks = []
    errors = sum(read_failure_seconds.values())
    failed_probes = [p for p in probes if not p.ok]
    if with_faults:
        windows = allowed_error_windows(faults)
        # locust counts failures per whole second: a second of slack each side
        stray = sorted(t for t in read_failure_seconds if not _inside(t, windows, slack=1.5))
        checks.append(
            (
                "read errors only while the database was down or at the worker kill",
                not stray,
                f"{errors} errors" + (f"; outside, at {stray}" if stray else ""),
            )
        )
        stray_probes = [
            round(p.ended - start, 1) for p in failed_probes if not _inside(p.ended, windows, 0.2)
        ]
        checks.append(
            (
                "probe errors only while the database was down or at the worker kill",
                not stray_probes,
                f"{len(failed_probes)} failed probes"
                + (f"; outside, at {stray_probes[:5]} s" if stray_probes else ""),
            )
        )
        stray_saves = [
            s["number"]
            for s in saves
            if s["outcome"] == "failed" and not _inside(s["finished"], windows, 1.0)
        ]
        checks.append(
            (
                "save failures only while the database was down or at the worker kill",
                not stray_saves,
                f"{verified['failed']} failed"
                + (f"; outside: {stray_saves}" if stray_saves else ""),
            )
        )
        if database == "postgresql":
            recovery = timeline.get("recovery")
            if "up" not in faults:
                detail = "PostgreSQL was not restarted: " + faults.get("skipped", "?")
            else:
                detail = f"{recovery:.2f} s"
            checks.append(
                (
                    f"API recovered within {RECOVERY_LIMIT:g} s of PostgreSQL's return",
                    recovery is not None and recovery <= RECOVERY_LIMIT,
                    detail,
                )
            )
        replaced = faults.get("worker_replaced")
        checks.append(
            (
                "gunicorn replaced the killed worker",
                replaced is not None,
                f"in {replaced - faults['worker_killed']:.2f} s" if replaced else "not replaced",
            )
        )
    else:
        checks.append(("zero read errors", errors == 0, f"{errors} errors"))
        failed = verified["failed"]
        checks.append(("zero failed saves", failed == 0, f"{failed} failed"))
        checks.append(("zero failed probes", not failed_probes, f"{len(failed_probes)}"))
    v = verified
    checks.append(
        (
            "every successful save is in the database and the history, in order",
            not (v["lost"] or v["doubled"] or v["out_of_order"] or v["wrong_current_value"]),
            f"{v['found']} of {v['succeeded']} found; lost {v['lost'] or 0}, "
            f"doubled {v['doubled'] or 0}, out of order {v['out_of_order'] or 0}, "
            f"wrong current value {v['wrong_current_value'] or 0}",
        )
    )
    checks.append(
        (
            "no failed save half-done",
            not v["half_done"],
            f"half-done {v['half_done'] or 0}; failed but committed whole "
            f"{v['failed_but_committed'] or 0}",
        )
    )
    checks.append(("the archivist saved", v["succeeded"] > 0, f"{v['succeeded']} saves"))
    checks.append(("locust read", reads > 0, f"{reads} reads"))
    if database == "sqlite":
        locked = server["database_is_locked"] + v["locked"]
        checks.append(('zero "database is locked"', locked == 0, f"{locked} in logs and answers"))
    return checks
