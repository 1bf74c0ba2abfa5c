"""The LLM judge: an OpenAI-compatible chat-completions client asking which essay is better.

``POST {base_url}/chat/completions`` with the model, a system prompt built from the
assessment's instructions, the two essays, and ``response_format: {"type": "json_object"}``;
the answer's message content must be JSON ``{"winner": "A"|"B", "confidence": 0..1,
"justification": "..."}``. Timeouts, transport errors, the statuses the platform's one retry
policy retries (5xx, 408, 409, 425, 429) and malformed answers are tried again under that
policy (``service_kit.retry``: exponential backoff with full jitter from
``backoff_base_seconds`` up to ``backoff_max_seconds``, a Retry-After honoured up to
``backoff_max_seconds``, at most ``max_attempts`` tries); when the attempts run out the judge
raises JudgingFailed with every attempt's error, and the run records a failed comparison with
that text. Other 4xx (a wrong key, an unknown model) fail at once.
"""

from __future__ import annotations

import asyncio
import json
from dataclasses import dataclass
from typing import Any

import httpx

from service_kit.retry import Retryable, RetryPolicy, raise_for_retry
from services.cj_assessment.protocols import JudgingFailed, Verdict

DEFAULT_INSTRUCTIONS = (
    "Judge which essay is better overall as a piece of student writing: the quality of its "
    "argument and content, its structure, and its language."
)
SYSTEM_PROMPT = (
    "You are an experienced teacher doing comparative judgement of student essays. "
    "You will be shown two essays, A and B. Decide which one is better according to the "
    "assessment instructions. The order in which they are shown says nothing about their "
    "quality. Answer with a JSON object only: "
    '{"winner": "A" or "B", "confidence": a number from 0 to 1, '
    '"justification": one or two sentences}.'
)
MAX_JUSTIFICATION = 2000


@dataclass(frozen=True)
class LlmSettings:
    base_url: str
    model: str
    api_key: str | None = None
    timeout_seconds: float = 60.0
    max_attempts: int = 4
    backoff_base_seconds: float = 1.0
    backoff_max_seconds: float = 30.0
    concurrency: int = 4
    temperature: float = 0.0


class _Malformed(Exception):
    """An answer that is not a verdict: worth another try (the next sample may be one)."""


def build_messages(instructions: str | None, text_a: str, text_b: str) -> list[dict[str, str]]:
    task = (instructions or "").strip() or DEFAULT_INSTRUCTIONS
    user = (
        f"Assessment instructions:\n{task}\n\n"
        f"=== Essay A ===\n{text_a.strip()}\n=== End of essay A ===\n\n"
        f"=== Essay B ===\n{text_b.strip()}\n=== End of essay B ===\n\n"
        'Which essay is better? Reply with the JSON object {"winner", "confidence", '
        '"justification"} and nothing else.'
    )
    return [{"role": "system", "content": SYSTEM_PROMPT}, {"role": "user", "content": user}]


def parse_verdict(body: Any) -> Verdict:
    """The verdict in a chat-completions answer; ValueError says what is wrong with it."""
    try:
        content = body["choices"][0]["message"]["content"]
    except (KeyError, IndexError, TypeError) as exc:
        raise ValueError("no choices[0].message.content in the answer") from exc
    if not isinstance(content, str):
        raise ValueError("the message content is not text")
    text = content.strip()
    if text.startswith("```"):  # some models fence JSON even when asked not to
        text = text.strip("`").removeprefix("json").strip()
    try:
        answer = json.loads(text)
    except json.JSONDecodeError as exc:
        raise ValueError(f"the message content is not JSON: {content[:200]!r}") from exc
    if not isinstance(answer, dict):
        raise ValueError("the message content is not a JSON object")
    winner = str(answer.get("winner", "")).strip().lower().removeprefix("essay").strip(" _")
    if winner not in ("a", "b"):
        raise ValueError(f"winner must be 'A' or 'B', not {answer.get('winner')!r}")
    confidence = answer.get("confidence")
    if isinstance(confidence, bool) or not isinstance(confidence, int | float):
        confidence = None
    else:
        confidence = min(1.0, max(0.0, float(confidence)))
    justification = answer.get("justification")
    if justification is not None:
        justification = str(justification)[:MAX_JUSTIFICATION]
    return Verdict(winner, confidence, justification)


class LlmJudge:
    def __init__(self, client: httpx.AsyncClient, settings: LlmSettings) -> None:
        self._client = client
        self._settings = settings
        self._url = settings.base_url.rstrip("/") + "/chat/completions"
        self._slots = asyncio.Semaphore(max(1, settings.concurrency))
        self._policy = RetryPolicy(
            max_attempts=max(1, settings.max_attempts),
            base_delay=settings.backoff_base_seconds,
            max_delay=settings.backoff_max_seconds,
            max_retry_after=settings.backoff_max_seconds,
        )

    @property
    def judge_id(self) -> str:
        return f"llm:{self._settings.model}"[:128]

    async def judge(self, instructions: str | None, text_a: str, text_b: str) -> Verdict:
        request = {
            "model": self._settings.model,
            "messages": build_messages(instructions, text_a, text_b),
            "response_format": {"type": "json_object"},
            "temperature": self._settings.temperature,
        }
        errors: list[str] = []
        try:
            async for attempt in self._policy.retrying(_Malformed):
                with attempt:
                    try:
                        async with self._slots:
                            return await self._ask(request)
                    except (Retryable, _Malformed) as trouble:
                        errors.append(f"attempt {attempt.retry_state.attempt_number}: {trouble}")
                        raise
        except (Retryable, _Malformed):
            raise JudgingFailed("; ".join(errors)) from None
        raise AssertionError("the retry policy neither returned nor raised")  # pragma: no cover

    async def _ask(self, request: dict[str, Any]) -> Verdict:
        headers = {}
        if self._settings.api_key:
            headers["Authorization"] = f"Bearer {self._settings.api_key}"
        try:
            response = await self._client.post(
                self._url, json=request, headers=headers, timeout=self._settings.timeout_seconds
            )
        except httpx.TimeoutException as exc:
            raise Retryable(f"timed out ({type(exc).__name__})") from exc
        except httpx.HTTPError as exc:
            raise Retryable(f"{type(exc).__name__}: {exc}") from exc
        raise_for_retry(response, "the LLM")  # Retryable, with the answer's Retry-After
        code = response.status_code
        if code >= 400:
            raise JudgingFailed(f"HTTP {code} (not retried): {response.text[:300]}")
        try:
            return parse_verdict(response.json())
        except ValueError as exc:  # includes a body that is not JSON at all
            raise _Malformed(f"malformed answer: {exc}") from exc
