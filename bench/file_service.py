"""file_service speed: extraction throughput per format, and upload-to-notification latency.

    pdm run python -m bench.file_service [--rounds 3]

Extraction runs in-process on a 2-page docx and a 2-page pdf (built with the test suite's
sample builders). Latency runs the real content_service and file_service under hypercorn
and a recording receiver standing in for essay_lifecycle: 100 small files uploaded one per
request, each timed from the upload request to the arrival of its essay notification.
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import tempfile
import time
from pathlib import Path

import httpx

from service_kit.postgres_server import create_database, drop_database, find_test_server
from service_kit.testing.processes import running_service
from service_kit.testing.receiver import Receiver, serving
from services.file_service.extraction import extract_text
from services.file_service.tests.unit.sample_files import make_docx, make_pdf

PARAGRAPH = (
    "Comparative judgement asks a reader which of two essays is better, again and again, "
    "until a reliable scale emerges. Teachers in Sweden and England have used it for years; "
    "det fungerar lika bra på svenska med å, ä och ö. "
)


def two_page_documents() -> dict[str, bytes]:
    page = PARAGRAPH * 9  # about 450 words: one printed page
    return {"docx": make_docx([page, page]), "pdf": make_pdf([page, page])}


def extraction(rounds: int, iterations: int = 30) -> None:
    print("| format | size KiB | files/s | MB/s |\n|---|---|---|---|")
    for kind, data in two_page_documents().items():
        rates = []
        for _ in range(rounds):
            started = time.perf_counter()
            for _ in range(iterations):
                extract_text(f"essay.{kind}", data)
            rates.append(iterations / (time.perf_counter() - started))
        rate = statistics.median(rates)
        print(
            f"| {kind} (2 pages) | {len(data) / 1024:.1f} | {rate:.1f} | "
            f"{rate * len(data) / 1e6:.2f} |"
        )


async def latency(files: int = 100) -> None:
    server = await find_test_server()
    names = ("bench_content", "bench_file")
    for name in names:
        await drop_database(server, name)
    content_url = await create_database(server, names[0])
    file_url = await create_database(server, names[1])
    logs = Path(tempfile.mkdtemp())
    try:
        async with serving(Receiver()) as els:
            with (
                running_service("content_service", content_url, logs) as content,
                running_service(
                    "file_service",
                    file_url,
                    logs,
                    env={"CONTENT_SERVICE_URL": content.url, "ESSAY_LIFECYCLE_URL": els.url},
                ) as service,
            ):
                sent: dict[str, float] = {}
                async with httpx.AsyncClient(base_url=service.url) as client:
                    for i in range(files):
                        body = (f"Essay number {i}. " + PARAGRAPH).encode()
                        started = time.monotonic()
                        response = await client.post(
                            "/v1/batches/bench/files", files={"files": (f"e{i}.txt", body)}
                        )
                        sent[response.json()["files"][0]["file_id"]] = started
                        await asyncio.sleep(0.02)
                    await els.wait_for(files, timeout=120)
    finally:
        for name in names:
            await drop_database(server, name)
        server.stop()
    waits = sorted((r.at - sent[r.body["file_id"]]) * 1000 for r in els.received)
    print(
        f"\nupload-to-notification latency, {files} files: "
        f"p50 {statistics.median(waits):.1f} ms, p99 {waits[int(len(waits) * 0.99) - 1]:.1f} ms, "
        f"max {waits[-1]:.1f} ms"
    )


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args()
    extraction(args.rounds)
    asyncio.run(latency())


if __name__ == "__main__":
    main()
