"""The results page's picture of the scale, computed here and drawn as inline SVG by the
template (no script): each essay a point with its ±SE bar, anchors marked, grade bands
shaded. Pure geometry, no I/O."""

from __future__ import annotations

import itertools
import math
from dataclasses import dataclass
from typing import Any

WIDTH = 720
ROW = 14
TOP = 34
LEFT = 40
RIGHT = 20
SHADES = ("#eef3f8", "#dde7f1")


@dataclass(frozen=True, slots=True)
class Point:
    y: float
    x: float
    lo: float
    hi: float
    label: str
    anchor: bool
    grade: str | None


@dataclass(frozen=True, slots=True)
class Band:
    x0: float
    x1: float
    grade: str
    fill: str
    mid: float


@dataclass(frozen=True, slots=True)
class Tick:
    x: float
    label: str


@dataclass(frozen=True, slots=True)
class Scale:
    width: int
    height: int
    points: list[Point]
    bands: list[Band]
    ticks: list[Tick]
    axis_y: float


def draw(
    ranking: list[dict[str, Any]], names: dict[str, str], grade_scale: list[str]
) -> Scale | None:
    """``ranking``: the assessment's essays (score, se, grade, anchor, anchor_grade);
    ``names``: essay id -> the label to show. None when nothing is scored."""
    scored = [r for r in ranking if isinstance(r.get("score"), int | float)]
    if not scored:
        return None
    lows = [float(r["score"]) - float(r.get("se") or 0) for r in scored]
    highs = [float(r["score"]) + float(r.get("se") or 0) for r in scored]
    lo, hi = min(lows), max(highs)
    if hi - lo < 1e-9:
        lo, hi = lo - 1, hi + 1
    pad = (hi - lo) * 0.05
    lo, hi = lo - pad, hi + pad
    span = WIDTH - LEFT - RIGHT

    def x_of(value: float) -> float:
        return round(LEFT + (value - lo) / (hi - lo) * span, 1)

    ordered = sorted(scored, key=lambda r: float(r["score"]), reverse=True)
    points = []
    for i, r in enumerate(ordered):
        score, se = float(r["score"]), float(r.get("se") or 0)
        anchor = bool(r.get("anchor") or r.get("anchor_grade"))
        label = names.get(str(r.get("essay_id")), str(r.get("essay_id", ""))[:8])
        if anchor:
            label = f"{label} ({r.get('anchor_grade') or ''})"
        points.append(
            Point(
                y=TOP + i * ROW + ROW / 2,
                x=x_of(score),
                lo=x_of(score - se),
                hi=x_of(score + se),
                label=label,
                anchor=anchor,
                grade=r.get("grade") or r.get("anchor_grade"),
            )
        )
    height = int(TOP + len(ordered) * ROW + 30)
    return Scale(
        width=WIDTH,
        height=height,
        points=points,
        bands=_bands(scored, grade_scale, x_of, LEFT, WIDTH - RIGHT),
        ticks=[Tick(x_of(v), f"{v:.1f}") for v in _ticks(lo, hi)],
        axis_y=height - 24,
    )


def _bands(
    scored: list[dict[str, Any]], grade_scale: list[str], x_of: Any, left: float, right: float
) -> list[Band]:
    """Each grade's stretch of the scale: from where its essays lie, cut half-way between
    neighbouring grades (in the scale's order, or by score when it has none)."""
    by_grade: dict[str, list[float]] = {}
    for r in scored:
        grade = r.get("grade") or r.get("anchor_grade")
        if grade:
            by_grade.setdefault(str(grade), []).append(float(r["score"]))
    if not by_grade:
        return []
    order = [g for g in grade_scale if g in by_grade] or sorted(
        by_grade, key=lambda g: sum(by_grade[g]) / len(by_grade[g])
    )
    # the scale is lowest grade first or last: follow the scores
    means = [sum(by_grade[g]) / len(by_grade[g]) for g in order]
    if len(means) > 1 and means[0] > means[-1]:
        order.reverse()
    edges = [left]
    for low, high in itertools.pairwise(order):
        cut = (max(by_grade[low]) + min(by_grade[high])) / 2
        edges.append(max(edges[-1], min(right, x_of(cut))))
    edges.append(right)
    return [
        Band(edges[i], edges[i + 1], grade, SHADES[i % 2], (edges[i] + edges[i + 1]) / 2)
        for i, grade in enumerate(order)
    ]


def _ticks(lo: float, hi: float) -> list[float]:
    raw = (hi - lo) / 5
    magnitude = 10 ** math.floor(math.log10(raw))
    step = next(m * magnitude for m in (1, 2, 5, 10) if raw <= m * magnitude)
    value = math.ceil(lo / step) * step
    ticks: list[float] = []
    while value <= hi and len(ticks) < 12:
        ticks.append(round(value, 6))
        value += step
    return ticks
