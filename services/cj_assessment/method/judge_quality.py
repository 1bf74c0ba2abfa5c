"""How well each judge agrees with the scale, and whether the first-shown essay is favoured.

Per judge, the residual of a judgement is x - p, with x = 1 when essay A won and p the
model's probability of that (including the position effect). Outfit is the mean squared
standardised residual, sensitive to surprising decisions on lopsided pairs; infit weights
by the information p(1 - p), so it reflects close pairs. A judge who decides like the
model does scores near 1; random or careless judging pushes both well above 1; judging that
is more consistent than the model expects (e.g. a strict length rule) gives values below 1.

Position bias is the logit advantage of the essay shown first (A), fitted by Newton's
method with the essays' scores held fixed.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

from services.cj_assessment.method.scale import sigmoid

# Fewer judgements than this give mean squares too noisy to say anything about a judge.
MIN_JUDGEMENTS_FOR_FIT = 5


@dataclass(frozen=True)
class PositionBias:
    logit: float
    se: float


@dataclass(frozen=True)
class JudgeFit:
    judgements: int
    infit: float | None
    outfit: float | None
    # Standard errors of the mean squares under the model (what a judge who decides as the
    # model says would show): a misfit is a mean square well above 1 by these.
    infit_se: float | None = None
    outfit_se: float | None = None

    @property
    def misfit_z(self) -> float | None:
        """The larger of (infit - 1) / SE and (outfit - 1) / SE: above MISFIT_Z a misfit."""
        return self.misfit_z_against(1.0, 1.0)

    def misfit_z_against(self, infit: float, outfit: float) -> float | None:
        """As misfit_z, against the given reference mean squares instead of 1."""
        if self.infit is None or self.outfit is None or not self.infit_se or not self.outfit_se:
            return None
        return max((self.infit - infit) / self.infit_se, (self.outfit - outfit) / self.outfit_se)

    def misfits(self, infit: float = 1.0, outfit: float = 1.0) -> bool:
        """Far above the reference mean squares (MISFIT_Z standard errors and
        MISFIT_MEAN_SQUARE - 1 above it)."""
        z = self.misfit_z_against(infit, outfit)
        if z is None or self.infit is None or self.outfit is None:
            return False
        excess = max(self.infit - infit, self.outfit - outfit)
        return z > MISFIT_Z and excess > MISFIT_MEAN_SQUARE - 1.0


# A judge whose discrimination is surely below this (upper end of the 95 % interval) is a
# misfit too: a judge answering at random gets weight 0 in the fit, and then the scale no
# longer follows their answers, so their mean squares need not stand out.
WEAK_DISCRIMINATION = 0.5


def weak(found: Discrimination | None) -> bool:
    return found is not None and found.value + 1.96 * found.se < WEAK_DISCRIMINATION


def reference_mean_squares(fits: list[JudgeFit]) -> tuple[float, float]:
    """What a judge who decides as the others do shows: the median judge's infit and outfit
    when at least three judges have them, else the model's 1. Against the shrunken posterior
    scale every judge's mean squares sit below 1 (0.5-0.8 at 100 essays, 10 comparisons
    each, in simulation), so an erratic judge at 1.5 stood out from the others but not
    from 1."""
    found = [f for f in fits if f.infit is not None and f.outfit is not None]
    if len(found) < 3:
        return 1.0, 1.0
    return (
        float(np.median([f.infit for f in found])),
        float(np.median([f.outfit for f in found])),
    )


# A judge whose infit or outfit lies this many standard errors above 1 is flagged: one in
# about 750 judges who decide as the model says would be flagged by chance.
MISFIT_Z = 3.0
# The mean square must also be this far above 1: with hundreds of judgements a harmless
# excess is "significant"; 1.3 is the usual upper bound for productive judging.
MISFIT_MEAN_SQUARE = 1.3


def position_bias(
    scores: NDArray[np.float64],
    a_index: NDArray[np.int64],
    b_index: NDArray[np.int64],
    a_won: NDArray[np.bool_],
) -> PositionBias | None:
    if len(a_index) == 0:
        return None
    margin = scores[a_index] - scores[b_index]
    outcome = a_won.astype(np.float64)
    bias = 0.0
    information = 0.0
    for _ in range(50):
        p = sigmoid(margin + bias)
        gradient = float(np.sum(outcome - p))
        # A tiny ridge keeps the bias finite when A always (or never) won.
        information = float(np.sum(p * (1 - p))) + 0.01
        step = (gradient - 0.01 * bias) / information
        bias += step
        if abs(step) < 1e-10:
            break
    return PositionBias(logit=bias, se=1.0 / math.sqrt(information))


def judge_fit(
    scores: NDArray[np.float64],
    a_index: NDArray[np.int64],
    b_index: NDArray[np.int64],
    a_won: NDArray[np.bool_],
    bias: float = 0.0,
) -> JudgeFit:
    """Infit and outfit mean squares for one judge's judgements."""
    count = len(a_index)
    if count < MIN_JUDGEMENTS_FOR_FIT:
        return JudgeFit(count, None, None)
    p = sigmoid(scores[a_index] - scores[b_index] + bias)
    variance = np.clip(p * (1 - p), 1e-9, None)
    squared = (a_won.astype(np.float64) - p) ** 2
    # E[(x - p)^4] for a binary outcome: p (1 - p) ((1 - p)^3 + p^3)
    fourth = variance * ((1 - p) ** 3 + p**3)
    return JudgeFit(
        judgements=count,
        infit=float(squared.sum() / variance.sum()),
        outfit=float(np.mean(squared / variance)),
        infit_se=float(np.sqrt(np.sum(fourth - variance**2)) / variance.sum()),
        outfit_se=float(np.sqrt(np.sum(fourth / variance**2 - 1.0)) / count),
    )


# Discrimination of a judge: P(A wins) = sigmoid(a (theta_A - theta_B)), a estimated with a
# normal prior around 1 (SD DISCRIMINATION_PRIOR_SD) so that a judge with few judgements
# keeps about 1, and never below 0 (a judge who reverses the scale informs nothing).
DISCRIMINATION_PRIOR_SD = 0.5
# Below this many judgements a judge keeps discrimination 1.
MIN_JUDGEMENTS_FOR_DISCRIMINATION = 20


@dataclass(frozen=True)
class Discrimination:
    value: float
    se: float


def discrimination(margin: NDArray[np.float64]) -> Discrimination:
    """MAP of a in sum log sigmoid(a * margin) - (a - 1)^2 / (2 prior^2), margin = the fitted
    winner's score minus the loser's, for one judge's judgements (Newton, a >= 0)."""
    precision = 1.0 / DISCRIMINATION_PRIOR_SD**2
    a = 1.0
    information = precision
    for _ in range(50):
        p = sigmoid(a * margin)
        gradient = float(np.sum(margin * (1 - p))) - precision * (a - 1)
        information = float(np.sum(margin**2 * p * (1 - p))) + precision
        step = gradient / information
        a = max(0.0, a + step)
        if abs(step) < 1e-8 or (a == 0.0 and step < 0):
            break
    return Discrimination(a, 1.0 / math.sqrt(information))


# A judge whose answers carry no information, detected once enough judgements show it:
# the same side nearly every time (at least SAME_SIDE_MIN judgements, a share of at least
# SAME_SIDE_SHARE and a two-sided binomial p below SAME_SIDE_P against a fair coin: 8 of 8,
# 11 of 12, 18 of 20 ...), or a discrimination no better than chance against the other
# judges' scale (upper end of its 95 % interval below CHANCE_DISCRIMINATION, from
# CHANCE_MIN judgements on).
SAME_SIDE_MIN = 8
SAME_SIDE_SHARE = 0.9
SAME_SIDE_P = 0.01
CHANCE_MIN = 20
CHANCE_DISCRIMINATION = 0.35


def _two_sided_binomial(k: int, m: int) -> float:
    extreme = max(k, m - k)
    tail = sum(math.comb(m, j) for j in range(extreme, m + 1)) / 2.0**m
    return min(1.0, 2.0 * tail)


def degenerate(
    a_won: NDArray[np.bool_], agrees: NDArray[np.bool_], found: Discrimination | None
) -> str | None:
    """Why this judge's answers carry no information, in a teacher's words, or None.
    `agrees`: whether each judgement's winner is the one ranked higher on the scale."""
    m = len(a_won)
    first = int(np.sum(a_won))
    side, count = ("first", first) if first >= m - first else ("second", m - first)
    if (
        m >= SAME_SIDE_MIN
        and count >= SAME_SIDE_SHARE * m
        and _two_sided_binomial(count, m) < SAME_SIDE_P
    ):
        return f"chose the essay shown {side} in {count} of {m} comparisons"
    if (
        found is not None
        and m >= CHANCE_MIN
        and found.value + 1.96 * found.se < CHANCE_DISCRIMINATION
    ):
        return (
            f"agreed with the scale in {int(np.sum(agrees))} of {m} comparisons, no better "
            "than chance"
        )
    return None
