"""docker-compose.yml and the Dockerfile, checked without Docker.

Every service that exists (has ``services/<name>/app.py``) must be in the compose file, built
from the one Dockerfile, on its ARCHITECTURE port, with a healthcheck, and with its own
PostgreSQL container that it waits for and that its ``<NAME>_DATABASE_URL`` points at. Only
the api_gateway publishes a port on the host: the services and databases stay on the compose
network, and every container shares one INTERNAL_API_TOKEN.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import yaml
from sqlalchemy.engine import make_url

ROOT = Path(__file__).resolve().parents[1]
COMPOSE = ROOT / "docker-compose.yml"
DOCKERFILE = ROOT / "Dockerfile"
ENTRYPOINT = ROOT / "docker" / "entrypoint.sh"

# docs/architecture.md §8
GATEWAY = "api_gateway"
SERVICE_PORTS = {
    "api_gateway": 8000,
    "batch_orchestrator": 8001,
    "essay_lifecycle": 8002,
    "spell_checker": 8003,
    "cj_assessment": 8004,
    "file_service": 8005,
    "content_service": 8006,
}
EXISTING = sorted(p.parent.name for p in (ROOT / "services").glob("*/app.py"))


def load_compose() -> dict[str, Any]:
    document = yaml.safe_load(COMPOSE.read_text())
    assert isinstance(document, dict) and isinstance(document.get("services"), dict)
    return document


@pytest.fixture(scope="module")
def compose() -> dict[str, Any]:
    return load_compose()


def as_list(value: Any) -> list[Any]:
    if value is None:
        return []
    return value if isinstance(value, list) else [value]


def environment_of(spec: dict[str, Any]) -> dict[str, str]:
    """``env_file`` contents overlaid by ``environment``, as compose resolves them."""
    env: dict[str, str] = {}
    for entry in as_list(spec.get("env_file")):
        path = entry if isinstance(entry, str) else entry["path"]
        for line in (ROOT / path).read_text().splitlines():
            line = line.strip()
            if line and not line.startswith("#"):
                key, _, value = line.partition("=")
                env[key.strip()] = value.strip()
    environment = spec.get("environment") or {}
    if isinstance(environment, list):
        environment = dict(item.partition("=")[::2] for item in environment)
    env.update({key: str(value) for key, value in environment.items()})
    return env


def port_pairs(spec: dict[str, Any]) -> list[tuple[int, int]]:
    """(host, container) for every published port, short syntax or long."""
    pairs = []
    for entry in as_list(spec.get("ports")):
        if isinstance(entry, dict):
            pairs.append((int(entry["published"]), int(entry["target"])))
        else:
            host, _, container = str(entry).rpartition(":")
            pairs.append((int(host.rsplit(":", 1)[-1]), int(container.split("/")[0])))
    return pairs


def database_of(compose: dict[str, Any], name: str) -> str:
    """The one postgres container ``name`` depends on."""
    assert name in compose["services"], f"{name} is missing from docker-compose.yml"
    depends = compose["services"][name].get("depends_on") or {}
    databases = [
        dep
        for dep in depends
        if "postgres" in str(compose["services"].get(dep, {}).get("image", ""))
    ]
    assert len(databases) == 1, f"{name} should depend on exactly one postgres, got {databases}"
    return databases[0]


def test_there_are_services_to_check():
    assert "content_service" in EXISTING
    assert set(EXISTING) <= set(SERVICE_PORTS), f"unknown service folders: {EXISTING}"


def test_dockerfile_takes_the_service_as_a_build_arg():
    lines = [line.strip() for line in DOCKERFILE.read_text().splitlines()]
    assert any(line == "ARG SERVICE" or line.startswith("ARG SERVICE=") for line in lines)
    assert any(line.startswith("FROM python:3.11-slim") for line in lines)
    assert any(line.startswith("USER ") and line != "USER root" for line in lines)


def test_entrypoint_migrates_then_execs_hypercorn():
    script = ENTRYPOINT.read_text()
    migrate = script.index('alembic -c "services/${SERVICE}/alembic.ini" upgrade head')
    serve = script.index('exec hypercorn --bind "0.0.0.0:${PORT}"')
    assert migrate < serve
    assert '"services.${SERVICE}.app:create_app()"' in script
    assert ENTRYPOINT.name in DOCKERFILE.read_text()


@pytest.mark.parametrize("name", EXISTING)
def test_service_is_built_from_the_one_dockerfile(compose, name):
    assert name in compose["services"], f"{name} is missing from docker-compose.yml"
    build = compose["services"][name].get("build")
    assert isinstance(build, dict), f"{name} must be built (build: with args)"
    assert build.get("context") == "."
    assert build.get("dockerfile", "Dockerfile") == "Dockerfile"
    assert build.get("args", {}).get("SERVICE") == name
    assert int(build["args"].get("PORT", SERVICE_PORTS[name])) == SERVICE_PORTS[name]


@pytest.mark.parametrize("name", EXISTING)
def test_service_listens_on_its_architecture_port(compose, name):
    spec = compose["services"][name]
    port = SERVICE_PORTS[name]
    if name == GATEWAY:
        assert port_pairs(spec) == [(port, port)]
    else:  # reachable by its peers on the compose network only
        assert port_pairs(spec) == [], f"{name} must not publish a host port"
        assert [int(p) for p in as_list(spec.get("expose"))] == [port]
    assert environment_of(spec).get("PORT") == str(port)


def test_only_the_gateway_is_published(compose):
    published = {
        name: port_pairs(spec) for name, spec in compose["services"].items() if port_pairs(spec)
    }
    assert published == {GATEWAY: [(SERVICE_PORTS[GATEWAY], SERVICE_PORTS[GATEWAY])]}


def test_every_container_shares_one_internal_token(compose):
    tokens = {
        name: environment_of(compose["services"][name]).get("INTERNAL_API_TOKEN")
        for name in SERVICE_PORTS
    }
    assert len(set(tokens.values())) == 1 and None not in tokens.values(), tokens


@pytest.mark.parametrize("name", EXISTING)
def test_service_has_a_readiness_healthcheck(compose, name):
    healthcheck = compose["services"][name].get("healthcheck")
    assert isinstance(healthcheck, dict) and not healthcheck.get("disable")
    test = " ".join(as_list(healthcheck.get("test")))
    assert f"http://127.0.0.1:{SERVICE_PORTS[name]}/readyz" in test
    assert "curl" not in test  # python:3.11-slim has no curl


@pytest.mark.parametrize("name", EXISTING)
def test_service_has_its_own_postgres_unpublished(compose, name):
    database = database_of(compose, name)
    spec = compose["services"][database]
    assert str(spec["image"]).startswith("postgres:15")
    assert port_pairs(spec) == [], f"{database} must not publish a host port"
    assert "pg_isready" in " ".join(as_list(spec.get("healthcheck", {}).get("test")))
    volumes = [str(v).split(":")[0] for v in as_list(spec.get("volumes"))]
    assert len(volumes) == 1 and volumes[0] in (compose.get("volumes") or {}), (
        f"{database} should keep its data in a named volume"
    )


@pytest.mark.parametrize("name", EXISTING)
def test_service_waits_for_its_database(compose, name):
    database = database_of(compose, name)
    depends = compose["services"][name]["depends_on"]
    assert isinstance(depends, dict), "depends_on must use the long form with a condition"
    assert depends[database] == {"condition": "service_healthy"}


@pytest.mark.parametrize("name", EXISTING)
def test_database_url_points_at_its_own_database(compose, name):
    database = database_of(compose, name)
    env = environment_of(compose["services"][name])
    variable = f"{name.upper()}_DATABASE_URL"
    assert variable in env, f"{name} needs {variable}"
    url = make_url(env[variable])
    assert url.drivername == "postgresql+asyncpg"
    assert (url.host, url.port or 5432) == (database, 5432)
    db_env = environment_of(compose["services"][database])
    assert url.username == db_env["POSTGRES_USER"]
    assert url.password == db_env["POSTGRES_PASSWORD"]
    assert url.database == db_env["POSTGRES_DB"]


def test_no_two_services_share_a_database_or_volume(compose):
    databases = [database_of(compose, name) for name in EXISTING]
    assert len(set(databases)) == len(databases)
    volumes = [
        str(v).split(":")[0]
        for spec in compose["services"].values()
        for v in as_list(spec.get("volumes"))
    ]
    assert len(set(volumes)) == len(volumes)


# The peers each service calls, by the variable its settings read (services/<name>/config.py).
PEERS_NEEDED = {
    "api_gateway": [
        "BATCH_ORCHESTRATOR_URL",
        "ESSAY_LIFECYCLE_URL",
        "SPELL_CHECKER_URL",
        "CJ_ASSESSMENT_URL",
        "FILE_SERVICE_URL",
        "CONTENT_SERVICE_URL",
    ],
    "batch_orchestrator": ["BATCH_ORCHESTRATOR_URL", "ESSAY_LIFECYCLE_URL", "FILE_SERVICE_URL"],
    "essay_lifecycle": ["ESSAY_LIFECYCLE_URL", "SPELL_CHECKER_URL", "CJ_ASSESSMENT_URL"],
    "spell_checker": ["CONTENT_SERVICE_URL"],
    "cj_assessment": ["CONTENT_SERVICE_URL"],
    "file_service": ["CONTENT_SERVICE_URL", "ESSAY_LIFECYCLE_URL", "BATCH_ORCHESTRATOR_URL"],
    "content_service": [],
}


def test_compose_holds_all_seven_services_and_their_databases(compose):
    assert set(SERVICE_PORTS) <= set(compose["services"])
    for name in SERVICE_PORTS:
        database_of(compose, name)


@pytest.mark.parametrize("name", sorted(SERVICE_PORTS))
def test_service_reaches_its_peers_by_compose_name(compose, name):
    env = environment_of(compose["services"][name])
    for variable in PEERS_NEEDED[name]:
        peer = variable.removesuffix("_URL").lower()
        assert env.get(variable) == f"http://{peer}:{SERVICE_PORTS[peer]}", (
            f"{name} needs {variable} pointing at the {peer} container"
        )


@pytest.mark.parametrize("name", sorted(SERVICE_PORTS))
def test_service_settings_live_in_a_documented_env_file(compose, name):
    files = [
        e if isinstance(e, str) else e["path"]
        for e in as_list(compose["services"][name].get("env_file"))
    ]
    assert files == [f"docker/env/{name}.env"]
    text = (ROOT / files[0]).read_text()
    assert f"services/{name}/README.md" in text, "the env file points at the full reference"
