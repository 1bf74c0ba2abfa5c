"""What a page shows when something is refused: the sign-in page (no session), the 404 page
(a missing id and a stranger's look the same, as in the API), and a plain page for the rest.
Unknown paths outside the API get the 404 page too when a browser asks for HTML."""

from __future__ import annotations

from urllib.parse import quote

from quart import Response, g, request
from werkzeug.exceptions import HTTPException

from service_kit.app import problem
from service_kit.errors import DomainError
from services.api_gateway.web.auth import SignInRequired, optional_principal
from services.api_gateway.web.blueprint import blueprint
from services.api_gateway.web.render import render_page, see_other, translator
from services.api_gateway.web.use_cases import ServiceRefused

API_PREFIXES = ("/v1/", "/internal/", "/metrics", "/healthz", "/readyz", "/docs", "/openapi")


async def error_page(status: int) -> Response:
    t = translator()
    key = {401: "unauthorized", 403: "forbidden", 404: "not_found", 429: "too_many"}.get(
        status, "failed" if status >= 500 else "refused"
    )
    return await render_page(
        "pages/error.html",
        status=status,
        title_key=f"error.{key}.title",
        heading=t(f"error.{key}.title"),
        message=t(f"error.{key}.text"),
    )


@blueprint.errorhandler(SignInRequired)
async def sign_in_required(_: SignInRequired) -> Response:
    back = request.full_path.rstrip("?") if request.method == "GET" else "/batches"
    return see_other(f"/sign-in?next={quote(back, safe='/')}")


@blueprint.errorhandler(DomainError)
async def refused(error: DomainError) -> Response:
    response = await error_page(error.status)
    retry = error.extra.get("retry_after")
    if retry is not None:
        response.headers["Retry-After"] = str(retry)
    return response


@blueprint.app_errorhandler(404)
async def not_found(error: HTTPException) -> Response:
    wants_html = "text/html" in request.headers.get("Accept", "")
    if request.path.startswith(API_PREFIXES) or not wants_html:
        return problem(404, error.name, error.description)
    if g.get("principal") is None and g.get("dishka_container") is not None:
        g.principal = await optional_principal()  # the page's nav for a signed-in user
    return await error_page(404)


@blueprint.errorhandler(ServiceRefused)
async def service_refused(error: ServiceRefused) -> Response:
    status = error.answer.status if error.answer.status >= 400 else 502
    response = await error_page(status)
    retry = error.answer.headers.get("retry-after") or error.answer.headers.get("Retry-After")
    if retry:
        response.headers["Retry-After"] = retry
    return response
