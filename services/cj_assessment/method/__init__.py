"""The comparative-judgement method as the service uses it: estimate, stop, pair.

Pure functions over essay ids and judgements; no storage and no I/O. Behind this facade:
``fitting`` (judgements in, an Estimate out), ``stopping`` (when to stop), ``pairing``
(which two essays next), ``scale`` and ``sparse`` (the Bradley-Terry fit, its standard
errors and reliability), ``grading`` (grades from anchors) and ``judge_quality`` (infit,
outfit, position bias).
"""

# before numpy is first imported (every module of the method imports it): numpy reads it once
from services.cj_assessment.method import blas_threads  # noqa: F401

# isort: split
from services.cj_assessment.method.fitting import (
    RELIABILITY_METHOD,
    Estimate,
    Judgement,
    JudgeReport,
    RankedEssay,
    estimate,
)
from services.cj_assessment.method.pairing import choose_pairs
from services.cj_assessment.method.stopping import (
    Settings,
    confirmation_window,
    reliability_before_latest,
    stop_reason,
)

__all__ = [
    "RELIABILITY_METHOD",
    "Estimate",
    "JudgeReport",
    "Judgement",
    "RankedEssay",
    "Settings",
    "choose_pairs",
    "confirmation_window",
    "estimate",
    "reliability_before_latest",
    "stop_reason",
]
