"""What the benchmarks share to run the site: a free loopback port, gunicorn (or any command)
started, waited for and always stopped, measured manage.py runs, a temporary site's settings.
"""

from __future__ import annotations

import contextlib
import os
import secrets
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
HOST = "127.0.0.1"


def free_port() -> int:
    """A TCP port nothing listens on at this moment (the kernel's pick)."""
    with socket.socket() as probe:
        probe.bind((HOST, 0))
        return probe.getsockname()[1]


def tail(log: Path, lines: int = 30) -> str:
    try:
        return "\n".join(log.read_text(errors="replace").splitlines()[-lines:])
    except OSError:
        return "(no log)"


def site_env(database: Path, settings: str = "config.settings", **extra: str) -> dict[str, str]:
    """The environment of a production-like site (DEBUG off) on a temporary SQLite file."""
    return {
        "DJANGO_SETTINGS_MODULE": settings,
        "DATABASE_URL": f"sqlite:///{database}",
        "SECRET_KEY": secrets.token_urlsafe(50),
        "DEBUG": "0",  # no query log, as in production
        **extra,
    }


def gunicorn_command(port: int, workers: int, *options: str) -> list[str]:
    """gunicorn serving the site on a loopback port; ``options`` add to or override these."""
    return [
        *(sys.executable, "-m", "gunicorn", "config.wsgi:application"),
        *("--bind", f"{HOST}:{port}", "--workers", str(workers), "--chdir", str(ROOT)),
        *("--log-level", "warning", "--graceful-timeout", "5", *options),
    ]


@contextlib.contextmanager
def serve(
    command: list[str],
    env: dict[str, str],
    log: Path,
    ready: Callable[[], bool],
    timeout: float = 30,
) -> Iterator[subprocess.Popen]:
    """Start ``command`` (its output in ``log``), wait until ``ready()`` is true, and stop
    it and its whole process group on the way out, however that is."""
    with log.open("ab") as output:
        process = subprocess.Popen(
            command,
            cwd=ROOT,
            env={**os.environ, **env},
            stdin=subprocess.DEVNULL,
            stdout=output,
            stderr=subprocess.STDOUT,
            start_new_session=True,  # its own group: workers are stopped with it
        )
    try:
        deadline = time.monotonic() + timeout
        while not _answers(ready):
            if process.poll() is not None:
                raise RuntimeError(f"{command[2:4]} exited ({process.returncode}):\n{tail(log)}")
            if time.monotonic() > deadline:
                raise RuntimeError(
                    f"{command[2:4]} did not answer within {timeout:g} s:\n{tail(log)}"
                )
            time.sleep(0.2)
        yield process
    finally:
        stop(process)


def _answers(ready: Callable[[], bool]) -> bool:
    try:
        return ready()
    except OSError:  # not listening yet
        return False


def stop(process: subprocess.Popen, timeout: float = 10) -> None:
    """SIGTERM, then past ``timeout`` SIGKILL to whatever is left of its process group."""
    if process.poll() is None:
        process.terminate()
        with contextlib.suppress(subprocess.TimeoutExpired):
            process.wait(timeout=timeout)
    with contextlib.suppress(ProcessLookupError, PermissionError):
        os.killpg(process.pid, signal.SIGKILL)
    with contextlib.suppress(subprocess.TimeoutExpired):
        process.wait(timeout=5)


@dataclass
class Run:
    seconds: float  # wall time
    cpu_seconds: float  # user + system: what a busy machine inflates least
    max_rss_mb: float
    output: str


def manage(env: dict[str, str], log: Path, *args: str) -> Run:
    """Run ``manage.py`` with ``env``: wall time, CPU time and peak RSS of that process alone.

    Its output goes to ``log``, so printing costs no time; a failure ends the benchmark.
    """
    with log.open("w", encoding="utf-8") as out:
        started = time.perf_counter()
        process = subprocess.Popen(
            [sys.executable, str(ROOT / "manage.py"), *args],
            cwd=ROOT,
            env={**os.environ, **env},
            stdout=out,
            stderr=subprocess.STDOUT,
        )
        # wait4 gives this child's own rusage; RUSAGE_CHILDREN would be a max over all.
        _pid, status, usage = os.wait4(process.pid, 0)
        seconds = time.perf_counter() - started
    returncode = process.returncode = os.waitstatus_to_exitcode(status)
    output = log.read_text(encoding="utf-8", errors="replace")
    if returncode != 0:
        sys.exit(f"manage.py {' '.join(args)} failed ({returncode}):\n{output[-3000:]}")
    # Linux reports ru_maxrss in KiB.
    return Run(seconds, usage.ru_utime + usage.ru_stime, usage.ru_maxrss / 1024, output)
