"""file_service's own metrics (module level: registered once per process)."""

from prometheus_client import Counter, Histogram

UPLOADS = Counter(
    "file_uploads_total",
    "Uploaded files by outcome (accepted, refused at upload, ready, rejected in processing)",
    ["outcome"],
)
EXTRACTION_DURATION = Histogram(
    "file_extraction_duration_seconds",
    "Time to validate and extract one file's text",
    ["kind"],
    buckets=(0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10),
)
