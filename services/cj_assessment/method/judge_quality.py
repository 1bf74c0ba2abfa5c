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
    return JudgeFit(
        judgements=count,
        infit=float(squared.sum() / variance.sum()),
        outfit=float(np.mean(squared / variance)),
    )
