"""The whole HTTP surface on the in-memory repositories: the app starts and works without a DB."""

from service_kit.settings import RepositoryKind
from services.content_service.app import create_app
from services.content_service.config import Settings


async def test_memory_app_stores_and_serves_content():
    app = create_app(Settings(repository=RepositoryKind.MEMORY))
    async with app.test_app():
        client = app.test_client()
        stored = await client.post(
            "/v1/content", data=b"in memory", headers={"Content-Type": "text/plain"}
        )
        assert stored.status_code == 201
        content_id = (await stored.get_json())["content_id"]
        got = await client.get(f"/v1/content/{content_id}")
        assert await got.get_data() == b"in memory"
        made = await client.post("/v1/documents", json={"kind": "prompt", "content_id": content_id})
        assert made.status_code == 201
        ready = await client.get("/readyz")
        assert (await ready.get_json())["database"] == "not used"


async def test_an_absurd_content_type_is_a_4xx_not_a_500():
    app = create_app(Settings(repository=RepositoryKind.MEMORY))
    async with app.test_app():
        response = await app.test_client().post(
            "/v1/content", data=b"x", headers={"Content-Type": "text/plain; x=" + "y" * 300}
        )
        assert response.status_code == 422
        assert response.headers["Content-Type"] == "application/problem+json"
