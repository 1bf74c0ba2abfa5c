"""Every operation on spell_checker, one use case each; routes and the job entry point
call them.

- checks.py: ``CheckText`` (``POST /v1/check``)
- spellcheck_jobs.py: ``RequestSpellcheck`` (``POST /v1/jobs``), ``GetJob``,
  ``ListCorrections``
- spellcheck_runs.py: ``RunSpellcheck`` (the ``spellcheck`` job), ``GiveUpSpellcheck``
"""

from services.spell_checker.use_cases.checks import CheckText, CheckTextCommand, CheckTextResult
from services.spell_checker.use_cases.spellcheck_jobs import (
    GetJob,
    GetJobCommand,
    ListCorrections,
    ListCorrectionsCommand,
    ListCorrectionsResult,
    RequestSpellcheck,
    RequestSpellcheckCommand,
)
from services.spell_checker.use_cases.spellcheck_runs import (
    GiveUpSpellcheck,
    GiveUpSpellcheckCommand,
    RunSpellcheck,
    RunSpellcheckCommand,
)

__all__ = [
    "CheckText",
    "CheckTextCommand",
    "CheckTextResult",
    "GetJob",
    "GetJobCommand",
    "GiveUpSpellcheck",
    "GiveUpSpellcheckCommand",
    "ListCorrections",
    "ListCorrectionsCommand",
    "ListCorrectionsResult",
    "RequestSpellcheck",
    "RequestSpellcheckCommand",
    "RunSpellcheck",
    "RunSpellcheckCommand",
]
