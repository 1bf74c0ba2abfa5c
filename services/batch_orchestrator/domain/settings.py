"""The settings a batch keeps for its phases: assembled from the teacher's request, and
refused up front when cj_assessment would refuse them (a refusal there would come only when
the phase starts, with no one to tell)."""

from __future__ import annotations

from collections import Counter
from typing import Any

from contracts.batches import CjSettings, SpellcheckSettings
from service_kit.errors import InvalidInput


def _refused(field: str, message: str) -> InvalidInput:
    return InvalidInput(
        message, errors=[{"loc": ["cj", field], "msg": message, "type": "value_error"}]
    )


def check_cj_settings(cj: CjSettings) -> None:
    """cj_assessment's own rules for an assessment's settings (its ``plan_assessment``),
    beyond what the contract model checks field by field."""
    if cj.min_comparisons_per_essay > cj.max_comparisons_per_essay:
        raise _refused(
            "min_comparisons_per_essay",
            "min_comparisons_per_essay must not exceed max_comparisons_per_essay",
        )
    scale = cj.grade_scale
    if scale is None:
        return
    twice = sorted(grade for grade, n in Counter(scale).items() if n > 1)
    if twice:
        raise _refused("grade_scale", f"grade_scale lists a grade twice: {', '.join(twice)}")
    for number, anchor in enumerate(cj.anchors, start=1):
        if anchor.grade not in scale:
            raise _refused(
                "anchors", f"anchor {number}'s grade {anchor.grade!r} is not in grade_scale"
            )


def batch_settings(
    pipeline: tuple[str, ...], spellcheck: SpellcheckSettings, cj: CjSettings | None
) -> dict[str, Any]:
    """The settings a batch keeps, one entry per phase of its pipeline that takes any: the
    spellcheck settings always, cj_assessment's (given, or the contract's defaults) when
    that phase runs."""
    if cj is not None and "cj_assessment" not in pipeline:
        raise InvalidInput("cj settings were given but the pipeline has no cj_assessment")
    settings: dict[str, Any] = {"spellcheck": spellcheck.model_dump()}
    if "cj_assessment" in pipeline:
        chosen = cj if cj is not None else CjSettings()
        check_cj_settings(chosen)
        settings["cj_assessment"] = chosen.model_dump()
    return settings
