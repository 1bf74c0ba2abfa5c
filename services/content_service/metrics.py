"""content_service's own metrics (module level: registered once per process)."""

from prometheus_client import Counter

BYTES_STORED = Counter("content_bytes_stored_total", "Bytes of new blobs stored")
BLOBS_STORED = Counter("content_blobs_stored_total", "New blobs stored")
DEDUP_HITS = Counter(
    "content_dedup_hits_total", "Uploads whose bytes were already stored (no new row)"
)
DOCUMENTS_CREATED = Counter("content_documents_created_total", "Documents created", ["kind"])
