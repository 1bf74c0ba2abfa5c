"""The api_gateway's overhead: the same requests through the gateway and straight to the
service, in the same run, on the same stack (all seven services as real processes).

    pdm run python -m bench.gateway                  # 3 rounds x 5 s per load, 4 connections
    pdm run python -m bench.gateway --rounds 5 --duration 10

Loads: ``GET /v1/batches/{id}`` (batch_orchestrator; it asks essay_lifecycle for the counts)
and ``POST /v1/batches/{id}/files`` with one 1 MiB file (file_service; a .bin file, refused at
upload, so no extraction job runs in the background of the next rounds). Direct requests carry
``X-User-ID`` as the gateway's do; gateway requests an API key. The gateway does everything it
does in production: authenticates the key, counts the request in its PostgreSQL rate-limit
window (limits on, set high), checks the batch's owner (cached after the first request),
records analytics, and forwards over its keep-alive client. Rounds alternate direct and
gateway so drift on a shared machine hits both alike. Goal: gateway p50 <= 1.3x direct p50.
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import tempfile
from pathlib import Path
from typing import Any

import httpx

from bench.harness import load
from service_kit.postgres_server import create_database, drop_database, find_test_server
from service_kit.testing.stack import SERVICES, running_stack
from services.api_gateway.config import Settings as GatewaySettings
from services.api_gateway.devuser import ensure_teacher

HIGH = "100000000"
GATEWAY_ENV = {
    "API_GATEWAY_RATE_LIMITS_ENABLED": "true",
    "API_GATEWAY_RATE_LIMIT_GENERAL": HIGH,
    "API_GATEWAY_RATE_LIMIT_UPLOADS": HIGH,
    "API_GATEWAY_LOG_LEVEL": "WARNING",
}
MIB = 1024 * 1024
BOUNDARY = "benchboundary7d3f"


def multipart_file(size: int) -> bytes:
    head = (
        f'--{BOUNDARY}\r\nContent-Disposition: form-data; name="files"; '
        f'filename="upload.bin"\r\nContent-Type: application/octet-stream\r\n\r\n'
    ).encode()
    return head + b"x" * size + f"\r\n--{BOUNDARY}--\r\n".encode()


async def databases(server: Any) -> dict[str, str]:
    urls = {}
    for name in SERVICES:
        await drop_database(server, f"bench_gw_{name}")
        urls[name] = await create_database(server, f"bench_gw_{name}")
    return urls


async def prepare(stack: Any, gateway_db: str) -> tuple[str, str, str]:
    """The teacher's API key and user id, and one batch of theirs."""
    settings = GatewaySettings(database_url=gateway_db, log_level="WARNING")
    teacher = await ensure_teacher(stack.url("api_gateway"), settings)
    async with httpx.AsyncClient(
        base_url=stack.url("api_gateway"),
        headers={"Authorization": f"Bearer {teacher.api_key}"},
        timeout=30,
    ) as http:
        me = (await http.get("/v1/me")).json()
        created = await http.post("/v1/batches", json={"name": "bench", "language": "en"})
        created.raise_for_status()
    return teacher.api_key, str(me["id"]), str(created.json()["batch_id"])


def measure(args: argparse.Namespace) -> dict[str, dict[str, list[dict[str, Any]]]]:
    server = asyncio.run(find_test_server())
    found: dict[str, dict[str, list[dict[str, Any]]]] = {}
    try:
        urls = asyncio.run(databases(server))
        with tempfile.TemporaryDirectory() as tmp:
            folder = Path(tmp)
            body = folder / "upload.multipart"
            body.write_bytes(multipart_file(MIB))
            quiet = {name: {f"{name.upper()}_LOG_LEVEL": "WARNING"} for name in SERVICES}
            quiet["api_gateway"] = GATEWAY_ENV
            with running_stack(urls, folder, quiet) as stack:
                key, user_id, batch_id = asyncio.run(prepare(stack, urls["api_gateway"]))
                via = {
                    "direct": [f"X-User-ID: {user_id}"],
                    "gateway": [f"Authorization: Bearer {key}"],
                }
                loads = {
                    "GET /v1/batches/{id}": dict(
                        service="batch_orchestrator", path=f"/v1/batches/{batch_id}", extra={}
                    ),
                    "POST 1 MiB upload": dict(
                        service="file_service",
                        path=f"/v1/batches/{batch_id}/files",
                        extra={
                            "method": "POST",
                            "body_file": str(body),
                            "content_type": f"multipart/form-data; boundary={BOUNDARY}",
                        },
                    ),
                }
                for name, spec in loads.items():
                    found[name] = {"direct": [], "gateway": []}
                    for _ in range(args.rounds):
                        for route in ("direct", "gateway"):
                            base = stack.url(
                                "api_gateway" if route == "gateway" else str(spec["service"])
                            )
                            figures = load(
                                base,
                                str(spec["path"]),
                                connections=args.connections,
                                duration=args.duration,
                                warmup=1.0,
                                **{"header": via[route][0]},
                                **spec["extra"],  # type: ignore[arg-type]
                            )
                            found[name][route].append(figures)
    finally:
        for name in SERVICES:
            asyncio.run(drop_database(server, f"bench_gw_{name}"))
        server.stop()
    return found


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--duration", type=float, default=5.0)
    parser.add_argument("--connections", type=int, default=4)
    args = parser.parse_args()
    found = measure(args)
    print(
        f"\n{args.rounds} rounds x {args.duration:.0f} s per load and route, "
        f"{args.connections} connections; medians of the rounds\n"
    )
    print("| load | route | req/s | p50 ms | p99 ms | statuses | p50 vs direct |")
    print("|---|---|---|---|---|---|---|")
    for name, routes in found.items():
        medians = {
            route: {k: statistics.median(r[k] for r in rounds) for k in ("rps", "p50_ms", "p99_ms")}
            for route, rounds in routes.items()
        }
        for route, rounds in routes.items():
            m = medians[route]
            statuses: dict[int, int] = {}
            for r in rounds:
                for status, n in r["statuses"].items():
                    statuses[status] = statuses.get(status, 0) + n
            ratio = m["p50_ms"] / medians["direct"]["p50_ms"]
            print(
                f"| {name} | {route} | {m['rps']:.0f} | {m['p50_ms']:.2f} | {m['p99_ms']:.2f} "
                f"| {statuses} | {ratio:.2f}x |"
            )


if __name__ == "__main__":
    main()
