"""ForwardRequest against the fake services: ownership, the one 404, the judge rules."""

from __future__ import annotations

import json
import uuid

import pytest

from service_kit.errors import InvalidInput, NotFound
from services.api_gateway.domain import Forbidden, Principal
from services.api_gateway.forwarding import ROUTES, Owned, Route
from services.api_gateway.ownership import OwnershipResolver
from services.api_gateway.tests.edge_fakes import FakeServices, judge, user
from services.api_gateway.use_cases.forwarding import (
    BadRequest,
    ForwardRequest,
    ForwardRequestCommand,
)


def route(method: str, rule: str) -> Route:
    return next(r for r in ROUTES if r.method == method and r.rule == rule)


def make() -> tuple[FakeServices, ForwardRequest, OwnershipResolver]:
    services = FakeServices()
    upstream = services.upstream()
    ownership = OwnershipResolver(upstream, 1000)
    return services, ForwardRequest(ownership, upstream), ownership


def params_for(r: Route, ids: dict[str, str]) -> dict[str, object]:
    found: dict[str, object] = {}
    for name in ("batch_id", "file_id", "essay_id", "assessment_id", "document_id", "job_id"):
        if f"{name}>" in r.rule:
            value = ids[name.removesuffix("_id")]
            found[name] = value if name == "batch_id" else uuid.UUID(value)
    if "<phase>" in r.rule:
        found["phase"] = "spellcheck"
    return found


def command(
    p: Principal, r: Route, ids: dict[str, str], body: bytes | None = None
) -> ForwardRequestCommand:
    query = [("batch_id", ids["batch"])] if r.owned is Owned.QUERY_BATCH else []
    if body is None and r.judge.value == "body":
        body = json.dumps({"pair_id": str(uuid.uuid4()), "winner": "a"}).encode()
    return ForwardRequestCommand(p, r, params_for(r, ids), query, {}, body)


OWNED = [r for r in ROUTES if r.owned is not Owned.NONE]


@pytest.mark.parametrize("r", OWNED, ids=lambda r: f"{r.method} {r.rule}")
async def test_the_owner_is_forwarded_with_the_verified_user(r: Route) -> None:
    services, forward, _ = make()
    teacher = user()
    ids = services.add_batch(teacher.id)
    answer = await forward.execute(command(teacher, r, ids))
    assert answer.status < 300
    sent = services.forwarded()[-1]
    assert sent.headers["x-user-id"] == str(teacher.id)
    assert sent.method == r.method


@pytest.mark.parametrize("r", OWNED, ids=lambda r: f"{r.method} {r.rule}")
async def test_a_stranger_gets_the_404_of_a_missing_id(r: Route) -> None:
    services, forward, _ = make()
    owner, stranger = user(), user()
    ids = services.add_batch(owner.id)
    with pytest.raises(NotFound) as theirs:
        await forward.execute(command(stranger, r, ids))
    missing = {k: (uuid.uuid4().hex if k == "batch" else str(uuid.uuid4())) for k in ids}
    with pytest.raises(NotFound) as nothing:
        await forward.execute(command(owner, r, missing))
    assert services.forwarded() == []  # neither reached a service
    # same words, only the id differs
    assert theirs.value.detail.rsplit(" ", 1)[0] == nothing.value.detail.rsplit(" ", 1)[0]


async def test_a_batch_created_through_the_gateway_is_recorded_as_the_principals() -> None:
    services, forward, ownership = make()
    teacher = user()
    r = route("POST", "/v1/batches")
    answer = await forward.execute(ForwardRequestCommand(teacher, r, {}, [], {}, b"{}"))
    batch_id = json.loads(await answer.read())["batch_id"]
    services.batches.clear()  # the orchestrator is no longer asked
    assert await ownership.owns_batch(teacher, batch_id)


async def test_ownership_learnt_from_the_orchestrator_is_cached() -> None:
    services, _, ownership = make()
    teacher = user()
    ids = services.add_batch(teacher.id)
    assert await ownership.owns(teacher.id, ids["batch"])
    assert not await ownership.owns_batch(user(), ids["batch"])
    assert await ownership.batch_of(Owned.FILE, ids["file"]) == ids["batch"]
    looked_up = len(services.seen)
    services.down = True  # cached: no service is needed any more
    assert await ownership.batch_of(Owned.FILE, ids["file"]) == ids["batch"]
    assert await ownership.owns(teacher.id, ids["batch"])
    assert len(services.seen) == looked_up


async def test_a_batch_owned_by_a_non_gateway_user_belongs_to_nobody() -> None:
    services, forward, _ = make()
    ids = services.add_batch("legacy-teacher")
    with pytest.raises(NotFound):
        await forward.execute(command(user(), route("GET", "/v1/batches/<batch_id>"), ids))


async def test_listing_batches_ignores_the_clients_owner_parameter() -> None:
    services, forward, _ = make()
    teacher = user()
    r = route("GET", "/v1/batches")
    await forward.execute(
        ForwardRequestCommand(teacher, r, {}, [("owner", "x"), ("limit", "5")], {})
    )
    sent = services.forwarded()[-1]
    assert "owner" not in sent.url.params and sent.url.params["limit"] == "5"


async def test_a_listing_by_batch_needs_one_owned_batch() -> None:
    services, forward, _ = make()
    teacher = user()
    r = route("GET", "/v1/assessments")
    with pytest.raises(InvalidInput):
        await forward.execute(ForwardRequestCommand(teacher, r, {}, [], {}))
    ids = services.add_batch(teacher.id)
    twice = [("batch_id", ids["batch"]), ("batch_id", uuid.uuid4().hex)]
    with pytest.raises(InvalidInput):
        await forward.execute(ForwardRequestCommand(teacher, r, {}, twice, {}))


async def test_judge_id_is_the_principal_whatever_the_client_sends() -> None:
    services, forward, _ = make()
    teacher = user()
    ids = services.add_batch(teacher.id)
    pair = route("GET", "/v1/assessments/<uuid:assessment_id>/next-pair")
    c = command(teacher, pair, ids)
    c = ForwardRequestCommand(c.principal, c.route, c.params, [("judge_id", "mallory")], {})
    answer = await forward.execute(c)
    assert json.loads(await answer.read())["judge_id"] == str(teacher.id)
    judgements = route("POST", "/v1/assessments/<uuid:assessment_id>/judgements")
    body = json.dumps({"pair_id": str(uuid.uuid4()), "judge_id": "mallory", "winner": "b"})
    answer = await forward.execute(command(teacher, judgements, ids, body.encode()))
    received = json.loads(await answer.read())["received"]
    assert received["judge_id"] == str(teacher.id) and received["winner"] == "b"


@pytest.mark.parametrize("body", [b"", b"not json", b"[1, 2]", b"\xff\xfe"])
async def test_a_judgement_that_is_no_json_object_is_refused(body: bytes) -> None:
    services, forward, _ = make()
    teacher = user()
    ids = services.add_batch(teacher.id)
    judgements = route("POST", "/v1/assessments/<uuid:assessment_id>/judgements")
    with pytest.raises(BadRequest):
        await forward.execute(command(teacher, judgements, ids, body))


async def test_a_judge_judges_its_batchs_assessment_and_nothing_else() -> None:
    services, forward, _ = make()
    teacher = user()
    mine, other = services.add_batch(teacher.id), services.add_batch(teacher.id)
    j = judge(mine["batch"])
    for rule in (
        "/v1/assessments/<uuid:assessment_id>",
        "/v1/assessments/<uuid:assessment_id>/next-pair",
    ):
        answer = await forward.execute(command(j, route("GET", rule), mine))
        assert answer.status == 200
        with pytest.raises(NotFound):
            await forward.execute(command(j, route("GET", rule), other))
    judgements = route("POST", "/v1/assessments/<uuid:assessment_id>/judgements")
    answer = await forward.execute(command(j, judgements, mine))
    assert json.loads(await answer.read())["received"]["judge_id"] == str(j.id)
    for r in ROUTES:
        if not r.judge_may:
            with pytest.raises(Forbidden):
                await forward.execute(command(j, r, mine))


async def test_an_assessment_outside_any_batch_belongs_to_nobody() -> None:
    services, forward, _ = make()
    teacher = user()
    ids = services.add_batch(teacher.id)
    services.assessments[ids["assessment"]] = None
    with pytest.raises(NotFound):
        await forward.execute(
            command(teacher, route("GET", "/v1/assessments/<uuid:assessment_id>"), ids)
        )
