"""Typed contracts: one pydantic model per message that crosses a service boundary.

Producer and consumer import the same model: the producer builds (or checks) its payload
with it, the consumer validates the request body or the peer's answer with it. Modules by
family: ``files``, ``batches``, ``spellcheck``, ``cj``, ``outcomes``, ``content``. The
table of every message (producer, consumer, route, model) is in README.md.

Request models that a consumer already had keep its class name, fields, defaults and limits
(the OpenAPI component names do not change); models of internal routes refuse unknown
fields. Answer models (what a peer reads back) are the producer's response models as they
are, so the producer's OpenAPI is unchanged too.
"""

from __future__ import annotations

from contracts.batches import (
    Anchor,
    BatchIn,
    CjSettings,
    PhaseCommandIn,
    SpellcheckSettings,
    SummaryOut,
)
from contracts.cj import (
    AnchorModel,
    AssessmentIn,
    AssessmentResultIn,
    CjRunSummary,
    EssayModel,
    RankedEssay,
)
from contracts.content import BlobOut, DocumentIn, DocumentKind, DocumentOut
from contracts.files import BatchGateOut, FileNoticeIn, IntakeOut
from contracts.outcomes import EssayOutcome, FailedEssay, OutcomeIn
from contracts.spellcheck import JobIn, SpellcheckFigures, SpellcheckResultIn

__all__ = [
    "Anchor",
    "AnchorModel",
    "AssessmentIn",
    "AssessmentResultIn",
    "BatchGateOut",
    "BatchIn",
    "BlobOut",
    "CjRunSummary",
    "CjSettings",
    "DocumentIn",
    "DocumentKind",
    "DocumentOut",
    "EssayModel",
    "EssayOutcome",
    "FailedEssay",
    "FileNoticeIn",
    "IntakeOut",
    "JobIn",
    "OutcomeIn",
    "PhaseCommandIn",
    "RankedEssay",
    "SpellcheckFigures",
    "SpellcheckResultIn",
    "SpellcheckSettings",
    "SummaryOut",
]
