"""The web app's one blueprint: pages at ``/``, assets at ``/assets/…`` (``static/``),
templates in ``templates/`` (``base.html`` is the layout every page extends)."""

from __future__ import annotations

from quart import Blueprint

blueprint = Blueprint(
    "web",
    __name__,
    template_folder="templates",
    static_folder="static",
    static_url_path="/assets",
)
