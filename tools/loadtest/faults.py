"""The faults bin/loadtest injects with ``--faults``: a gunicorn worker killed with
SIGKILL a third of the way in, and (PostgreSQL) the database stopped for
``--outage`` seconds half-way. PostgreSQL is shared by every test run on the
machine, so it is stopped only when no other test run is using it.

Each moment is written down in :attr:`Faults.timeline` (``time.time()``): the
checks allow errors only around them.
"""

from __future__ import annotations

import logging
import os
import signal
import subprocess
import threading
import time

from tools.loadtest.checks import RECOVERY_LIMIT

log = logging.getLogger("loadtest")


def cluster() -> list[str]:
    """pg_ctlcluster for the local PostgreSQL server (Debian's layout)."""
    version = sorted(os.listdir("/etc/postgresql"))[-1]
    return ["pg_ctlcluster", "--skip-systemctl-redirect", version, "main"]


def postgresql_ready() -> bool:
    return subprocess.run(["pg_isready", "-q", "-h", "127.0.0.1"], check=False).returncode == 0


def other_test_runs() -> list[str]:
    """Other pytest processes on this machine (not this process nor its ancestors)."""
    import psutil

    mine = {os.getpid(), *(p.pid for p in psutil.Process().parents())}
    found = subprocess.run(["pgrep", "-af", "pytest"], capture_output=True, text=True).stdout
    return [line for line in found.splitlines() if line and int(line.split()[0]) not in mine]


def wait_for_other_test_runs(limit: float) -> bool:
    """Wait up to ``limit`` seconds for the other test runs to end; True when none is left."""
    deadline = time.time() + limit
    said = 0.0
    while (others := other_test_runs()) and time.time() < deadline:
        if time.time() - said > 30:
            log.info(
                "Waiting for other test runs to end before restarting PostgreSQL: %d running (%s)",
                len(others),
                others[0][:80],
            )
            said = time.time()
        time.sleep(5)
    return not other_test_runs()


class Faults:
    def __init__(self, gunicorn_pid: int, seconds: float, outage: float, postgresql: bool):
        self.gunicorn_pid = gunicorn_pid
        self.seconds = seconds
        self.outage = outage
        self.postgresql = postgresql
        self.timeline: dict = {}

    def workers(self) -> list[int]:
        import psutil

        return sorted(child.pid for child in psutil.Process(self.gunicorn_pid).children())

    def run(self, start: float) -> None:
        """Inject each fault on time, from ``start`` on; a fault that fails is written down."""
        plan = [(self.seconds / 3, self.kill_worker)]
        if self.postgresql:
            plan.append((self.seconds / 2, self.restart_postgresql))
        for at, action in plan:
            time.sleep(max(0.0, start + at - time.time()))
            try:
                action(start)
            except Exception as error:  # noqa: BLE001 - the summary shows it, the checks fail
                self.timeline.setdefault("problems", []).append(f"{action.__name__}: {error}")
                log.error("Fault %s failed: %s", action.__name__, error)

    def kill_worker(self, start: float) -> None:
        before = self.workers()
        victim = before[0]
        os.kill(victim, signal.SIGKILL)
        killed = self.timeline["worker_killed"] = time.time()
        log.info("Killed gunicorn worker %d (SIGKILL)", victim)
        while time.time() - killed < 30:
            now = self.workers()
            if victim not in now and len(now) == len(before):
                self.timeline["worker_replaced"] = time.time()
                log.info("Gunicorn replaced it in %.2f s", time.time() - killed)
                return
            time.sleep(0.05)

    def restart_postgresql(self, start: float) -> None:
        """Stop PostgreSQL for ``outage`` seconds, when no other test run is using it.

        Other test runs may start while the load runs: the restart waits for a
        moment without any, as long as the rest of the run leaves time for the
        outage and the recovery after it; otherwise it is skipped (and the
        summary says so).
        """
        latest = start + self.seconds - self.outage - RECOVERY_LIMIT - 5
        said = False
        while others := other_test_runs():
            if time.time() > latest:
                self.timeline["skipped"] = f"another test run was using it: {others[0][:100]}"
                log.warning("NOT restarting PostgreSQL: %s", self.timeline["skipped"])
                return
            if not said:
                log.info("Waiting to restart PostgreSQL: another test run is using it")
                said = True
            time.sleep(0.5)
        self.timeline["stop_begun"] = time.time()
        log.info("Stopping PostgreSQL (fast: sessions are cut)")
        subprocess.run([*cluster(), "stop", "-m", "fast"], check=True)
        self.timeline["stopped"] = time.time()
        log.info("PostgreSQL stopped; starting it again in %g s", self.outage)
        try:
            time.sleep(self.outage)
        finally:
            self.start_postgresql(start)

    def start_postgresql(self, start: float) -> None:
        # pg_ctlcluster returns a while after the server accepts connections:
        # when it does is watched on the side, with pg_isready.
        self.timeline["start_begun"] = time.time()
        ready = threading.Event()

        def watch():
            while not ready.is_set():
                if postgresql_ready():
                    self.timeline.setdefault("up", time.time())
                    return
                time.sleep(0.05)

        watcher = threading.Thread(target=watch, daemon=True)
        watcher.start()
        try:
            subprocess.run([*cluster(), "start"], check=True)
            self.timeline["start_returned"] = time.time()
            watcher.join(timeout=60)
        finally:
            ready.set()
        up = self.timeline.setdefault("up", time.time())
        log.info(
            "PostgreSQL accepting connections again at %.1f s (pg_ctlcluster start returned "
            "at %.1f s)",
            up - start,
            self.timeline["start_returned"] - start,
        )
