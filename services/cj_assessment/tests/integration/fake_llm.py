"""A fake OpenAI-compatible chat-completions server on loopback, for the LLM judge's tests.

It judges like a (very simple) model: the essay with more words wins. ``script`` lists how
to answer the next requests ("good", "malformed", "not_json", "429", "500", "401", "slow",
"always_b": a broken model that always picks the essay shown second);
once it runs out, ``default`` applies.
"""

from __future__ import annotations

import asyncio
import json
import re
from dataclasses import dataclass, field
from typing import Any

from quart import Quart, Response, request

from service_kit.postgres_server import free_port

ESSAY = re.compile(r"=== Essay ([AB]) ===\n(.*?)\n=== End of essay \1 ===", re.S)


@dataclass
class FakeLlm:
    port: int = field(default_factory=free_port)
    default: str = "good"
    script: list[str] = field(default_factory=list)
    slow_seconds: float = 2.0
    requests: list[dict[str, Any]] = field(default_factory=list)
    authorizations: list[str | None] = field(default_factory=list)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}/v1"

    def app(self) -> Quart:
        app = Quart("fake_llm")

        @app.post("/v1/chat/completions")
        async def complete() -> Response:
            body = await request.get_json()
            self.requests.append(body)
            self.authorizations.append(request.headers.get("Authorization"))
            mode = self.script.pop(0) if self.script else self.default
            if mode == "slow":
                await asyncio.sleep(self.slow_seconds)
                mode = "good"
            if mode in ("429", "500", "401"):
                headers = {"Retry-After": "0"} if mode == "429" else {}
                return Response('{"error": {"message": "no"}}', int(mode), headers=headers)
            if mode == "not_json":
                return Response("<html>gateway hiccup</html>", 200, content_type="text/html")
            if mode == "always_b":  # a broken model: always the essay shown second
                content = json.dumps({"winner": "B", "confidence": 0.9, "justification": "B."})
            else:
                content = self._verdict(body) if mode == "good" else "I prefer the first one."
            answer = {
                "id": "chatcmpl-fake",
                "object": "chat.completion",
                "model": body.get("model"),
                "choices": [
                    {
                        "index": 0,
                        "message": {"role": "assistant", "content": content},
                        "finish_reason": "stop",
                    }
                ],
            }
            return Response(json.dumps(answer), 200, content_type="application/json")

        return app

    @staticmethod
    def _verdict(body: dict[str, Any]) -> str:
        user = body["messages"][-1]["content"]
        texts = dict(ESSAY.findall(user))
        longer_a = len(texts.get("A", "").split()) >= len(texts.get("B", "").split())
        return json.dumps(
            {
                "winner": "A" if longer_a else "B",
                "confidence": 0.75,
                "justification": "It develops its point further.",
            }
        )
