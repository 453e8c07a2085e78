"""The container files, checked without a container engine: compose against its schema, the
Dockerfile's shape, and its install steps run for real (scripts/docker-steps.sh)."""

from __future__ import annotations

import json
import re
import subprocess
from pathlib import Path
from typing import Any

import pytest
import yaml
from jsonschema import Draft201909Validator

from tests.conftest import ROOT

SCHEMA = ROOT / ".cache" / "compose-spec" / "compose-spec.json"
COMPOSE = ROOT / "docker-compose.yml"
DOCKERFILE = ROOT / "Dockerfile"


def compose() -> dict[str, Any]:
    """docker-compose.yml, parsed."""
    loaded: dict[str, Any] = yaml.safe_load(COMPOSE.read_text(encoding="utf-8"))
    return loaded


def stages() -> list[list[str]]:
    """The Dockerfile's stages, each as its instructions (continuations joined, no comments)."""
    text = re.sub(r"\\\n", " ", DOCKERFILE.read_text(encoding="utf-8"))
    found: list[list[str]] = []
    for line in text.splitlines():
        line = line.strip()
        if not line or line.startswith("#"):
            continue
        if line.startswith("FROM "):
            found.append([])
        found[-1].append(line)
    return found


def test_compose_file_validates_against_the_compose_specification() -> None:
    assert SCHEMA.is_file(), "run `make compose-schema` (make test does) to fetch the schema"
    schema = json.loads(SCHEMA.read_text(encoding="utf-8"))
    Draft201909Validator.check_schema(schema)
    errors = sorted(Draft201909Validator(schema).iter_errors(compose()), key=str)
    assert [f"{list(e.absolute_path)}: {e.message}" for e in errors] == []


def test_the_schema_would_catch_a_mistake() -> None:
    schema = json.loads(SCHEMA.read_text(encoding="utf-8"))
    broken = compose()
    broken["services"]["bilat"]["restart_policy"] = "always"  # a swarm key in the wrong place
    assert not Draft201909Validator(schema).is_valid(broken)


def test_compose_runs_the_bot_as_a_service() -> None:
    bilat = compose()["services"]["bilat"]
    assert bilat["env_file"] == ".env"
    assert bilat["restart"] == "unless-stopped"
    assert "bilat-state:/state" in bilat["volumes"]
    assert "bilat-state" in compose()["volumes"]
    assert "./data:/app/data:ro" in bilat["volumes"]  # editors' data, read-only
    assert bilat["environment"]["BILAT_DB"].startswith("/state/")
    assert bilat["environment"]["BILAT_HTTP_PORT"] == "8080"
    assert all(p.startswith("127.0.0.1:") for p in bilat["ports"])
    assert "profiles" not in bilat  # the bot runs without naming a profile


def test_matrix_profile_adds_a_local_synapse() -> None:
    services = compose()["services"]
    synapse = services["synapse"]
    assert synapse["profiles"] == ["matrix"]
    assert synapse["image"].startswith("matrixdotorg/synapse")
    assert synapse["depends_on"]["synapse-config"]["condition"] == \
        "service_completed_successfully"
    assert services["synapse-config"]["command"] == "generate"
    assert services["synapse-config"]["profiles"] == ["matrix"]


def test_dockerfile_builds_small_and_runs_unprivileged() -> None:
    build, final = stages()
    assert build[0] == "FROM python:3.11-slim AS build"
    assert final[0] == "FROM python:3.11-slim"
    assert any("pybabel compile" in line for line in build)  # catalogs compiled at build
    final_text = "\n".join(final)
    for tool in ("apt-get", "gcc", "build-essential", "pip install"):
        assert tool not in final_text, tool  # the build's tools stay in the build stage
    assert any(line.startswith("USER bilat") for line in final)
    assert 'VOLUME ["/state"]' in final
    assert "BILAT_DB=/state/bilat.sqlite3" in final_text
    [health] = [line for line in final if line.startswith("HEALTHCHECK")]
    assert "/healthz" in health
    assert final[-1] == 'CMD ["bilat", "run"]'


def test_dockerignore_keeps_secrets_and_state_out() -> None:
    ignored = (ROOT / ".dockerignore").read_text(encoding="utf-8").splitlines()
    for entry in (".env", ".venv", "state", ".git"):
        assert entry in ignored


@pytest.mark.docker_steps
def test_dockerfile_install_steps_work_in_a_clean_environment() -> None:
    """The build stage's own COPY and RUN lines, run by scripts/docker-steps.sh (~20 s)."""
    result = subprocess.run(["bash", str(ROOT / "scripts" / "docker-steps.sh")],
                            capture_output=True, text=True, timeout=300, check=False)
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]
    assert "docker-steps: OK" in result.stdout
    assert re.search(r"^\d+ article\(s\) valid", result.stdout, re.MULTILINE)


def test_docker_steps_refuse_a_broken_install(tmp_path: Path) -> None:
    """The script fails when a step fails (here, a catalog that does not compile)."""
    text = DOCKERFILE.read_text(encoding="utf-8")
    broken = tmp_path / "Dockerfile"
    broken.write_text(text.replace("RUN python -m venv /opt/bilat", "RUN false && python -m venv"
                                   " /opt/bilat", 1), encoding="utf-8")
    result = subprocess.run(["bash", str(ROOT / "scripts" / "docker-steps.sh"), str(broken)],
                            capture_output=True, text=True, timeout=60, check=False)
    assert result.returncode != 0
    assert "docker-steps: OK" not in result.stdout
