"""The automated judges: the offline baseline (``baseline``), the LLM over an
OpenAI-compatible API (``llm``), and the panel a process has (``panel.Judges``). People
judge through the API (use_cases/human_judging.py)."""

from services.cj_assessment.judges.baseline import BaselineJudge, judge_baseline
from services.cj_assessment.judges.llm import LlmJudge, LlmSettings
from services.cj_assessment.judges.panel import Judges

__all__ = ["BaselineJudge", "Judges", "LlmJudge", "LlmSettings", "judge_baseline"]
