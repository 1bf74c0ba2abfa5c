from collections import Counter
from itertools import combinations

import numpy as np

from services.cj_assessment.method import Judgement, choose_pairs, estimate

ESSAYS = [f"e{k}" for k in range(10)]


def _judge_all(pairs: list[tuple[str, str]], judge: str = "j") -> list[Judgement]:
    # The alphabetically smaller id wins: a consistent, deterministic judge.
    return [Judgement(a, b, min(a, b), judge) for a, b in pairs]


def test_every_essay_is_compared_once_before_any_twice() -> None:
    pairs = choose_pairs(ESSAYS, [], None, 5, seed=1)
    seen = Counter(e for pair in pairs for e in pair)
    assert len(pairs) == 5 and set(seen) == set(ESSAYS) and set(seen.values()) == {1}


def test_least_exposed_essays_come_first() -> None:
    history = _judge_all([("e0", "e1"), ("e2", "e3"), ("e0", "e2"), ("e1", "e3")])
    pairs = choose_pairs(ESSAYS, history, estimate(ESSAYS, history), 3, seed=2)
    fresh = {f"e{k}" for k in range(4, 10)}
    assert all(set(pair) <= fresh for pair in pairs)


def test_no_pair_repeats_until_every_partner_was_used() -> None:
    essays = ESSAYS[:5]
    judgements: list[Judgement] = []
    for round_number in range(2):  # 10 distinct pairs among 5 essays: 2 rounds of 5
        for _ in range(5):
            result = estimate(essays, judgements)
            pair = choose_pairs(essays, judgements, result, 1, seed=round_number)[0]
            judgements += _judge_all([pair])
    judged = Counter(frozenset((j.essay_a, j.essay_b)) for j in judgements)
    assert len(judged) == 10 and set(judged.values()) == {1}
    # Now every pair was judged once; repeats are allowed again rather than stalling.
    assert len(choose_pairs(essays, judgements, estimate(essays, judgements), 2, seed=0)) == 2


def test_busy_pairs_are_never_handed_out() -> None:
    essays = ESSAYS[:4]
    busy = [frozenset(p) for p in combinations(essays, 2) if p != ("e0", "e1")]
    for seed in range(10):
        pairs = choose_pairs(essays, [], None, 3, busy=busy, seed=seed)
        assert [frozenset(p) for p in pairs] == [frozenset({"e0", "e1"})]


def test_a_judge_never_gets_a_pair_they_already_judged() -> None:
    essays = ESSAYS[:4]
    mine = _judge_all([("e0", "e1"), ("e2", "e3"), ("e3", "e1")], judge="alice")
    theirs = _judge_all([("e0", "e2")], judge="bob")
    history = mine + theirs
    result = estimate(essays, history)
    offered = choose_pairs(essays, history, result, 6, judge_id="alice", seed=5)
    assert {frozenset(p) for p in offered} == {
        frozenset(p) for p in [("e0", "e2"), ("e0", "e3"), ("e1", "e2")]
    }


def test_positions_stay_balanced_per_essay() -> None:
    judgements: list[Judgement] = []
    result = None
    for round_number in range(8):
        pairs = choose_pairs(ESSAYS, judgements, result, 5, seed=round_number)
        judgements += _judge_all(pairs)
        result = estimate(ESSAYS, judgements)
    shown_first = Counter(j.essay_a for j in judgements)
    shown_second = Counter(j.essay_b for j in judgements)
    for essay in ESSAYS:
        assert abs(shown_first[essay] - shown_second[essay]) <= 2


def test_informative_pairs_are_preferred_once_exposure_is_even() -> None:
    # Two clear groups; after everyone has the same exposure, pairs within a group (close
    # scores) should dominate over lopsided pairs across groups.
    rng = np.random.default_rng(0)
    essays = [f"e{k}" for k in range(40)]
    truth = {e: (3.0 if k < 20 else -3.0) + rng.normal(0, 0.3) for k, e in enumerate(essays)}
    judgements: list[Judgement] = []
    result = None
    for round_number in range(10):
        pairs = choose_pairs(essays, judgements, result, 20, seed=round_number)
        for a, b in pairs:
            p = 1 / (1 + np.exp(truth[b] - truth[a]))
            judgements.append(Judgement(a, b, a if rng.random() < p else b, "j"))
        result = estimate(essays, judgements)
    late = judgements[-60:]
    same_group = sum(1 for j in late if (truth[j.essay_a] > 0) == (truth[j.essay_b] > 0))
    assert same_group / len(late) > 0.7


def test_max_exposure_is_respected() -> None:
    history = _judge_all([("e0", "e1"), ("e0", "e2")])
    pairs = choose_pairs(ESSAYS, history, None, 20, seed=3, max_comparisons_per_essay=2)
    exposure = Counter(e for j in history for e in (j.essay_a, j.essay_b))
    exposure.update(e for pair in pairs for e in pair)
    assert max(exposure.values()) <= 2
