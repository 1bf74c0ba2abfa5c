"""The app on memory storage: probes, problem+json and the headers every answer carries."""

from services.api_gateway.app import create_app
from services.api_gateway.config import Settings

PROBLEM = "application/problem+json"


async def test_probes_and_headers():
    app = create_app(Settings(repository="memory", log_level="WARNING"))
    async with app.test_app():
        client = app.test_client()
        health = await client.get("/healthz")
        assert health.status_code == 200
        assert health.headers["X-Content-Type-Options"] == "nosniff"
        assert "frame-ancestors 'none'" in health.headers["Content-Security-Policy"]
        assert "Strict-Transport-Security" not in health.headers  # development
        assert (await client.get("/readyz")).status_code == 200


async def test_no_credential_is_401_problem():
    app = create_app(Settings(repository="memory", log_level="WARNING"))
    async with app.test_app():
        answer = await app.test_client().get("/v1/me")
        assert answer.status_code == 401
        assert answer.headers["Content-Type"] == PROBLEM
        assert answer.headers["WWW-Authenticate"] == "Bearer"
        assert answer.headers["X-Content-Type-Options"] == "nosniff"
