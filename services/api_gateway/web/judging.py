"""WEB JUDGING's page use cases (pages 7-9): what the judging, judges and admin pages show and
do. Every call to the six services goes through ``gateway.Gateway`` (the gateway's own
``ForwardRequest``: ownership, judge rules, limits); the one exception is how a judge-only
session finds its batch's assessment (``FindAssessment``), which asks cj_assessment with the
gateway's internal identity for the judge's OWN batch only, since the public listing is closed
to judge sessions."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

from service_kit.errors import InvalidInput, NotFound
from services.api_gateway.domain import Forbidden, Principal
from services.api_gateway.protocols_edge import Upstream, UpstreamCall
from services.api_gateway.web.gateway import Answer, Gateway

CJ = "cj_assessment"
ASSESSMENT = "/v1/assessments/<uuid:assessment_id>"
EXCLUDE = "/v1/assessments/<uuid:assessment_id>/judges/<string:judge_id>/exclude"
EMAIL = re.compile(r"^[^@\s]{1,64}@[^@\s]+\.[^@\s]+$")
MAX_HOURS = 720


@dataclass(frozen=True, slots=True)
class Progress:
    done: int
    target: int
    mine: int


@dataclass(frozen=True, slots=True)
class JudgingView:
    batch_id: str
    assessment_id: str | None
    status: str | None  # the assessment's, or None without one
    progress: Progress | None


@dataclass(frozen=True, slots=True)
class JudgeLine:
    judge_id: str
    judgements: int
    infit: float | None
    outfit: float | None
    position_bias: float | None
    misfit: bool
    excluded: bool
    you: bool


@dataclass(frozen=True, slots=True)
class JudgesView:
    batch_id: str
    assessment_id: str | None
    judges: list[JudgeLine] = field(default_factory=list)
    position_bias: float | None = None
    excluded: int = 0


def target_of(assessment: dict[str, Any]) -> int:
    """About how many comparisons the assessment will ask for at most: every essay at its
    maximum (n·max/2), the budget cj_assessment stops at."""
    settings = assessment.get("settings") or {}
    essays = int(assessment.get("essays") or 0)
    return max(1, essays * int(settings.get("max_comparisons_per_essay") or 0) // 2)


def progress_of(assessment: dict[str, Any], judge_id: str) -> Progress:
    judges = (assessment.get("report") or {}).get("judges") or []
    mine = sum(int(j.get("judgements") or 0) for j in judges if j.get("judge_id") == judge_id)
    return Progress(int(assessment.get("comparisons") or 0), target_of(assessment), mine)


def _pick(items: list[dict[str, Any]]) -> dict[str, Any] | None:
    """The batch's assessment judged by people: the newest running one, else the newest."""
    human = [a for a in items if a.get("judge") == "human"]
    running = [a for a in human if a.get("status") in ("preparing", "running")]
    chosen = running or human
    return chosen[-1] if chosen else None


class FindAssessment:
    """The human-judged assessment of a batch the principal may judge: the teacher's own batch
    (through the gateway's ownership check), or a judge session's one batch."""

    def __init__(self, gateway: Gateway, upstream: Upstream) -> None:
        self._gateway = gateway
        self._upstream = upstream

    async def execute(self, batch_id: str) -> dict[str, Any] | None:
        principal = self._gateway.principal
        if principal.kind == "judge":
            if principal.judge_batch_id != batch_id:
                raise NotFound(f"no batch {batch_id}")
            items = await self._list_for_judge(principal, batch_id)
        else:
            await self._gateway.call("GET", "/v1/batches/<batch_id>", batch_id=batch_id)
            answer = await self._gateway.call(
                "GET", "/v1/assessments", query=[("batch_id", batch_id)]
            )
            items = (answer.json() or {}).get("items") or [] if answer.ok else []
        chosen = _pick(items)
        if chosen is None:
            return None
        full = await self._gateway.call("GET", ASSESSMENT, assessment_id=chosen["assessment_id"])
        return full.json() if full.ok else None

    async def _list_for_judge(self, principal: Principal, batch_id: str) -> list[dict[str, Any]]:
        answer = await self._upstream.open(
            UpstreamCall(
                service=CJ,
                method="GET",
                path="/v1/assessments",
                query=[("batch_id", batch_id)],
                headers={},
                user_id=str(principal.id),
            )
        )
        if answer.status != 200:
            await answer.read()
            return []
        found = Answer(answer.status, await answer.read()).json() or {}
        return list(found.get("items") or [])


class ShowJudging:
    def __init__(self, find: FindAssessment) -> None:
        self._find = find

    async def execute(self, principal: Principal, batch_id: str) -> JudgingView:
        assessment = await self._find.execute(batch_id)
        if assessment is None:
            return JudgingView(batch_id, None, None, None)
        return JudgingView(
            batch_id,
            str(assessment["assessment_id"]),
            str(assessment.get("status")),
            progress_of(assessment, str(principal.id)),
        )


def pair_payload(answer: Answer) -> dict[str, Any]:
    """What the judging script gets: the two texts and the pair id, never an essay's score,
    id or anyone else's choice."""
    if answer.status == 200:
        pair = answer.json() or {}
        return {
            "state": "pair",
            "pair_id": pair.get("pair_id"),
            "a": (pair.get("essay_a") or {}).get("text", ""),
            "b": (pair.get("essay_b") or {}).get("text", ""),
        }
    if answer.status == 204 and "retry-after" not in {k.lower() for k in answer.headers}:
        return {"state": "done"}
    if answer.status in (204, 409):
        retry = {k.lower(): v for k, v in answer.headers.items()}.get("retry-after", "2")
        state = "wait" if answer.status == 204 else "preparing"
        return {"state": state, "retry_after": int(retry) if retry.isdigit() else 2}
    return {"state": "error", "status": answer.status}


class NextPair:
    def __init__(self, gateway: Gateway) -> None:
        self._gateway = gateway

    async def execute(self, assessment_id: str) -> dict[str, Any]:
        answer = await self._gateway.call(
            "GET", f"{ASSESSMENT}/next-pair", assessment_id=assessment_id
        )
        return pair_payload(answer)


class Choose:
    """Record the judge's verdict (the gateway sets judge_id to the principal) and hand back
    the next pair in the same answer: one round trip from choice to the next pair. Sending the
    same verdict twice records it once (cj_assessment answers 200 the second time)."""

    def __init__(self, gateway: Gateway) -> None:
        self._gateway = gateway

    async def execute(self, assessment_id: str, pair_id: str, winner: str) -> dict[str, Any]:
        if winner not in ("a", "b"):
            raise InvalidInput("winner is 'a' or 'b'", field="winner")
        recorded = await self._gateway.call(
            "POST",
            f"{ASSESSMENT}/judgements",
            assessment_id=assessment_id,
            json_body={"pair_id": pair_id, "winner": winner},
        )
        if not recorded.ok:
            return {"recorded": False, "status": recorded.status}
        nxt = await NextPair(self._gateway).execute(assessment_id)
        return {"recorded": True, "created": recorded.status == 201, "next": nxt}


class ShowJudges:
    def __init__(self, find: FindAssessment) -> None:
        self._find = find

    async def execute(self, principal: Principal, batch_id: str) -> JudgesView:
        if principal.kind != "user":
            raise Forbidden("a judge session can only judge its assessment")
        assessment = await self._find.execute(batch_id)
        if assessment is None:
            return JudgesView(batch_id, None)
        report = assessment.get("report") or {}
        lines = [
            JudgeLine(
                judge_id=str(j.get("judge_id")),
                judgements=int(j.get("judgements") or 0),
                infit=j.get("infit"),
                outfit=j.get("outfit"),
                position_bias=j.get("position_bias"),
                misfit=bool(j.get("misfit")),
                excluded=bool(j.get("excluded")),
                you=str(j.get("judge_id")) == str(principal.id),
            )
            for j in report.get("judges") or []
            if j.get("kind", "human") == "human"
        ]
        return JudgesView(
            batch_id,
            str(assessment["assessment_id"]),
            lines,
            report.get("position_bias"),
            len(report.get("excluded_judges") or []),
        )


class ExcludeJudge:
    """Exclude a judge's judgements from the scale (``exclude=True``) or take that back, through
    cj_assessment's exclude route forwarded by the gateway. Returns the service's status: 404
    when the service does not have the route (the page says so)."""

    def __init__(self, gateway: Gateway) -> None:
        self._gateway = gateway

    async def execute(self, assessment_id: str, judge_id: str, *, exclude: bool) -> int:
        answer = await self._gateway.call(
            "POST" if exclude else "DELETE",
            EXCLUDE,
            assessment_id=assessment_id,
            judge_id=judge_id,
        )
        return answer.status


def check_invitation_form(email: str, hours: str) -> tuple[dict[str, str], float | None]:
    """Field -> message key of what is wrong, and the hours when they are right."""
    errors: dict[str, str] = {}
    if email and (len(email) > 254 or not EMAIL.match(email)):
        errors["email"] = "judges.email_invalid"
    value: float | None = None
    if hours:
        if not hours.isdigit() or not 1 <= int(hours) <= MAX_HOURS:
            errors["hours"] = "judges.hours_invalid"
        else:
            value = float(hours)
    return errors, value
