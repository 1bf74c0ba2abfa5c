"""spell_checker's own metrics (module level: registered once per process).

Languages are a closed set (``language_label``), so no label takes unbounded values."""

from prometheus_client import Counter, Histogram

from services.spell_checker.spelling import SUPPORTED_LANGUAGES

JOBS = Counter(
    "spellcheck_jobs_total",
    "Spellcheck jobs finished, by language and outcome",
    ["language", "outcome"],
)
WORDS_CHECKED = Counter(
    "spellcheck_words_checked_total",
    "Words checked, by language and source",
    ["language", "source"],
)
CORRECTIONS_PER_ESSAY = Histogram(
    "spellcheck_corrections_per_essay",
    "Corrections made in one essay's text (jobs)",
    ["language"],
    buckets=(0, 1, 2, 5, 10, 20, 50, 100, 200, 500, 1000),
)
CHECK_DURATION = Histogram(
    "spellcheck_check_duration_seconds",
    "Time the engine took to check one text, by language and source",
    ["language", "source"],
    buckets=(0.0005, 0.001, 0.0025, 0.005, 0.01, 0.02, 0.05, 0.1, 0.25, 0.5, 1, 2.5),
)


def language_label(language: str) -> str:
    return language if language in SUPPORTED_LANGUAGES else "other"
