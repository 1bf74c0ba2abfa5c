"""A small HTTP/1.1 keep-alive load generator, meant to run in its own process.

    python -m bench.loadgen --url http://127.0.0.1:8006 --path /healthz --connections 8

A hand-written client (raw asyncio streams, Content-Length bodies only) so that the load
generator costs far less CPU than the server it measures. Prints one JSON line.
"""

from __future__ import annotations

import argparse
import asyncio
import itertools
import json
import os
import statistics
import time
from urllib.parse import urlsplit


class _Exhausted(Exception):
    pass


async def _read_response(reader: asyncio.StreamReader) -> int:
    head = await reader.readuntil(b"\r\n\r\n")
    lines = head.decode("latin-1").split("\r\n")
    status = int(lines[0].split()[1])
    length = 0
    for line in lines[1:]:
        name, _, value = line.partition(":")
        if name.strip().lower() == "content-length":
            length = int(value)
    if length:
        await reader.readexactly(length)
    return status


async def _worker(
    host: str,
    port: int,
    requests: itertools.cycle[bytes] | None,
    make_request: object,
    deadline: float,
    latencies: list[float],
    statuses: dict[int, int],
) -> None:
    reader, writer = await asyncio.open_connection(host, port)
    try:
        while time.perf_counter() < deadline:
            try:
                payload = next(requests) if requests is not None else make_request()  # type: ignore[operator]
            except _Exhausted:
                return
            started = time.perf_counter()
            writer.write(payload)
            try:
                status = await _read_response(reader)
            except (asyncio.IncompleteReadError, ConnectionError):
                # the server ends keep-alive connections after N requests: reconnect, resend
                writer.close()
                reader, writer = await asyncio.open_connection(host, port)
                continue
            latencies.append(time.perf_counter() - started)
            statuses[status] = statuses.get(status, 0) + 1
    finally:
        writer.close()


def _request(
    method: str,
    host: str,
    path: str,
    body: bytes = b"",
    ctype: str = "",
    headers: tuple[str, ...] = (),
) -> bytes:
    head = f"{method} {path} HTTP/1.1\r\nHost: {host}\r\n"
    head += "".join(f"{line}\r\n" for line in headers)
    if body or method == "POST":
        kind = ctype or "application/octet-stream"
        head += f"Content-Length: {len(body)}\r\nContent-Type: {kind}\r\n"
    return (head + "\r\n").encode() + body


async def run(args: argparse.Namespace) -> dict[str, object]:
    parts = urlsplit(args.url)
    host, port = parts.hostname or "127.0.0.1", parts.port or 80
    paths = args.path.split(",")
    fixed: itertools.cycle[bytes] | None = None
    make = None
    if args.prepared is not None:
        # one-shot requests (JSON lines of method, path, body), each sent once
        prepared = args.prepared
        queue = iter(
            _request(
                r["method"], host, r["path"], json.dumps(r["body"]).encode(), "application/json"
            )
            for r in prepared
        )
        args.warmup = 0

        def make() -> bytes:
            try:
                return next(queue)
            except StopIteration:
                raise _Exhausted from None

    elif args.unique_body:
        counter = itertools.count()
        prefix = os.urandom(16)

        def make() -> bytes:
            body = prefix + next(counter).to_bytes(8, "big")
            body += b"x" * (args.unique_body - len(body))
            return _request("POST", host, paths[0], body)

    else:
        body = args.body
        fixed = itertools.cycle(
            [
                _request(args.method, host, path, body, args.content_type, tuple(args.header))
                for path in paths
            ]
        )
    latencies: list[float] = []
    statuses: dict[int, int] = {}
    # warm-up, not counted
    warm_deadline = time.perf_counter() + args.warmup
    await asyncio.gather(
        *(_worker(host, port, fixed, make, warm_deadline, [], {}) for _ in range(args.connections))
    )
    started = time.perf_counter()
    deadline = started + args.duration
    await asyncio.gather(
        *(
            _worker(host, port, fixed, make, deadline, latencies, statuses)
            for _ in range(args.connections)
        )
    )
    elapsed = time.perf_counter() - started
    ordered = sorted(latencies)
    return {
        "requests": len(latencies),
        "rps": round(len(latencies) / elapsed, 1),
        "p50_ms": round(statistics.median(ordered) * 1000, 2),
        "p99_ms": round(ordered[int(len(ordered) * 0.99) - 1] * 1000, 2),
        "statuses": statuses,
    }


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--url", required=True)
    parser.add_argument("--path", required=True, help="one path, or several separated by commas")
    parser.add_argument("--method", default="GET")
    parser.add_argument("--connections", type=int, default=8)
    parser.add_argument("--duration", type=float, default=10.0)
    parser.add_argument("--warmup", type=float, default=2.0)
    parser.add_argument("--unique-body", type=int, default=0, help="POST unique bodies of N bytes")
    parser.add_argument("--requests-file", help="JSON lines {method, path, body}, each sent once")
    parser.add_argument("--header", action="append", default=[], help="'Name: value', repeatable")
    parser.add_argument("--body-file", help="the same body (Content-Length) on every request")
    parser.add_argument("--content-type", default="", help="the Content-Type of --body-file")
    args = parser.parse_args()
    args.prepared = None
    if args.requests_file:
        with open(args.requests_file) as lines:
            args.prepared = [json.loads(line) for line in lines if line.strip()]
    args.body = b""
    if args.body_file:
        with open(args.body_file, "rb") as f:
            args.body = f.read()
    print(json.dumps(asyncio.run(run(args))))


if __name__ == "__main__":
    main()
