"""bin/loadtest's summary: markdown tables a person reads at a glance, and the same as
JSON (``summary.json``). The request figures are locust's own statistics."""

from __future__ import annotations

import contextlib
import os
from dataclasses import dataclass
from pathlib import Path

from locust.stats import RequestStats, StatsEntry


def _ms(value) -> str:
    return f"{value:,.0f} ms" if value is not None else "-"


def _row(label: str, entry: StatsEntry) -> str:
    return (
        f"| {label} | {entry.num_requests:,} | {entry.total_rps:.1f} | "
        f"{_ms(entry.median_response_time)} | {_ms(entry.get_response_time_percentile(0.95))} | "
        f"{_ms(entry.max_response_time)} | {entry.num_failures} |"
    )


def _second_runs(seconds: dict[int, int], start: float) -> list[tuple[float, float, int]]:
    """Seconds with failures as runs of (nearly) consecutive seconds: (first, last, count)."""
    runs: list[list] = []
    for moment, count in sorted(seconds.items()):
        if runs and moment - runs[-1][1] <= 2:
            runs[-1][1], runs[-1][2] = moment, runs[-1][2] + count
        else:
            runs.append([moment, moment, count])
    return [(first - start, last - start, count) for first, last, count in runs]


def cpu_seconds(gunicorn_pid: int | None) -> dict[str, float]:
    """CPU time used so far by gunicorn (its master and live workers) and by locust."""
    import psutil

    used = {"locust": sum(psutil.Process().cpu_times()[:2]), "gunicorn": 0.0}
    with contextlib.suppress(psutil.Error, TypeError):
        master = psutil.Process(gunicorn_pid)
        for process in (master, *master.children()):
            used["gunicorn"] += sum(process.cpu_times()[:2])
    return used


@dataclass
class Report:
    database: str
    documents: int
    readers: int
    seconds: float
    interval: float
    gunicorn_pid: int | None
    start: float
    stats: RequestStats
    reader_names: list[str]
    reads: StatsEntry
    verified: dict
    timeline: dict
    faults: dict
    with_faults: bool
    server: dict
    checks: list[tuple[str, bool, str]]
    directory: Path

    def __post_init__(self):
        self.cpu = cpu_seconds(self.gunicorn_pid)
        self.load = os.getloadavg()

    @property
    def passed(self) -> bool:
        return all(passed for _, passed, _ in self.checks)

    def text(self) -> str:
        saves, timeline, server = self.verified, self.timeline, self.server
        lines = [
            "",
            f"Load test: {self.database}, {self.documents:,} documents, {self.readers} readers "
            f"for {self.seconds:g} s, a save every {self.interval:g} s"
            + (", with faults" if self.with_faults else ""),
            "",
            "| reads (locust) | requests | req/s | median | p95 | max | errors |",
            "|---|---:|---:|---:|---:|---:|---:|",
            *(_row(name, self.stats.get(name, "POST")) for name in self.reader_names),
            _row("**all**", self.reads),
            "",
            "| archivist and probes (locust) | requests | req/s | median | p95 | max | errors |",
            "|---|---:|---:|---:|---:|---:|---:|",
            *(
                _row(f"{method} {name}", entry)
                for (name, method), entry in sorted(self.stats.entries.items())
                if name not in self.reader_names
            ),
            "",
            "| archivist's saves | made | succeeded | failed | found in DB + history "
            "| lost | half-done |",
            "|---|---:|---:|---:|---:|---:|---:|",
            f"| every {self.interval:g} s | {saves['made']} | {saves['succeeded']} | "
            f"{saves['failed']} | {saves['found']} | {len(saves['lost'])} | "
            f"{len(saves['half_done'])} |",
            "",
            f"Probes (/healthz and an uncached GraphQL query, each every 100 ms at most): "
            f"{timeline['probes']}, failed {timeline['probe_failures']}.",
            f"Server log: {server['5xx']} answers 5xx, {server['tracebacks']} tracebacks, "
            f"{server['worker_timeouts']} worker timeouts, "
            f'{server["database_is_locked"]} "database is locked".',
            f"Machine: {os.cpu_count()} cores shared by locust, gunicorn, the database and "
            f"whatever else runs; load average {self.load[0]:.1f} (1 min), "
            f"{self.load[1]:.1f} (5 min); CPU used: gunicorn {self.cpu['gunicorn']:.0f} s, "
            f"locust {self.cpu['locust']:.0f} s (of {os.cpu_count() * self.seconds:g} "
            f"core-seconds).",
        ]
        if self.with_faults:
            lines += ["", *self.fault_lines()]
        if saves["failures"]:
            lines.append("Failed saves: " + "; ".join(saves["failures"])[:600])
        read_errors = [e for e in self.stats.errors.values() if e.name in self.reader_names]
        if read_errors:
            lines.append(
                "Read errors: "
                + "; ".join(f"{e.occurrences}× {e.name}: {str(e.error)[:100]}" for e in read_errors)
            )
        lines += ["", "| check | result | |", "|---|---|---|"]
        lines += [
            f"| {name} | {'PASS' if passed else 'FAIL'} | {detail} |"
            for name, passed, detail in self.checks
        ]
        lines += ["", f"Logs, locust's JSON and the saves: {self.directory}"]
        return "\n".join(lines)

    def fault_lines(self) -> list[str]:
        f, timeline, start = self.faults, self.timeline, self.start
        lines = ["| fault timeline | at (s into the run) |", "|---|---|"]
        if "worker_killed" in f:
            replaced = (
                f"replaced after {f['worker_replaced'] - f['worker_killed']:.2f} s"
                if "worker_replaced" in f
                else "not replaced"
            )
            lines.append(
                f"| worker killed (SIGKILL) | {f['worker_killed'] - start:.1f} ({replaced}) |"
            )
        if "up" in f:
            down, up, length = timeline["outage"]
            lines.append(
                f"| PostgreSQL down (stop begun → accepting again) | "
                f"{down:.1f} → {up:.1f} ({length:.2f} s) |"
            )
        elif "skipped" in f:
            lines.append(f"| PostgreSQL restart | skipped: {f['skipped']} |")
        for problem in f.get("problems", []):
            lines.append(f"| fault not injected | {problem} |")
        for down, up in timeline["error_windows"]:
            lines.append(f"| API errors (probes) | {down:.1f} → {up:.1f} ({up - down:.2f} s) |")
        if not timeline["error_windows"]:
            lines.append("| API errors (probes) | none |")
        for first, last, count in _second_runs(self.reads.num_fail_per_sec, start):
            lines.append(f"| read errors (locust) | {first:.0f} → {last:.0f}: {count} |")
        if timeline.get("recovery") is not None:
            lines.append(
                f"| last API error (probes) | {timeline['recovered_at']:.1f} "
                f"({timeline['recovery']:.2f} s after PostgreSQL was back) |"
            )
            if timeline.get("first_good") is not None:
                lines.append(
                    f"| first good answer to a probe sent after PostgreSQL was back | "
                    f"+{timeline['first_good']:.2f} s (includes the queue) |"
                )
        if timeline["error_details"]:
            lines.append(f"\nProbe errors: {'; '.join(timeline['error_details'])[:400]}")
        return lines

    def as_json(self) -> dict:
        return {
            "passed": self.passed,
            "database": self.database,
            "documents": self.documents,
            "users": self.readers,
            "seconds": self.seconds,
            "saves": self.verified,
            "timeline": self.timeline,
            "faults": {
                k: (v - self.start if isinstance(v, float) else v) for k, v in self.faults.items()
            },
            "server": self.server,
            "cpu_seconds": self.cpu,
            "load_average": self.load,
            "checks": [{"check": c, "passed": ok, "detail": d} for c, ok, d in self.checks],
            "directory": str(self.directory),
        }
