"""The app factory's shared behaviour, through a tiny app built with it."""

from collections.abc import AsyncIterator

import httpx
import pytest
import pytest_asyncio
from pydantic import BaseModel
from quart import Blueprint, Quart
from quart_schema import validate_request

from service_kit import correlation
from service_kit.app import create_service_app
from service_kit.errors import Conflict, PeerUnavailable
from service_kit.http_client import make_http_client
from service_kit.settings import RepositoryKind, ServiceSettings

demo = Blueprint("demo", __name__)


class Greeting(BaseModel):
    name: str
    times: int


@demo.post("/v1/greetings")
@validate_request(Greeting)
async def greet(data: Greeting) -> dict[str, str]:
    return {"greeting": " ".join([f"hello {data.name}"] * data.times)}


@demo.get("/v1/conflict")
async def conflict() -> dict[str, str]:
    raise Conflict("the essay is in state cancelled", allowed_events=["retry"])


@demo.get("/v1/peer")
async def peer() -> dict[str, str]:
    raise PeerUnavailable("the orchestrator does not answer", retry_after=5)


@demo.get("/v1/boom")
async def boom() -> dict[str, str]:
    raise RuntimeError("secret internals")


@demo.get("/v1/outgoing")
async def outgoing() -> dict[str, str | None]:
    seen: dict[str, str | None] = {}

    def record(request: httpx.Request) -> httpx.Response:
        seen["cid"] = request.headers.get(correlation.HEADER)
        seen["auth"] = request.headers.get("Authorization")
        return httpx.Response(204)

    async with make_http_client(token="tkn") as client:
        client._transport = httpx.MockTransport(record)
        await client.get("http://peer.invalid/x")
    return seen


def make_app(token: str | None = None, max_body: int = 1024) -> Quart:
    settings = ServiceSettings(
        service_name="demo_service",
        repository=RepositoryKind.MEMORY,
        internal_api_token=token,
        max_body_bytes=max_body,
        log_json=True,
    )
    return create_service_app(settings, blueprints=[demo])


@pytest_asyncio.fixture
async def app() -> AsyncIterator[Quart]:
    app = make_app()
    async with app.test_app() as running:
        yield running


def assert_problem(response, status: int) -> None:
    assert response.status_code == status
    assert response.headers["Content-Type"] == "application/problem+json"


async def test_validation_error_is_problem_json_with_errors(app):
    response = await app.test_client().post("/v1/greetings", json={"name": "Ada"})
    assert_problem(response, 422)
    body = await response.get_json()
    assert body["status"] == 422
    assert body["errors"][0]["loc"] == ["times"]
    assert body["correlation_id"]


async def test_malformed_json_is_a_400_problem(app):
    response = await app.test_client().post(
        "/v1/greetings", data="{nope", headers={"Content-Type": "application/json"}
    )
    assert_problem(response, 400)


async def test_unknown_route_and_method_are_problems(app):
    client = app.test_client()
    assert_problem(await client.get("/nowhere"), 404)
    response = await client.delete("/v1/greetings")
    assert_problem(response, 405)


async def test_body_over_the_limit_is_413(app):
    response = await app.test_client().post(
        "/v1/greetings", data="x" * 4096, headers={"Content-Type": "application/json"}
    )
    assert_problem(response, 413)


async def test_domain_errors_keep_their_status_and_extras(app):
    client = app.test_client()
    response = await client.get("/v1/conflict")
    assert_problem(response, 409)
    assert (await response.get_json())["allowed_events"] == ["retry"]
    response = await client.get("/v1/peer")
    assert_problem(response, 503)
    assert response.headers["Retry-After"] == "5"


async def test_unexpected_errors_are_500_without_internals(app):
    response = await app.test_client().get("/v1/boom")
    assert_problem(response, 500)
    assert "secret internals" not in (await response.get_data(as_text=True))


async def test_correlation_id_is_taken_returned_and_passed_on(app):
    client = app.test_client()
    response = await client.get("/v1/outgoing", headers={correlation.HEADER: "abc-123"})
    assert response.headers[correlation.HEADER] == "abc-123"
    assert await response.get_json() == {"cid": "abc-123", "auth": "Bearer tkn"}
    made = await client.get("/healthz")
    assert len(made.headers[correlation.HEADER]) == 32
    hostile = await client.get("/healthz", headers={correlation.HEADER: "not an id; <script>"})
    assert hostile.headers[correlation.HEADER] != "not an id; <script>"


async def test_metrics_count_requests_by_route_template(app):
    client = app.test_client()
    await client.post("/v1/greetings", json={"name": "Ada", "times": 2})
    text = await (await client.get("/metrics")).get_data(as_text=True)
    assert 'http_requests_total{method="POST",route="/v1/greetings",status="200"}' in text
    assert "http_request_duration_seconds_bucket" in text


async def test_token_guards_every_route_but_the_probes():
    app = make_app(token="a-long-internal-token")
    async with app.test_app() as running:
        client = running.test_client()
        assert (await client.get("/healthz")).status_code == 200
        assert (await client.get("/readyz")).status_code == 200
        denied = await client.post("/v1/greetings", json={"name": "A", "times": 1})
        assert_problem(denied, 401)
        assert (await client.get("/metrics")).status_code == 401
        allowed = await client.post(
            "/v1/greetings",
            json={"name": "A", "times": 1},
            headers={"Authorization": "Bearer a-long-internal-token"},
        )
        assert allowed.status_code == 200


async def test_openapi_is_served(app):
    response = await app.test_client().get("/openapi.json")
    assert response.status_code == 200
    assert "/v1/greetings" in (await response.get_json())["paths"]


@pytest.mark.parametrize("token", [None])
async def test_healthz_is_alive_without_a_database(token):
    app = make_app(token)
    async with app.test_app() as running:
        response = await running.test_client().get("/healthz")
        assert (await response.get_json()) == {"status": "ok"}


async def test_a_body_that_is_not_utf8_is_a_400_problem(app):
    response = await app.test_client().post(
        "/v1/greetings", data=b"\xff", headers={"Content-Type": "application/json"}
    )
    assert_problem(response, 400)
    assert "UTF-8" in (await response.get_json())["detail"]
