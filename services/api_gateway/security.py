"""What every answer of the gateway carries: security headers, CORS (only for configured
origins), a 401 that names the scheme, and /metrics behind the internal token."""

from __future__ import annotations

import hmac

from quart import Quart, Response, request

from service_kit.app import problem
from services.api_gateway.config import Settings
from services.api_gateway.domain import Unauthenticated

# A same-origin web app with no inline script or style: everything from 'self', no plugins,
# no framing, forms post only to us.
CONTENT_SECURITY_POLICY = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "font-src 'self'; connect-src 'self'; object-src 'none'; base-uri 'none'; "
    "form-action 'self'; frame-ancestors 'none'"
)
# quart-schema's /docs page loads Swagger UI from cdnjs and starts it with an inline script
DOCS_CONTENT_SECURITY_POLICY = (
    "default-src 'self'; script-src 'self' 'unsafe-inline' https://cdnjs.cloudflare.com; "
    "style-src 'self' 'unsafe-inline' https://cdnjs.cloudflare.com; img-src 'self' data: https:; "
    "object-src 'none'; base-uri 'none'; frame-ancestors 'none'"
)
HSTS = "max-age=31536000; includeSubDomains"
CORS_METHODS = "GET, POST, PUT, PATCH, DELETE, OPTIONS"
CORS_HEADERS = "Authorization, Content-Type, X-CSRF-Token, X-Correlation-ID, Idempotency-Key"


def install(app: Quart, settings: Settings) -> None:
    production = not settings.development
    origins = settings.allowed_origins
    metrics_token = settings.forward_token

    @app.before_request
    async def guard_metrics() -> Response | None:
        if request.endpoint != "metrics_endpoint" or not metrics_token:
            return None
        supplied = request.headers.get("Authorization", "")
        if hmac.compare_digest(supplied.encode(), f"Bearer {metrics_token}".encode()):
            return None
        return problem(401, "Unauthorized", "the internal token is required for /metrics")

    @app.after_request
    async def secure(response: Response) -> Response:
        headers = response.headers
        headers["X-Content-Type-Options"] = "nosniff"
        headers["Content-Security-Policy"] = (
            DOCS_CONTENT_SECURITY_POLICY
            if request.endpoint == "swagger_ui"
            else CONTENT_SECURITY_POLICY
        )
        headers["X-Frame-Options"] = "DENY"
        headers["Referrer-Policy"] = "no-referrer"
        headers["Cross-Origin-Opener-Policy"] = "same-origin"
        headers["Permissions-Policy"] = "camera=(), microphone=(), geolocation=()"
        if production:
            headers["Strict-Transport-Security"] = HSTS
        if "Cache-Control" not in headers:
            headers["Cache-Control"] = "no-store"
        origin = request.headers.get("Origin", "").rstrip("/")
        if origin and origin in origins:
            headers["Access-Control-Allow-Origin"] = origin
            headers["Access-Control-Allow-Credentials"] = "true"
            headers["Access-Control-Allow-Methods"] = CORS_METHODS
            headers["Access-Control-Allow-Headers"] = CORS_HEADERS
            headers["Access-Control-Expose-Headers"] = (
                "Retry-After, RateLimit-Limit, RateLimit-Remaining, RateLimit-Reset, "
                "X-Correlation-ID"
            )
            headers["Access-Control-Max-Age"] = "600"
            headers.add("Vary", "Origin")
        return response

    @app.errorhandler(Unauthenticated)
    async def unauthenticated(error: Unauthenticated) -> Response:
        return problem(
            401, error.title, error.detail, headers={"WWW-Authenticate": "Bearer"}, **error.extra
        )
