"""The fit: judgements in, an Estimate out (the scale, its reliability, judge quality and,
with anchors, grades). Pure functions over essay ids and judgements; no storage, no I/O.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import numpy as np

from services.cj_assessment.method import scale
from services.cj_assessment.method.grading import project_grades
from services.cj_assessment.method.judge_quality import judge_fit, position_bias

RELIABILITY_METHOD = "posterior"


@dataclass(frozen=True)
class Judgement:
    """One answered comparison; positions matter (A was shown first)."""

    essay_a: str
    essay_b: str
    winner: str  # essay_a or essay_b
    judge_id: str


@dataclass(frozen=True)
class RankedEssay:
    essay_id: str
    score: float
    se: float
    rank: int
    comparisons: int
    grade: str | None = None
    grade_probabilities: dict[str, float] | None = None


@dataclass(frozen=True)
class JudgeReport:
    judge_id: str
    judgements: int
    infit: float | None
    outfit: float | None


@dataclass(frozen=True)
class Estimate:
    ranking: list[RankedEssay]  # rank 1 = best
    reliability: float | None  # see RELIABILITY_METHOD; None while there are too few data
    reliability_method: str  # which estimate `reliability` is
    ssr: float | None  # raw scale separation reliability (optimistic under adaptive pairing)
    comparisons: int
    judges: list[JudgeReport]
    position_bias: float | None  # logit advantage of the essay shown first
    position_bias_se: float | None = None
    ability_variance: float | None = None  # estimated spread of the essays (logits^2)


@dataclass(frozen=True)
class Indexed:
    a: np.ndarray
    b: np.ndarray
    a_won: np.ndarray
    judges: list[str]

    @property
    def winners(self) -> np.ndarray:
        return np.where(self.a_won, self.a, self.b)

    @property
    def losers(self) -> np.ndarray:
        return np.where(self.a_won, self.b, self.a)


def index(position: Mapping[str, int], judgements: Sequence[Judgement]) -> Indexed:
    a, b, a_won = [], [], []
    for judgement in judgements:
        if judgement.essay_a == judgement.essay_b:
            raise ValueError(f"an essay compared with itself: {judgement.essay_a}")
        if judgement.winner not in (judgement.essay_a, judgement.essay_b):
            raise ValueError(f"the winner {judgement.winner} is neither essay of the pair")
        try:
            a.append(position[judgement.essay_a])
            b.append(position[judgement.essay_b])
        except KeyError as missing:
            raise ValueError(f"a judgement names an unknown essay: {missing.args[0]}") from None
        a_won.append(judgement.winner == judgement.essay_a)
    return Indexed(
        np.asarray(a, dtype=np.int64),
        np.asarray(b, dtype=np.int64),
        np.asarray(a_won, dtype=bool),
        [j.judge_id for j in judgements],
    )


def positions(essay_ids: Sequence[str]) -> dict[str, int]:
    position = {essay_id: k for k, essay_id in enumerate(essay_ids)}
    if len(position) != len(essay_ids):
        raise ValueError("the essay ids repeat")
    return position


def estimate(
    essay_ids: Sequence[str],
    judgements: Sequence[Judgement],
    anchors: Mapping[str, str] | None = None,
    grade_scale: Sequence[str] | None = None,
    *,
    previous: Estimate | None = None,
) -> Estimate:
    """The scale, its reliability, judge quality and (with anchors) grades.

    `previous`, the estimate before the latest judgements, only makes this faster: the
    spread of abilities is searched for near the previous one.
    """
    position = positions(essay_ids)
    n = len(essay_ids)
    data = index(position, judgements)
    winners, losers = data.winners, data.losers
    layout = scale.Layout.of(n, winners, losers, scale.RIDGE, None)
    start = _previous_scores(previous, position)
    if n >= 3 and len(judgements) >= n:
        # The near-ML fit serves the raw SSR (reported for comparison) and the first guess.
        raw = scale.fit_scores(n, winners, losers, start=start, layout=layout)
        raw_variance = scale.mean_variance(n, winners, losers, raw, layout=layout)
        ssr = scale.scale_separation_reliability(raw, raw_variance)
        # Shrink towards the spread the judgements show: the posterior is honest about its
        # own uncertainty however adaptively the pairs were chosen; the near-ML fit is not.
        hint = previous.ability_variance if previous is not None else None
        variance = scale.ability_variance(n, winners, losers, raw, hint, layout=layout)
        shrunk = raw * min(1.0, variance / max(float(np.var(raw)), 1e-9))
        fitted = scale.fit(n, winners, losers, ridge=1.0 / variance, start=shrunk, layout=layout)
        reliability: float | None = scale.posterior_reliability(fitted.se**2, variance)
    else:
        fitted = scale.fit(n, winners, losers, start=start, layout=layout)
        ssr = (
            scale.scale_separation_reliability(fitted.scores, float(np.mean(fitted.se**2)))
            if judgements
            else None
        )
        reliability, variance = None, None
    bias = position_bias(fitted.scores, data.a, data.b, data.a_won)
    exposure = np.bincount(data.a, minlength=n) + np.bincount(data.b, minlength=n)
    scores = {e: float(fitted.scores[k]) for e, k in position.items()}
    ses = {e: float(fitted.se[k]) for e, k in position.items()}
    grades = project_grades(scores, ses, anchors, grade_scale)
    order = sorted(range(n), key=lambda k: (-fitted.scores[k], k))
    ranking = [
        RankedEssay(
            essay_id=essay_ids[k],
            score=float(fitted.scores[k]),
            se=float(fitted.se[k]),
            rank=rank,
            comparisons=int(exposure[k]),
            grade=grades[essay_ids[k]].grade if grades else None,
            grade_probabilities=grades[essay_ids[k]].probabilities if grades else None,
        )
        for rank, k in enumerate(order, start=1)
    ]
    return Estimate(
        ranking=ranking,
        reliability=reliability,
        reliability_method=RELIABILITY_METHOD,
        ssr=ssr,
        comparisons=len(judgements),
        judges=_judge_reports(fitted.scores, data, bias.logit if bias else 0.0),
        position_bias=bias.logit if bias else None,
        position_bias_se=bias.se if bias else None,
        ability_variance=variance,
    )


def _previous_scores(previous: Estimate | None, position: Mapping[str, int]) -> np.ndarray | None:
    if previous is None:
        return None
    scores = np.zeros(len(position))
    for ranked in previous.ranking:
        if ranked.essay_id in position:
            scores[position[ranked.essay_id]] = ranked.score
    return scores - scores.mean()


def _judge_reports(scores: np.ndarray, data: Indexed, bias: float) -> list[JudgeReport]:
    by_judge: dict[str, list[int]] = {}
    for k, judge_id in enumerate(data.judges):
        by_judge.setdefault(judge_id, []).append(k)
    reports = []
    for judge_id in sorted(by_judge):
        rows = np.asarray(by_judge[judge_id], dtype=np.int64)
        quality = judge_fit(scores, data.a[rows], data.b[rows], data.a_won[rows], bias)
        reports.append(JudgeReport(judge_id, quality.judgements, quality.infit, quality.outfit))
    return reports
