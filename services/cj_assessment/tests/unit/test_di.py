"""The composition root builds every use case, per request, from the settings alone."""

from __future__ import annotations

from dishka import make_async_container

from service_kit.di import ClockProvider
from services.cj_assessment import use_cases
from services.cj_assessment.config import Settings
from services.cj_assessment.di import providers


async def test_every_use_case_is_provided_per_request():
    classes = [
        getattr(use_cases, name)
        for name in use_cases.__all__
        if hasattr(getattr(use_cases, name), "execute")
    ]
    assert len(classes) == 11
    container = make_async_container(ClockProvider(), *providers(Settings(repository="memory")))
    try:
        async with container() as one, container() as other:
            for cls in classes:
                first = await one.get(cls)
                assert isinstance(first, cls)
                assert await one.get(cls) is first  # one per request ...
                assert await other.get(cls) is not first  # ... not shared between requests
    finally:
        await container.close()
