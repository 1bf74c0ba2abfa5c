"""Judges who differ: discrimination per judge in the fit only when the data show it, the
uncertainty of the fit statistics, and an erratic judge found and weighted out."""

import numpy as np
import pytest

from services.cj_assessment.method import Judgement, estimate
from services.cj_assessment.method.judge_quality import discrimination, judge_fit

N = 60


def _design(count: int, seed: int) -> tuple[np.ndarray, np.ndarray, np.random.Generator]:
    rng = np.random.default_rng(seed)
    a = rng.integers(0, N, count)
    b = (a + rng.integers(1, N, count)) % N
    return a.astype(np.int64), b.astype(np.int64), rng


def test_the_standard_errors_of_infit_and_outfit_match_their_spread_under_the_model() -> None:
    truth = np.random.default_rng(1).normal(0, 2, N)
    a, b, rng = _design(100, 2)
    p = 1 / (1 + np.exp(truth[b] - truth[a]))
    fits = [judge_fit(truth, a, b, rng.random(len(a)) < p) for _ in range(400)]
    infits = [f.infit for f in fits if f.infit is not None]
    outfits = [f.outfit for f in fits if f.outfit is not None]
    assert fits[0].infit_se == pytest.approx(float(np.std(infits)), rel=0.2)
    assert fits[0].outfit_se == pytest.approx(float(np.std(outfits)), rel=0.35)
    flagged = [f.misfit_z for f in fits if f.misfit_z is not None and f.misfit_z > 3]
    assert len(flagged) <= 8  # a judge who follows the model is rarely far above 1


def test_discrimination_is_recovered_and_a_coin_tosser_gets_none() -> None:
    rng = np.random.default_rng(3)
    margin = rng.normal(0, 2.5, 400)
    half = rng.random(400) < 1 / (1 + np.exp(-0.5 * margin))
    # as winner minus loser: positive where the first essay won
    found = discrimination(np.where(half, margin, -margin))
    assert found.value == pytest.approx(0.5, abs=0.12)
    assert found.se < 0.1
    coin = rng.random(400) < 0.5
    assert discrimination(np.where(coin, margin, -margin)).value < 0.15


def _judgements(
    truth: np.ndarray, slopes: list[float], per_essay: int, seed: int
) -> list[Judgement]:
    rng = np.random.default_rng(seed)
    out = []
    for k in range(N * per_essay // 2):
        i = k % N
        j = int((i + rng.integers(1, N)) % N)
        judge = k % len(slopes)
        p = 1 / (1 + np.exp(-slopes[judge] * (truth[i] - truth[j])))
        won = i if rng.random() < p else j
        out.append(Judgement(f"e{i}", f"e{j}", f"e{won}", f"judge-{judge}"))
    return out


def _spearman(truth: np.ndarray, result) -> float:
    scores = {r.essay_id: r.score for r in result.ranking}
    fitted = np.array([scores[f"e{k}"] for k in range(N)])
    ranks = np.argsort(np.argsort(fitted)), np.argsort(np.argsort(truth))
    return float(np.corrcoef(*ranks)[0, 1])


def test_judges_alike_fit_exactly_as_one_judge_would() -> None:
    truth = np.random.default_rng(4).normal(0, 2, N)
    ids = [f"e{k}" for k in range(N)]
    data = _judgements(truth, [1.0] * 5, 12, 5)
    as_five = estimate(ids, data)
    as_one = estimate(ids, [Judgement(j.essay_a, j.essay_b, j.winner, "one") for j in data])
    assert as_five.reliability == pytest.approx(as_one.reliability, abs=1e-12)
    assert [r.essay_id for r in as_five.ranking] == [r.essay_id for r in as_one.ranking]
    assert not any(j.misfit for j in as_five.judges)


def test_an_erratic_judge_is_weighted_out_and_flagged() -> None:
    truth = np.random.default_rng(6).normal(0, 2, N)
    ids = [f"e{k}" for k in range(N)]
    data = _judgements(truth, [1.0, 1.0, 1.0, 1.0, 0.0], 12, 7)
    weighted = estimate(ids, data)
    alike = estimate(ids, [Judgement(j.essay_a, j.essay_b, j.winner, "one") for j in data])
    reports = {j.judge_id: j for j in weighted.judges}
    erratic = reports["judge-4"]
    assert erratic.discrimination is not None and erratic.discrimination < 0.25
    assert erratic.misfit
    assert not any(reports[f"judge-{k}"].misfit for k in range(4))
    worst = max(weighted.judges, key=lambda j: j.infit or 0.0)
    assert worst.judge_id == "judge-4"
    assert _spearman(truth, weighted) > _spearman(truth, alike)
    assert erratic.infit_se is not None and erratic.position_bias_se is not None


def test_a_weak_judge_is_a_misfit_even_when_the_scale_no_longer_follows_them() -> None:
    from services.cj_assessment.method.judge_quality import Discrimination, weak

    assert weak(Discrimination(0.05, 0.12))
    assert not weak(Discrimination(0.7, 0.15))
    assert not weak(None)
