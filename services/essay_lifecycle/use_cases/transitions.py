"""Writing an essay's transition: the one way every use case saves one (the row by
compare-and-set, its timeline event, the transitions metric)."""

from __future__ import annotations

from services.essay_lifecycle import metrics
from services.essay_lifecycle.domain import Essay, Transition
from services.essay_lifecycle.protocols import EssayUnitOfWork


async def save(uow: EssayUnitOfWork, transition: Transition) -> Essay:
    await uow.essays.save(transition)
    metrics.TRANSITIONS.labels(transition.event.event).inc()
    return transition.essay
