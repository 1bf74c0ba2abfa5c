"""Grades from anchors: essays of known grade placed on the scale set the grade boundaries.

Each grade's position is the mean score of its anchors; the positions are made monotonic in
the grade order (pool-adjacent-violators, weighted by the number of anchors), grades in the
scale with no anchor are placed by linear interpolation (or extrapolation by the mean step)
in grade order, and each boundary lies halfway between neighbouring grades. An essay's
grade probabilities treat its score as normal around the estimate with its standard error
(plus the uncertainty of the boundary, from the anchors' own standard errors).
Anchors keep the grade they were given.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass


@dataclass(frozen=True)
class GradeProjection:
    grade: str
    probabilities: dict[str, float]


def grade_order(
    anchors: Mapping[str, str],
    scores: Mapping[str, float],
    grade_scale: Sequence[str] | None,
) -> list[str]:
    """The grades from lowest to highest: as given, else by the anchors' mean scores."""
    if grade_scale:
        missing = set(anchors.values()) - set(grade_scale)
        if missing:
            raise ValueError(f"anchor grades not in the grade scale: {sorted(missing)}")
        if len(set(grade_scale)) != len(grade_scale):
            raise ValueError("the grade scale repeats a grade")
        return list(grade_scale)
    means = _grade_means(anchors, scores)
    return sorted(means, key=lambda grade: means[grade][0])


def _grade_means(
    anchors: Mapping[str, str], scores: Mapping[str, float]
) -> dict[str, tuple[float, int]]:
    totals: dict[str, list[float]] = {}
    for essay_id, grade in anchors.items():
        totals.setdefault(grade, []).append(scores[essay_id])
    return {grade: (sum(v) / len(v), len(v)) for grade, v in totals.items()}


def _pool_adjacent_violators(values: list[float], weights: list[float]) -> list[float]:
    """The closest non-decreasing sequence in weighted least squares."""
    blocks: list[list[float]] = []  # [mean, weight, length]
    for value, weight in zip(values, weights, strict=True):
        blocks.append([value, weight, 1])
        while len(blocks) > 1 and blocks[-2][0] > blocks[-1][0]:
            upper = blocks.pop()
            lower = blocks[-1]
            total = lower[1] + upper[1]
            lower[0] = (lower[0] * lower[1] + upper[0] * upper[1]) / total
            lower[1] = total
            lower[2] += upper[2]
    return [mean for mean, _, length in blocks for _ in range(int(length))]


def boundaries(
    anchors: Mapping[str, str], scores: Mapping[str, float], order: Sequence[str]
) -> list[float] | None:
    """Upper boundary of every grade but the highest; None when the anchors cannot place it."""
    means = _grade_means(anchors, scores)
    anchored = [k for k, grade in enumerate(order) if grade in means]
    if len(order) == 1:
        return []
    if len(anchored) < 2:
        return None  # one anchored grade says nothing about the distance to the next
    fitted = _pool_adjacent_violators(
        [means[order[k]][0] for k in anchored], [float(means[order[k]][1]) for k in anchored]
    )
    step = (fitted[-1] - fitted[0]) / (anchored[-1] - anchored[0])
    positions = []
    for k in range(len(order)):
        if k <= anchored[0]:
            positions.append(fitted[0] - step * (anchored[0] - k))
        elif k >= anchored[-1]:
            positions.append(fitted[-1] + step * (k - anchored[-1]))
        else:
            upper = next(u for u in range(len(anchored)) if anchored[u] >= k)
            k0, k1 = anchored[upper - 1], anchored[upper]
            share = (k - k0) / (k1 - k0)
            positions.append(fitted[upper - 1] + share * (fitted[upper] - fitted[upper - 1]))
    return [(positions[k] + positions[k + 1]) / 2 for k in range(len(order) - 1)]


def _normal_cdf(x: float) -> float:
    return 0.5 * (1.0 + math.erf(x / math.sqrt(2.0)))


def project(
    score: float, se: float, order: Sequence[str], cuts: Sequence[float], boundary_se: float
) -> GradeProjection:
    """The grade whose interval holds the score, and each grade's probability."""
    spread = math.sqrt(se**2 + boundary_se**2)
    below = [0.0] + [_normal_cdf((cut - score) / spread) for cut in cuts] + [1.0]
    probabilities = {
        grade: round(max(below[k + 1] - below[k], 0.0), 6) for k, grade in enumerate(order)
    }
    index = sum(1 for cut in cuts if score >= cut)
    return GradeProjection(grade=order[index], probabilities=probabilities)


def project_grades(
    scores: Mapping[str, float],
    ses: Mapping[str, float],
    anchors: Mapping[str, str] | None,
    grade_scale: Sequence[str] | None = None,
) -> dict[str, GradeProjection]:
    """Every essay's grade; empty without anchors (no invented grades)."""
    if not anchors:
        return {}
    unknown = set(anchors) - set(scores)
    if unknown:
        raise ValueError(f"anchors that are not essays of the assessment: {sorted(unknown)}")
    order = grade_order(anchors, scores, grade_scale)
    cuts = boundaries(anchors, scores, order)
    if cuts is None:
        return {}
    anchor_variance = sum(ses[e] ** 2 for e in anchors) / len(anchors)
    # A boundary is the mean of two grade positions, each a mean of about
    # len(anchors)/len(grades) anchors.
    per_grade = max(len(anchors) / max(len(set(anchors.values())), 1), 1.0)
    boundary_se = math.sqrt(anchor_variance / per_grade / 2)
    projections = {}
    for essay_id, score in scores.items():
        if essay_id in anchors:
            projections[essay_id] = GradeProjection(anchors[essay_id], {anchors[essay_id]: 1.0})
        else:
            projections[essay_id] = project(score, ses[essay_id], order, cuts, boundary_se)
    return projections
