"""Deploy checks: production files linted offline, and the start command run for real."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
import yaml
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

from fintrack import db

ROOT = Path(__file__).resolve().parents[2]
BIN = Path(sys.executable).parent


def tool(name: str) -> str:
    """A command-line tool installed beside this Python (requirements-dev.txt)."""
    path = BIN / name
    assert path.exists(), f"{name} is missing: pip install -r requirements-dev.txt"
    return str(path)


def run(*args: str, timeout: float = 60) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        args, cwd=ROOT, capture_output=True, text=True, timeout=timeout, check=False
    )


def dockerfile_cmd(path: Path) -> list[str]:
    """The final stage's CMD, in the JSON (exec) form the Dockerfile must use."""
    commands = re.findall(r"^CMD\s+(\[.*\])\s*$", path.read_text(), flags=re.MULTILINE)
    assert commands, f"{path.name} has no exec-form CMD"
    return json.loads(commands[-1])


@pytest.fixture(scope="session")
def render_service() -> dict:
    """The one web service of render.yaml."""
    blueprint = yaml.safe_load((ROOT / "render.yaml").read_text())
    services = blueprint["services"]
    assert len(services) == 1
    return services[0]


@pytest.fixture(scope="session")
def workflow() -> dict:
    return yaml.safe_load((ROOT / ".github" / "workflows" / "ci.yml").read_text())


@pytest.fixture
def postgres_url() -> str:
    """The TEST_DATABASE_URL server, for checks that create nothing in it."""
    url = os.environ.get("TEST_DATABASE_URL")
    if not url:
        pytest.skip("needs TEST_DATABASE_URL (a PostgreSQL server that can CREATE DATABASE)")
    return url


@pytest.fixture
def fresh_postgres(postgres_url: str) -> Iterator[str]:
    """A new, empty database on the TEST_DATABASE_URL server, dropped afterwards."""
    base = postgres_url
    name = f"fintrack_deploy_{uuid.uuid4().hex[:10]}"
    admin = create_engine(db.normalize_url(base), isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(text(f'CREATE DATABASE "{name}"'))
    url = make_url(db.normalize_url(base)).set(database=name)
    try:
        yield url.render_as_string(hide_password=False).replace("postgresql+psycopg", "postgresql")
    finally:
        with admin.connect() as connection:
            connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()
