"""WEB JUDGING's strings (pages 7-9): ``messages/judging.{en,sv}.json``, looked up before the
shared catalogue of ``i18n.py`` (whose ``Translator`` and language choice they use), so the two
helpers' catalogues never conflict. Templates get it as ``tj``."""

from __future__ import annotations

import json
from functools import cache
from typing import Any

from services.api_gateway.web.i18n import DEFAULT, MESSAGES, Translator


@cache
def judging_catalogue(lang: str) -> dict[str, str]:
    data: dict[str, str] = json.loads((MESSAGES / f"judging.{lang}.json").read_text("utf-8"))
    return data


class JudgingTranslator:
    def __init__(self, shared: Translator) -> None:
        self.shared = shared
        self.lang = shared.lang

    def __call__(self, key: str, **values: Any) -> str:
        text = judging_catalogue(self.lang).get(key) or judging_catalogue(DEFAULT).get(key)
        if text is None:
            return self.shared(key, **values)
        return text.format(**values) if values else text
