"""When to stop asking for judgements: reliable, out of budget, or out of pairs."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass

from services.cj_assessment.method.fitting import Estimate, Judgement, estimate


@dataclass(frozen=True)
class Settings:
    min_comparisons_per_essay: int = 5
    max_comparisons_per_essay: int = 20
    target_reliability: float = 0.8


def confirmation_window(essay_count: int) -> int:
    """How many of the latest judgements a reading at or above the target must already have
    held without: about one more comparison per essay."""
    return max(1, essay_count // 2)


def reliability_before_latest(
    essay_ids: Sequence[str], judgements: Sequence[Judgement]
) -> float | None:
    """The reliability as it read before the latest `confirmation_window` judgements (in
    the order given: oldest first); None when there were too few to read one."""
    window = confirmation_window(len(essay_ids))
    if len(judgements) <= window:
        return None
    return estimate(essay_ids, judgements[:-window]).reliability


def stop_reason(
    estimate: Estimate,
    settings: Settings,
    exposure: Mapping[str, int],
    pairs_left: bool,
    reliability_before: Callable[[], float | None],
) -> str | None:
    """Why to stop: "reliable", "budget" or "exhausted"; None to keep going.

    "reliable" needs the target read now and also before the latest judgements
    (`reliability_before`, asked only when the rest holds): a reading is noisy, and stopping
    at the first one over the target stops on upward swings. In simulation (30 and 100
    essays, SD 2 logits, a check after every judgement) the first crossing stopped at a true
    reliability of 0.78 for a target of 0.8; asking the reading half a round earlier too
    stopped at 0.805-0.81 for about one more comparison per essay (docs/benchmarks.md).
    """
    essays = [ranked.essay_id for ranked in estimate.ranking]
    counts = [exposure.get(essay_id, 0) for essay_id in essays]
    target = settings.target_reliability
    if (
        estimate.reliability is not None
        and estimate.reliability >= target
        and all(c >= settings.min_comparisons_per_essay for c in counts)
    ):
        earlier = reliability_before()
        if earlier is not None and earlier >= target:
            return "reliable"
    budget = len(essays) * settings.max_comparisons_per_essay / 2
    if all(c >= settings.max_comparisons_per_essay for c in counts) or (sum(counts) / 2 >= budget):
        return "budget"
    if not pairs_left:
        return "exhausted"
    return None
