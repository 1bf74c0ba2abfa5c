import numpy as np
import pytest

from services.cj_assessment.method.judge_quality import judge_fit, position_bias

N = 40


def _comparisons(count: int, seed: int) -> tuple[np.ndarray, np.ndarray, np.random.Generator]:
    rng = np.random.default_rng(seed)
    a = rng.integers(0, N, count)
    b = (a + rng.integers(1, N, count)) % N
    return a.astype(np.int64), b.astype(np.int64), rng


def test_a_judge_who_follows_the_model_fits_near_one() -> None:
    truth = np.random.default_rng(1).normal(0, 2, N)
    a, b, rng = _comparisons(2000, 2)
    p = 1 / (1 + np.exp(truth[b] - truth[a]))
    a_won = rng.random(len(a)) < p
    fitted = judge_fit(truth, a, b, a_won)
    assert fitted.infit == pytest.approx(1.0, abs=0.1)
    assert fitted.outfit == pytest.approx(1.0, abs=0.2)


def test_a_random_judge_fits_badly() -> None:
    truth = np.random.default_rng(1).normal(0, 2, N)
    a, b, rng = _comparisons(2000, 3)
    a_won = rng.random(len(a)) < 0.5
    fitted = judge_fit(truth, a, b, a_won)
    assert fitted.infit is not None and fitted.infit > 1.5
    assert fitted.outfit is not None and fitted.outfit > 2.0


def test_too_few_judgements_give_no_statistics() -> None:
    truth = np.zeros(N)
    a, b, _ = _comparisons(3, 4)
    fitted = judge_fit(truth, a, b, np.ones(3, dtype=bool))
    assert fitted.judgements == 3 and fitted.infit is None and fitted.outfit is None


def test_position_bias_recovers_a_first_shown_advantage() -> None:
    truth = np.random.default_rng(5).normal(0, 1, N)
    a, b, rng = _comparisons(4000, 6)
    p = 1 / (1 + np.exp(-(truth[a] - truth[b] + 0.5)))
    bias = position_bias(truth, a, b, rng.random(len(a)) < p)
    assert bias is not None
    assert bias.logit == pytest.approx(0.5, abs=3 * bias.se)
    assert 0 < bias.se < 0.1


def test_no_judgements_no_bias() -> None:
    empty = np.zeros(0, dtype=np.int64)
    assert position_bias(np.zeros(3), empty, empty, np.zeros(0, dtype=bool)) is None
