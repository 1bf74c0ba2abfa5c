"""The web app's one blueprint: pages at ``/``, assets at ``/assets/…`` (``static/``),
templates in ``templates/`` (``base.html`` is the layout every page extends)."""

from __future__ import annotations

from quart import Blueprint, Response, request

blueprint = Blueprint(
    "web",
    __name__,
    template_folder="templates",
    static_folder="static",
    static_url_path="/assets",
)


@blueprint.after_request
async def cache_assets(response: Response) -> Response:
    """Assets may be cached for an hour (pages stay ``no-store``, the gateway's default)."""
    if request.endpoint == "web.static" and response.status_code == 200:
        response.headers["Cache-Control"] = "public, max-age=3600"
    return response
