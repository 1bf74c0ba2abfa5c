"""The queue of pairs chosen ahead for people (runs/pair_queue.py), on the in-memory
repository: filled by the first hand-out and by every fit, claimed in order, never a pair
someone holds, never a pair the judge has seen, lapsed pairs first."""

from __future__ import annotations

from services.cj_assessment.domain import pair_key
from services.cj_assessment.repository_memory_impl import MemoryAssessmentStore
from services.cj_assessment.tests.unit.helpers import create, human, next_pair, record
from services.cj_assessment.use_cases import HandedPair


def _queued(store: MemoryAssessmentStore) -> dict[int, list[tuple[str, str, bool]]]:
    generations: dict[int, list[tuple[str, str, bool]]] = {}
    for (_, generation, _), row in sorted(store.queue.items()):
        generations.setdefault(generation, []).append(row)
    return generations


async def test_the_first_hand_out_queues_a_round_and_the_next_judges_claim_from_it(uow, store):
    view, _ = await create(uow, human(10, max_comparisons_per_essay=6))
    aid = view.assessment.id
    first = await next_pair(uow, aid, "j1")
    assert isinstance(first, HandedPair)
    [(generation, rows)] = _queued(store).items()
    assert len(rows) == 4  # a round of 5 pairs for 10 essays, one leased to j1
    assert not any(claimed for *_, claimed in rows)
    second = await next_pair(uow, aid, "j2")
    assert isinstance(second, HandedPair)
    claimed = [(a, b) for a, b, was in _queued(store)[generation] if was]
    assert claimed == [(second.essay_a.essay_id, second.essay_b.essay_id)]


async def test_a_queued_pair_someone_holds_is_skipped(uow, store):
    view, _ = await create(uow, human(10, max_comparisons_per_essay=6))
    aid = view.assessment.id
    first = await next_pair(uow, aid, "j1")
    assert isinstance(first, HandedPair)
    held = (first.essay_a.essay_id, first.essay_b.essay_id)
    # a newer generation chosen while j1 was taking the pair still lists it, first
    rows = _queued(store)[1]
    await uow.assessments.queue_pairs(aid, [held] + [(a, b) for a, b, _ in rows])
    second = await next_pair(uow, aid, "j2")
    assert isinstance(second, HandedPair)
    assert pair_key(second.essay_a.essay_id, second.essay_b.essay_id) != pair_key(*held)
    assert store.queue[(aid, 2, 0)][2]  # claimed, refused, and not offered again


async def test_a_fit_queues_the_next_round_and_old_generations_are_dropped(uow, store):
    view, _ = await create(uow, human(10, max_comparisons_per_essay=6))
    aid = view.assessment.id
    for k in range(4):
        pair = await next_pair(uow, aid, f"j{k}")
        assert isinstance(pair, HandedPair)
        await record(uow, aid, pair.pair_id, f"j{k}", "a")
    generations = _queued(store)
    assert max(generations) >= 4  # one per fit after the first hand-out
    assert set(generations) <= {max(generations) - 1, max(generations)}
    newest = generations[max(generations)]
    # the round was chosen with the judged pairs known and the held ones busy
    assert len(newest) == 5 and not any(claimed for *_, claimed in newest)


async def test_a_judge_who_has_seen_every_queued_pair_gets_a_fresh_one(uow, store):
    view, _ = await create(uow, human(4, max_comparisons_per_essay=6))
    aid = view.assessment.id
    first = await next_pair(uow, aid, "j1")
    assert isinstance(first, HandedPair)
    await record(uow, aid, first.pair_id, "j1", "a")
    seen = (first.essay_a.essay_id, first.essay_b.essay_id)
    await uow.assessments.queue_pairs(aid, [seen])  # the only queued pair: j1 judged it
    again = await next_pair(uow, aid, "j1")
    assert isinstance(again, HandedPair)
    assert pair_key(again.essay_a.essay_id, again.essay_b.essay_id) != pair_key(*seen)
