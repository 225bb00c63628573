"""Start-up figures of the production start command: seconds to healthy, and memory.

`python -m bench.startup` prints one JSON object. It runs the Dockerfile's CMD in production
mode against a throwaway database on the PostgreSQL server of BENCH_DATABASE_URL (else
TEST_DATABASE_URL, else postgresql://postgres@127.0.0.1:5432/postgres), dropped afterwards.
With 100,000 demo transactions it also logs in (a real session cookie) and loads `/`.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import re
import secrets
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import bcrypt
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

ROOT = Path(__file__).resolve().parent.parent
DEMO_TRANSACTIONS = 100_000
RESTARTS = 3
USERNAME = "admin"


def start_command() -> list[str]:
    """The final CMD of the production Dockerfile (exec form)."""
    commands = re.findall(r"^CMD\s+(\[.*\])\s*$", (ROOT / "Dockerfile").read_text(), re.MULTILINE)
    return json.loads(commands[-1])


def server_url() -> str:
    url = os.environ.get("BENCH_DATABASE_URL") or os.environ.get("TEST_DATABASE_URL")
    return url or "postgresql://postgres@127.0.0.1:5432/postgres"


@contextmanager
def throwaway_database() -> Iterator[str]:
    """A new empty database on the benchmark's server, as a plain postgresql:// URL."""
    server = make_url(server_url().replace("postgresql://", "postgresql+psycopg://", 1))
    name = f"fintrack_bench_{uuid.uuid4().hex[:8]}"
    admin = create_engine(server, isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(text(f'CREATE DATABASE "{name}"'))
    try:
        url = server.set(database=name).render_as_string(hide_password=False)
        yield url.replace("postgresql+psycopg://", "postgresql://", 1)
    finally:
        with admin.connect() as connection:
            connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def child_environment(**values: str) -> dict:
    """Our environment without what would change the app started (NiceGUI even takes an
    inherited PYTEST_CURRENT_TEST to mean a screen test), plus `values`."""
    env = {
        k: v
        for k, v in os.environ.items()
        if k != "PYTEST_CURRENT_TEST" and not k.startswith(("NICEGUI_", "DATABASE_", "ADMIN_"))
    }
    env.update(values)
    return env


def production_env(database_url: str, port: int, secret: str, password_hash: str) -> dict:
    return child_environment(
        PATH=f"{Path(sys.executable).parent}{os.pathsep}{os.environ.get('PATH', '')}",
        APP_ENV="production",
        PORT=str(port),
        DATABASE_URL=database_url,
        JWT_SECRET=secret,
        ADMIN_USERNAME=USERNAME,
        ADMIN_PASSWORD_HASH=password_hash,
        NICEGUI_STORAGE_PATH=f"/tmp/fintrack-bench-{port}",
        PYTHONUNBUFFERED="1",
    )


def rss_mb(pid: int) -> float:
    """Resident memory of a process and its children, in MB (Linux /proc)."""
    total_kb = 0
    pids = [pid]
    while pids:
        current = pids.pop()
        try:
            status = Path(f"/proc/{current}/status").read_text()
        except FileNotFoundError:
            continue
        total_kb += int(re.search(r"^VmRSS:\s+(\d+)", status, re.MULTILINE).group(1))
        for task in Path(f"/proc/{current}/task").iterdir():
            pids += [int(child) for child in (task / "children").read_text().split()]
    return round(total_kb / 1024, 1)


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):  # type: ignore[no-untyped-def]
        return None  # a redirect to /login must count as a failure, not as the login page


def cpu_seconds(pid: int) -> float:
    """CPU time of a process plus its finished children (the migrate step), from /proc."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    utime, stime, cutime, cstime = (int(f) for f in fields[11:15])
    return round((utime + stime + cutime + cstime) / os.sysconf("SC_CLK_TCK"), 2)


def get(url: str, cookie: str | None = None, timeout: float = 120) -> int:
    """The status of a GET (redirects are not followed: they raise HTTPError)."""
    request = urllib.request.Request(url, headers={"Cookie": cookie} if cookie else {})
    with urllib.request.build_opener(_NoRedirect).open(request, timeout=timeout) as response:
        response.read()
        return response.status


def port_open(port: int) -> bool:
    """Whether something accepts connections on the local `port`."""
    with socket.socket() as probe:
        return probe.connect_ex(("127.0.0.1", port)) == 0


@contextmanager
def running_server(
    env: dict, command: list[str] | None = None, ready: str | None = "/health"
) -> Iterator[tuple[subprocess.Popen, float]]:
    """Start a server (the production command by default); yield it with the seconds it took
    until `ready` answered 200, or with `ready=None` until its port accepted a connection."""
    # The log goes to a file: a pipe nobody reads fills up and blocks the server mid-request.
    with tempfile.TemporaryFile() as log:
        started = time.perf_counter()
        process = subprocess.Popen(
            command or start_command(), cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=log
        )
        port = int(env["PORT"])
        try:
            while True:
                if process.poll() is not None:
                    log.seek(0)
                    raise RuntimeError(f"server exited: {log.read().decode()[-2000:]}")
                if time.perf_counter() - started > 60:
                    raise RuntimeError(f"server not {ready or 'listening'} within 60 s")
                if ready is None and port_open(port):
                    break
                try:
                    if ready and get(f"http://127.0.0.1:{port}{ready}", timeout=2) == 200:
                        break
                except OSError:
                    pass
                time.sleep(0.02)
            yield process, time.perf_counter() - started
        finally:
            process.send_signal(signal.SIGTERM)
            try:
                process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()


def session_cookie(database_url: str, secret: str) -> str:
    """The cookie a successful login sets: the app's own token for the current session version."""
    from fintrack import auth, db

    db.init(database_url)
    with db.session() as s:
        version = auth.session_version(s)
    db.engine().dispose()
    token = auth.issue_token(secret, USERNAME, version, dt.timedelta(hours=1))
    return f"{auth.COOKIE_NAME}={token}"


def fill_demo(database_url: str) -> float:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("DATABASE_", "APP_ENV"))}
    env["DATABASE_URL"] = database_url
    started = time.perf_counter()
    subprocess.run(
        [sys.executable, "-m", "fintrack", "demo", "--transactions", str(DEMO_TRANSACTIONS)],
        cwd=ROOT,
        env=env,
        check=True,
        capture_output=True,
    )
    return time.perf_counter() - started


def figures() -> dict:
    secret = secrets.token_urlsafe(48)
    password_hash = bcrypt.hashpw(b"bench password", bcrypt.gensalt(rounds=4)).decode()
    result: dict = {}
    with throwaway_database() as database_url:

        def env() -> dict:
            return production_env(database_url, free_port(), secret, password_hash)

        with running_server(env()) as (_, seconds):
            result["startup_first_deploy_s"] = round(seconds, 2)  # empty database: migrates
        restarts = []  # schema at head: what a restart or a wake-up from spin-down costs
        for _ in range(RESTARTS):
            with running_server(env()) as (process, seconds):
                restarts.append((seconds, cpu_seconds(process.pid), rss_mb(process.pid)))
        result["startup_s"] = round(statistics.median(r[0] for r in restarts), 2)
        result["startup_min_s"] = round(min(r[0] for r in restarts), 2)
        # What a fraction of a CPU (Render's free plan) stretches: seconds of CPU to start.
        result["startup_cpu_s"] = round(statistics.median(r[1] for r in restarts), 2)
        result["rss_after_start_mb"] = max(r[2] for r in restarts)
        result["load_average_1min"] = os.getloadavg()[0]  # start-up time is CPU-bound
        try:
            import fintrack.demo  # noqa: F401
        except ImportError:
            return result
        result["demo_fill_100k_s"] = round(fill_demo(database_url), 1)
        cookie = session_cookie(database_url, secret)
        server_env = env()
        with running_server(server_env) as (process, _):
            started = time.perf_counter()
            status = get(f"http://127.0.0.1:{server_env['PORT']}/", cookie)
            result["dashboard_100k_first_load_s"] = round(time.perf_counter() - started, 2)
            if status != 200:
                raise RuntimeError(f"dashboard answered {status}")
            result["rss_after_dashboard_100k_mb"] = rss_mb(process.pid)
    return result


if __name__ == "__main__":
    print(json.dumps(figures(), indent=2))
