import pytest

from services.cj_assessment.repository_memory_impl import (
    MemoryAssessmentStore,
    MemoryAssessmentUnitOfWork,
)


@pytest.fixture
def store() -> MemoryAssessmentStore:
    return MemoryAssessmentStore()


@pytest.fixture
def uow(store: MemoryAssessmentStore) -> MemoryAssessmentUnitOfWork:
    return MemoryAssessmentUnitOfWork(store)
