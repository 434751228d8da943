"""The processes the cluster tests run on loopback: free ports, gunicorn and redis-server
started and stopped with their own logs, and ``manage.py`` commands; every wait has a timeout.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path
from urllib.parse import urlsplit

ROOT = Path(__file__).resolve().parents[2]
HOST = "127.0.0.1"
# What a child process inherits from this one; everything else it is given explicitly.
INHERITED_ENV = ("PATH", "HOME", "LANG", "LC_ALL", "TZ", "VIRTUAL_ENV", "TMPDIR")


class ServiceError(RuntimeError):
    """A process did not start, or did not answer, in time."""


def free_port() -> int:
    """A TCP port nothing listens on at this moment (the kernel's pick)."""
    with socket.socket() as probe:
        probe.bind((HOST, 0))
        return probe.getsockname()[1]


def wait_until(predicate: Callable[[], bool], timeout: float, interval: float = 0.05) -> bool:
    """Poll ``predicate`` until it is true or ``timeout`` seconds passed; return the last."""
    deadline = time.monotonic() + timeout
    while True:
        try:
            if predicate():
                return True
        except OSError:
            pass
        if time.monotonic() >= deadline:
            return False
        time.sleep(interval)


LOOPBACK = {"127.0.0.1", "localhost", "::1"}


def require_loopback(url: str) -> str:
    """The tests' servers live on this machine: refuse a URL pointing anywhere else."""
    host = urlsplit(url).hostname or ""
    if host not in LOOPBACK and not host.startswith("127."):
        raise ValueError(f"{url!r} is not on loopback: the cluster tests stay on 127.0.0.1.")
    return url


def child_env(extra: dict[str, str]) -> dict[str, str]:
    env = {name: os.environ[name] for name in INHERITED_ENV if name in os.environ}
    return {**env, **extra}


def tail(path: Path, lines: int = 30) -> str:
    try:
        return "\n".join(path.read_text(errors="replace").splitlines()[-lines:])
    except OSError:
        return "(no log)"


def child_pids(pid: int) -> set[int]:
    """The processes whose parent is ``pid`` (Linux /proc), e.g. gunicorn's workers."""
    children = set()
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
        except OSError:
            continue
        # "pid (comm) state ppid ...": comm may hold spaces and parentheses.
        fields = stat[stat.rfind(")") + 2 :].split()
        if len(fields) > 1 and int(fields[1]) == pid:
            children.add(int(entry.name))
    return children


class Service:
    """A child process in its own session, its output in a log file."""

    name = "service"

    def __init__(self, name: str, log: Path) -> None:
        self.name = name
        self.log = log
        self.process: subprocess.Popen | None = None

    def command(self) -> list[str]:
        raise NotImplementedError

    def env(self) -> dict[str, str]:
        return child_env({})

    def ready(self) -> bool:
        raise NotImplementedError

    def start(self, timeout: float = 30) -> Service:
        self.log.parent.mkdir(parents=True, exist_ok=True)
        with open(self.log, "ab") as output:
            self.process = subprocess.Popen(  # noqa: S603
                self.command(),
                cwd=ROOT,
                env=self.env(),
                stdin=subprocess.DEVNULL,
                stdout=output,
                stderr=subprocess.STDOUT,
                start_new_session=True,  # its own process group: stopped as one
            )

        def up() -> bool:
            if not self.alive:
                raise ServiceError(
                    f"{self.name} exited ({self.process.returncode}):\n{tail(self.log)}"
                )
            return self.ready()

        if not wait_until(up, timeout, interval=0.1):
            self.stop()
            raise ServiceError(
                f"{self.name} did not answer within {timeout:g} s:\n{tail(self.log)}"
            )
        return self

    @property
    def pid(self) -> int:
        return self.process.pid if self.process else 0

    @property
    def alive(self) -> bool:
        return self.process is not None and self.process.poll() is None

    def stop(self, timeout: float = 10, sig: int = signal.SIGTERM) -> None:
        """Ask the process to stop; past ``timeout``, kill its whole process group."""
        process = self.process
        if process is None:
            return
        if process.poll() is None:
            try:
                process.send_signal(sig)
                process.wait(timeout=timeout)
            except subprocess.TimeoutExpired:
                pass
        # Whatever is left of the group (workers of a killed master) goes too.
        with contextlib.suppress(ProcessLookupError, PermissionError):
            os.killpg(process.pid, signal.SIGKILL)
        with contextlib.suppress(subprocess.TimeoutExpired):
            process.wait(timeout=5)

    def log_text(self) -> str:
        try:
            return self.log.read_text(errors="replace")
        except OSError:
            return ""

    def __enter__(self) -> Service:
        return self

    def __exit__(self, *exc) -> None:
        self.stop()


class Gunicorn(Service):
    """The site served by gunicorn (threaded workers) on a loopback port."""

    def __init__(
        self,
        name: str,
        log: Path,
        env: dict[str, str],
        *,
        workers: int = 2,
        threads: int = 4,
        port: int | None = None,
    ) -> None:
        super().__init__(name, log)
        self.port = port or free_port()
        self.workers = workers
        self.threads = threads
        self._env = env

    def command(self) -> list[str]:
        return [
            *(sys.executable, "-m", "gunicorn", "config.wsgi"),
            *("--bind", f"{HOST}:{self.port}"),
            *("--workers", str(self.workers), "--threads", str(self.threads)),
            *("--worker-class", "gthread", "--timeout", "30", "--graceful-timeout", "5"),
            *("--error-logfile", "-", "--log-level", "warning"),
        ]

    def env(self) -> dict[str, str]:
        return child_env(self._env)

    def ready(self) -> bool:
        with socket.create_connection((HOST, self.port), timeout=2) as conn:
            conn.sendall(b"GET /robots.txt HTTP/1.0\r\nHost: 127.0.0.1\r\n\r\n")
            status_line = conn.recv(64).split(b"\r\n", 1)[0]
            return status_line.split(b" ")[1:2] == [b"200"]

    def worker_pids(self) -> set[int]:
        return child_pids(self.pid) if self.alive else set()


class RedisServer(Service):
    """A private redis-server: no persistence, loopback only, in the foreground."""

    def __init__(self, name: str, log: Path, workdir: Path, port: int | None = None) -> None:
        super().__init__(name, log)
        self.port = port or free_port()
        self.workdir = workdir

    @staticmethod
    def available() -> bool:
        return shutil.which("redis-server") is not None

    def command(self) -> list[str]:
        self.workdir.mkdir(parents=True, exist_ok=True)
        return [
            *("redis-server", "--port", str(self.port), "--bind", HOST),
            *("--save", "", "--appendonly", "no", "--daemonize", "no"),
            *("--dir", str(self.workdir)),
        ]

    def env(self) -> dict[str, str]:
        return child_env({})

    def ready(self) -> bool:
        with socket.create_connection((HOST, self.port), timeout=1) as conn:
            conn.sendall(b"PING\r\n")
            return conn.recv(16).startswith(b"+PONG")

    def url(self, db: int = 0) -> str:
        return f"redis://{HOST}:{self.port}/{db}"


def manage(
    *args: str, env: dict[str, str], timeout: float = 300, check: bool = True
) -> subprocess.CompletedProcess:
    """Run ``manage.py`` with exactly this environment (plus PATH and the like)."""
    result = subprocess.run(  # noqa: S603
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env=child_env(env),
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
    )
    if check and result.returncode != 0:
        raise ServiceError(
            f"manage.py {' '.join(args)} failed ({result.returncode}):\n"
            f"{result.stdout[-3000:]}\n{result.stderr[-3000:]}"
        )
    return result
