"""file_service bulk upload: one zip archive of many small .txt essays in one request.

    pdm run python -m bench.file_service_zip [--members 10000]

Runs the real content_service and file_service under hypercorn (fresh databases on the
test PostgreSQL) and a recording receiver standing in for essay_lifecycle. The archive is
built in memory by this process and posted as one multipart part. Prints the time until
the upload's answer (every member stored and accepted, its job scheduled), the time until
essay_lifecycle has heard of every essay (all extracted), and file_service's peak RSS
(VmHWM, summed over hypercorn's processes) before and after.
"""

from __future__ import annotations

import argparse
import asyncio
import io
import tempfile
import time
import zipfile
from pathlib import Path

import httpx

from service_kit.postgres_server import create_database, drop_database, find_test_server
from service_kit.testing.processes import running_service
from service_kit.testing.receiver import Receiver, serving

PARAGRAPH = (
    "Comparative judgement asks a reader which of two essays is better, again and again, "
    "until a reliable scale emerges. Det fungerar lika bra på svenska med å, ä och ö. "
)


def essays_zip(members: int) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as zf:
        for i in range(members):
            zf.writestr(f"class-{i % 30}/essay-{i}.txt", f"Essay number {i}. " + PARAGRAPH * 3)
    return buffer.getvalue()


def _tree(pid: int) -> list[int]:
    found = [pid]
    for child in Path(f"/proc/{pid}/task/{pid}/children").read_text().split():
        found += _tree(int(child))
    return found


def peak_rss_mib(pid: int) -> float:
    total = 0
    for each in _tree(pid):
        for line in Path(f"/proc/{each}/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                total += int(line.split()[1])
    return total / 1024


async def bulk(members: int) -> None:
    archive = essays_zip(members)
    server = await find_test_server()
    names = ("bench_zip_content", "bench_zip_file")
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
                assert service.process is not None
                pid = service.process.pid
                before = peak_rss_mib(pid)
                async with httpx.AsyncClient(base_url=service.url, timeout=600) as client:
                    started = time.monotonic()
                    response = await client.post(
                        "/v1/batches/bench-zip/files",
                        files={"files": ("class.zip", archive, "application/zip")},
                    )
                    answered = time.monotonic() - started
                    response.raise_for_status()
                    files = response.json()["files"]
                    accepted = sum(f["status"] == "processing" for f in files)
                    at_answer = peak_rss_mib(pid)
                    await els.wait_for(members, timeout=1800)
                    processed = time.monotonic() - started
                after = peak_rss_mib(pid)
    finally:
        for name in names:
            await drop_database(server, name)
        server.stop()
    print(
        f"zip of {members} .txt essays, {len(archive) / 1_048_576:.1f} MiB packed\n"
        f"| measure | value |\n|---|---|\n"
        f"| upload answered, {accepted}/{len(files)} accepted | {answered:.1f} s "
        f"({members / answered:.0f} files/s) |\n"
        f"| all {members} essays extracted and told to essay_lifecycle | {processed:.1f} s |\n"
        f"| file_service peak RSS: started / at the answer / at the end | "
        f"{before:.0f} / {at_answer:.0f} / {after:.0f} MiB |"
    )


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--members", type=int, default=10_000)
    args = parser.parse_args()
    asyncio.run(bulk(args.members))


if __name__ == "__main__":
    main()
