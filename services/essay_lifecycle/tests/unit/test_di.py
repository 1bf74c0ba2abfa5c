"""The composition root provides every use case per request, on either storage."""

import inspect

import pytest
from dishka import Scope, make_async_container

from service_kit.di import ClockProvider
from service_kit.settings import RepositoryKind
from services.essay_lifecycle import use_cases
from services.essay_lifecycle.config import Settings
from services.essay_lifecycle.di import UseCasesProvider, providers
from services.essay_lifecycle.repository_memory_impl import MemoryEssaySettler

USE_CASES = [
    getattr(use_cases, name)
    for name in use_cases.__all__
    if inspect.isclass(getattr(use_cases, name)) and hasattr(getattr(use_cases, name), "execute")
]


def test_every_use_case_has_a_request_scoped_provider():
    assert len(USE_CASES) == 11
    provided = {f.provides.type_hint for f in UseCasesProvider().factories}
    assert provided == set(USE_CASES)
    assert {f.scope for f in UseCasesProvider().factories} == {Scope.REQUEST}


@pytest.mark.parametrize("use_case", USE_CASES, ids=lambda u: u.__name__)
async def test_the_container_builds_each_use_case(use_case):
    settings = Settings(repository=RepositoryKind.MEMORY)
    container = make_async_container(*providers(settings), ClockProvider())
    try:
        async with container() as request:
            built = await request.get(use_case)
            assert isinstance(built, use_case)
            if use_case is use_cases.ApplySpellcheckResult:
                assert isinstance(built._settler, MemoryEssaySettler)
    finally:
        await container.close()
