"""The production files, checked offline: lint, schemas, workflow security and their content."""

from __future__ import annotations

import json
import re
import secrets

import pytest
import yaml

from fintrack import config
from tests.conftest import ADMIN_PASSWORD_HASH
from tests.deploy.conftest import ROOT, dockerfile_cmd, run, tool

APP_PATHS = ["main.py", "alembic.ini", "fintrack/", "pages/", "components/", "web/", "migrations/"]
TEST_TOOLS = (
    "pytest",
    "playwright",
    "hypothesis",
    "ruff",
    "hadolint",
    "zizmor",
    "check-jsonschema",
)


def test_every_dockerfile_passes_hadolint() -> None:
    dockerfiles = sorted(p.name for p in ROOT.glob("Dockerfile*"))
    assert {"Dockerfile", "Dockerfile.dev"} <= set(dockerfiles)
    result = run(tool("hadolint"), "--no-color", *dockerfiles)
    assert result.returncode == 0, result.stdout + result.stderr


def test_compose_file_matches_the_compose_spec() -> None:
    result = run(
        tool("check-jsonschema"), "--builtin-schema", "vendor.compose-spec", "docker-compose.yml"
    )
    assert result.returncode == 0, result.stdout + result.stderr


def test_workflows_match_the_github_schema() -> None:
    workflows = sorted(str(p) for p in (ROOT / ".github" / "workflows").glob("*.yml"))
    assert workflows
    result = run(
        tool("check-jsonschema"), "--builtin-schema", "vendor.github-workflows", *workflows
    )
    assert result.returncode == 0, result.stdout + result.stderr


def test_zizmor_finds_nothing_of_high_severity() -> None:
    result = run(tool("zizmor"), "--offline", "--format", "json", ".github/workflows")
    findings = json.loads(result.stdout)
    high = [f["ident"] for f in findings if f["determinations"]["severity"] == "High"]
    assert high == []


def test_production_image_is_slim_non_root_and_holds_only_the_app() -> None:
    text = (ROOT / "Dockerfile").read_text()
    stages = re.findall(r"^FROM\s+(\S+)", text, flags=re.MULTILINE)
    assert len(stages) >= 2 and stages[-1] == "python:3.12-slim"
    final = text.split("\nFROM ")[-1]
    assert re.search(r"^USER\s+\d+(:\d+)?\s*$", final, flags=re.MULTILINE), "numeric USER"
    for setting in ("PYTHONDONTWRITEBYTECODE=1", "PYTHONUNBUFFERED=1", "APP_ENV=production"):
        assert setting in final
    copied = " ".join(re.findall(r"^COPY\s+(?!--from)(.*)$", final, flags=re.MULTILINE))
    for path in APP_PATHS:
        assert path in copied
        assert (ROOT / path).exists()
    packages = {d.name for d in ROOT.iterdir() if (d / "__init__.py").exists()}
    for package in packages - {"tests", "bench"}:
        assert f"{package}/" in copied, f"the image misses the package {package}/"
    assert "tests" not in copied and "requirements-dev" not in text
    joined = final.replace("\\\n", " ")  # continuation lines into one instruction
    healthcheck = re.search(r"^HEALTHCHECK .*$", joined, flags=re.MULTILINE)
    assert healthcheck and "urllib" in healthcheck.group() and "curl" not in healthcheck.group()


def test_start_command_is_the_server_alone() -> None:
    # main.py migrates when the schema is behind; a second Python start would delay the port.
    assert dockerfile_cmd(ROOT / "Dockerfile") == ["python", "main.py"]


def test_dockerignore_keeps_secrets_and_local_state_out() -> None:
    ignored = set((ROOT / ".dockerignore").read_text().split())
    assert {".git", ".venv", ".env", "data/", "test-results/"} <= ignored


def test_compose_runs_postgres_and_a_reloading_app() -> None:
    compose = yaml.safe_load((ROOT / "docker-compose.yml").read_text())
    database, app = compose["services"]["db"], compose["services"]["app"]
    assert database["image"].startswith("postgres:16")
    assert "pg_isready" in " ".join(database["healthcheck"]["test"])
    volume = database["volumes"][0].split(":")[0]
    assert volume in compose["volumes"]
    assert app["depends_on"]["db"]["condition"] == "service_healthy"
    assert app["build"]["dockerfile"] == "Dockerfile.dev"
    assert app["environment"]["DATABASE_URL"].startswith("postgresql://")
    assert "@db:5432/" in app["environment"]["DATABASE_URL"]
    assert app["environment"]["RELOAD"] == "1"
    assert any(v.split(":")[1] == "/app" for v in app["volumes"])
    assert app["env_file"][0]["path"] == ".env"
    assert dockerfile_cmd(ROOT / "Dockerfile.dev") == ["python", "main.py"]


def test_requirements_are_pinned_and_free_of_test_tools() -> None:
    lines = [
        line.split("#")[0].strip()
        for line in (ROOT / "requirements.txt").read_text().splitlines()
        if line.split("#")[0].strip()
    ]
    assert lines
    for line in lines:
        assert re.fullmatch(r"[A-Za-z0-9_.\-]+(\[[a-z,\-]+\])?==[\w.]+", line), line
        assert not line.lower().startswith(TEST_TOOLS), line


def test_render_blueprint_declares_a_free_docker_web_service(render_service: dict) -> None:
    assert render_service["type"] == "web"
    assert render_service["runtime"] == "docker"
    assert render_service["plan"] == "free"
    assert render_service["healthCheckPath"] == "/health"
    assert (ROOT / render_service.get("dockerfilePath", "Dockerfile")).exists()


def test_render_blueprint_declares_every_production_variable(render_service: dict) -> None:
    variables = {v["key"]: v for v in render_service["envVars"]}
    assert variables["APP_ENV"]["value"] == "production"
    assert variables["JWT_SECRET"]["generateValue"] is True
    for secret in ("DATABASE_URL", "DATABASE_DIRECT_URL", "ADMIN_USERNAME", "ADMIN_PASSWORD_HASH"):
        assert variables[secret]["sync"] is False, secret
        assert "value" not in variables[secret], f"{secret} must not be committed"
    # Probes must not keep a free Neon compute (which suspends after 5 idle minutes) awake.
    assert float(variables["HEALTH_CACHE_SECONDS"]["value"]) >= 300


def test_one_deploy_per_green_push_to_main(render_service: dict, workflow: dict) -> None:
    assert render_service["autoDeploy"] is False
    deploy = workflow["jobs"]["deploy"]
    assert set(deploy["needs"]) == {"lint", "test"}
    assert "refs/heads/main" in deploy["if"] and "push" in deploy["if"]
    script = " ".join(step.get("run", "") for step in deploy["steps"])
    assert "curl --fail" in script
    assert "secrets.RENDER_DEPLOY_HOOK_URL" in json.dumps(deploy["steps"])


def test_workflow_runs_the_readme_test_command_against_postgres(workflow: dict) -> None:
    triggers = workflow[True]  # YAML 1.1 reads the key `on` as a boolean
    assert "pull_request" in triggers and triggers["push"]["branches"] == ["main"]
    test = workflow["jobs"]["test"]
    assert test["services"]["postgres"]["image"] == "postgres:16"
    assert "--health-cmd" in test["services"]["postgres"]["options"]
    assert test["env"]["TEST_DATABASE_URL"].startswith("postgresql://")
    runs = [step.get("run", "") for step in test["steps"]]
    assert any(r.startswith("make test") for r in runs)
    assert "make test" in (ROOT / "README.md").read_text()
    assert any("playwright install --with-deps chromium" in r for r in runs)
    upload = next(s for s in test["steps"] if "upload-artifact" in s.get("uses", ""))
    assert upload["if"] == "failure()" and upload["with"]["path"] == "test-results/"


def test_workflow_is_least_privilege_and_pinned(workflow: dict) -> None:
    assert workflow["permissions"] == {}
    assert "group" in workflow["concurrency"]
    for name, job in workflow["jobs"].items():
        assert set(job["permissions"]) <= {"contents"}, name
        assert job["permissions"].get("contents", "read") == "read", name
        for step in job["steps"]:
            if "uses" in step:
                assert re.fullmatch(r"[\w\-]+/[\w\-]+@[0-9a-f]{40}", step["uses"]), step["uses"]
            if "actions/checkout" in step.get("uses", ""):
                assert step["with"]["persist-credentials"] is False


def test_blueprint_variables_are_enough_for_production(
    render_service: dict, monkeypatch: pytest.MonkeyPatch
) -> None:
    """What Render prompts for (sync: false) and generates is all production refuses to miss."""
    samples = {
        "DATABASE_URL": "postgresql://u:p@ep-x-1-pooler.eu-central-1.aws.neon.tech/d?sslmode=require",
        "DATABASE_DIRECT_URL": "postgresql://u:p@ep-x-1.eu-central-1.aws.neon.tech/d?sslmode=require",
        "ADMIN_USERNAME": "alex",
        "ADMIN_PASSWORD_HASH": ADMIN_PASSWORD_HASH,
    }
    for variable in render_service["envVars"]:
        if variable.get("generateValue"):
            value = secrets.token_urlsafe(32)  # Render generates 256 bits, base64-encoded
        elif variable.get("sync") is False:
            value = samples[variable["key"]]
        else:
            value = variable["value"]
        monkeypatch.setenv(variable["key"], value)
    settings = config.load(env_file=None)
    assert settings.production
    assert settings.admin_username == "alex"
    assert settings.database_direct_url == samples["DATABASE_DIRECT_URL"]
    assert settings.health_cache_seconds == 600
