"""The automated judges this process has: the baseline always, the LLM when configured."""

from __future__ import annotations

from dataclasses import dataclass, field

from services.cj_assessment.domain import JudgeKind
from services.cj_assessment.judges.baseline import BaselineJudge
from services.cj_assessment.protocols import PairJudge


@dataclass(frozen=True)
class Judges:
    llm: PairJudge | None
    baseline: PairJudge = field(default_factory=BaselineJudge)

    def for_kind(self, kind: JudgeKind) -> PairJudge | None:
        return self.llm if kind is JudgeKind.LLM else self.baseline
