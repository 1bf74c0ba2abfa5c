"""The fit: judgements in, an Estimate out (the scale, its reliability, judge quality and,
with anchors, grades). Pure functions over essay ids and judgements; no storage, no I/O.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import numpy as np
from scipy.stats import chi2

from services.cj_assessment.method import scale
from services.cj_assessment.method.grading import project_grades
from services.cj_assessment.method.judge_quality import (
    MIN_JUDGEMENTS_FOR_DISCRIMINATION,
    Discrimination,
    degenerate,
    discrimination,
    judge_fit,
    position_bias,
    reference_mean_squares,
    weak,
)

RELIABILITY_METHOD = "posterior"
# At most this many alternations of scale and judge weights when the judges differ.
SLOPE_PASSES = 6
# A judge this many standard errors below the median judge's discrimination makes the fit
# weigh the judges (see judge_slopes).
SURELY_WEAKER = 2.0


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
    infit_se: float | None = None
    outfit_se: float | None = None
    # a mean square far above the median judge's (judge_quality.JudgeFit.misfits)
    misfit: bool = False
    discrimination: float | None = None  # relative to the mean judgement's (1)
    discrimination_se: float | None = None
    position_bias: float | None = None  # this judge's logit advantage of the essay shown first
    position_bias_se: float | None = None
    # why this judge's answers carry no information (judge_quality.degenerate), or None
    degenerate: str | None = None


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
    discriminations: dict[str, Discrimination] = {}
    if n >= 3 and len(judgements) >= n:
        # The near-ML fit serves the raw SSR (reported for comparison) and the first guess.
        raw = scale.fit_scores(n, winners, losers, start=start, layout=layout)
        # Judges who discriminate differently (or not at all) are weighted by their
        # discrimination when the data show they differ; otherwise all count alike.
        slope, discriminations = judge_slopes(data, raw)
        if slope is not None:
            # Alternate: the scale with these weights, then the weights on that scale. The
            # first scale was pulled towards the worst judge's answers too, so their weight
            # falls over a few passes (a judge answering at random: about 0.4 -> 0).
            for _ in range(SLOPE_PASSES):
                layout = layout.with_slope(slope)
                raw = scale.fit_scores(n, winners, losers, start=raw, layout=layout, iterations=4)
                updated, discriminations = judge_slopes(data, raw, always=True)
                assert updated is not None
                moved = float(np.max(np.abs(updated - slope)))
                slope = updated
                if moved < 0.02:
                    break
            layout = layout.with_slope(slope)
            raw = scale.fit_scores(n, winners, losers, start=raw, layout=layout)
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
        judges=_judge_reports(fitted.scores, data, bias.logit if bias else 0.0, discriminations),
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


def _rows_by_judge(data: Indexed) -> dict[str, np.ndarray]:
    by_judge: dict[str, list[int]] = {}
    for k, judge_id in enumerate(data.judges):
        by_judge.setdefault(judge_id, []).append(k)
    return {j: np.asarray(rows, dtype=np.int64) for j, rows in sorted(by_judge.items())}


def judge_slopes(
    data: Indexed, scores: np.ndarray, *, always: bool = False
) -> tuple[np.ndarray | None, dict[str, Discrimination]]:
    """Each judgement's judge discrimination, relative to the median judge's, and each
    judge's; None for the slopes when the judges are alike as far as the data show (sum of
    squared standardised deviations from 1 below the 95th percentile of chi-square, and no
    judge SURELY_WEAKER standard errors below 1), unless `always`. Judges with fewer than
    MIN_JUDGEMENTS_FOR_DISCRIMINATION keep 1."""
    rows = _rows_by_judge(data)
    if len(rows) < 2:
        return None, {}
    margin = scores[data.winners] - scores[data.losers]
    found = {
        judge: discrimination(margin[own])
        for judge, own in rows.items()
        if len(own) >= MIN_JUDGEMENTS_FOR_DISCRIMINATION
    }
    if len(found) < 2:
        return None, {}
    # The typical judge is the unit: the median, so that one erratic judge does not shift it.
    typical = float(np.median([d.value for d in found.values()]))
    if typical <= 0:
        return None, {}
    found = {j: Discrimination(d.value / typical, d.se / typical) for j, d in found.items()}
    slope = np.ones(len(margin))
    for judge, value in found.items():
        slope[rows[judge]] = value.value
    deviations = [(d.value - 1.0) / d.se for d in found.values()]
    spread = sum(z**2 for z in deviations)
    # A judge answering at random pulls the first scale towards their answers and can look
    # only moderately weak on it (0.69 +- 0.14 in one simulated run): one judge clearly
    # below the typical one is reason enough to weigh them.
    alike = spread < float(chi2.ppf(0.95, len(found) - 1)) and min(deviations) > -SURELY_WEAKER
    if not always and alike:
        return None, found
    return slope, found


def _judge_reports(
    scores: np.ndarray, data: Indexed, bias: float, discriminations: Mapping[str, Discrimination]
) -> list[JudgeReport]:
    reports = []
    by_judge = _rows_by_judge(data)
    fits = {
        judge_id: judge_fit(scores, data.a[rows], data.b[rows], data.a_won[rows], bias)
        for judge_id, rows in by_judge.items()
    }
    reference = reference_mean_squares(list(fits.values()))
    for judge_id, rows in by_judge.items():
        quality = fits[judge_id]
        own_bias = position_bias(scores, data.a[rows], data.b[rows], data.a_won[rows])
        found = discriminations.get(judge_id)
        a_won = data.a_won[rows]
        agrees = scores[data.winners[rows]] > scores[data.losers[rows]]
        reports.append(
            JudgeReport(
                judge_id,
                quality.judgements,
                quality.infit,
                quality.outfit,
                infit_se=quality.infit_se,
                outfit_se=quality.outfit_se,
                misfit=quality.misfits(*reference) or weak(found),
                discrimination=found.value if found else None,
                discrimination_se=found.se if found else None,
                position_bias=own_bias.logit if own_bias else None,
                position_bias_se=own_bias.se if own_bias else None,
                degenerate=degenerate(a_won, agrees, found),
            )
        )
    return reports
