"""The route table covers every public route of the six services, and nothing internal."""

from __future__ import annotations

import re
from pathlib import Path

from services.api_gateway.forwarding import ROUTES, Route

SERVICES = Path(__file__).resolve().parents[3]
# public routes the gateway does not forward, on purpose (forwarding.py says why)
NOT_FORWARDED = {
    ("POST", "/v1/assessments"),
    ("POST", "/v1/jobs"),
    ("POST", "/v1/content"),
    ("GET", "/v1/content/<content_id>"),
    ("HEAD", "/v1/content/<content_id>"),
    ("POST", "/v1/documents"),
    ("PATCH", "/v1/documents/<uuid:document_id>"),
    ("DELETE", "/v1/documents/<uuid:document_id>"),
}
DECORATOR = re.compile(
    r"@blueprint\.(get|post|put|patch|delete|route)\(\s*\"([^\"]+)\"(?:,\s*methods=\[([^\]]+)\])?"
)


def public_routes() -> set[tuple[str, str]]:
    found: set[tuple[str, str]] = set()
    for name in (
        "batch_orchestrator",
        "essay_lifecycle",
        "spell_checker",
        "cj_assessment",
        "file_service",
        "content_service",
    ):
        folder = SERVICES / name
        for path in [folder / "api.py", *folder.glob("api_*.py"), *folder.glob("api/*.py")]:
            if not path.exists():
                continue
            for verb, rule, methods in DECORATOR.findall(path.read_text()):
                if rule.startswith("/internal"):
                    continue
                verbs = (
                    [m.strip().strip("\"'") for m in methods.split(",")]
                    if verb == "route"
                    else [verb.upper()]
                )
                found.update((v, rule) for v in verbs)
    return found


def test_every_public_route_of_the_services_is_forwarded_or_refused_on_purpose() -> None:
    public = public_routes()
    assert len(public) > 25, "the services' routes were not found: did api.py move?"
    forwarded = {(r.method, r.rule) for r in ROUTES}
    assert public - NOT_FORWARDED == forwarded
    assert public >= NOT_FORWARDED


def test_nothing_internal_or_operational_is_forwarded() -> None:
    for r in ROUTES:
        assert r.rule.startswith("/v1/"), r
        assert not any(word in r.rule for word in ("internal", "metrics", "docs", "openapi"))


def test_endpoints_are_unique_and_paths_rebuild() -> None:
    assert len({r.endpoint for r in ROUTES}) == len(ROUTES)
    r = Route("GET", "/v1/batches/<batch_id>/phases/<phase>/retry", "x", ROUTES[0].owned)
    assert r.upstream_path({"batch_id": "a/b c", "phase": "spell"}) == (
        "/v1/batches/a%2Fb%20c/phases/spell/retry"
    )
