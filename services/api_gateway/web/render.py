"""The page-rendering helper every page uses: ``await render_page("pages/x.html", ...)``.

Gives each template ``t`` (the translator), ``lang``, ``principal`` (or None), ``csrf`` (the
session's CSRF token for forms: ``{{ csrf_field() }}``), ``nav`` (the links of the top bar for
this principal), ``here`` (the path, for the language switch) and whatever the page passes.
The answer is ``text/html``; its language is in ``Content-Language`` and it varies with the
language cookie and Accept-Language."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from markupsafe import Markup, escape
from quart import Response, g, render_template, request

from services.api_gateway.domain import Principal
from services.api_gateway.web.auth import CSRF_FIELD, csrf_token
from services.api_gateway.web.i18n import LANG_COOKIE, Translator, choose


@dataclass(frozen=True, slots=True)
class NavLink:
    href: str
    key: str  # message key
    current: bool = False


def translator() -> Translator:
    known = g.get("web_translator")
    if known is None:
        known = Translator(
            choose(request.cookies.get(LANG_COOKIE), request.headers.get("Accept-Language"))
        )
        g.web_translator = known
    return known


def nav_for(principal: Principal | None) -> list[NavLink]:
    path = request.path
    if principal is None:
        return []
    if principal.kind == "judge":
        home = f"/batches/{principal.judge_batch_id}/judge"
        return [NavLink(home, "nav.judging", path == home)]
    links = [
        NavLink("/batches", "nav.batches", path == "/batches"),
        NavLink("/batches/new", "nav.new_batch", path == "/batches/new"),
    ]
    if principal.is_admin:
        links.append(NavLink("/admin", "nav.admin", path.startswith("/admin")))
    return links


def csrf_field() -> Markup:
    return Markup('<input type="hidden" name="{}" value="{}">').format(
        CSRF_FIELD, escape(csrf_token())
    )


async def render_page(
    template: str, *, status: int = 200, headers: dict[str, str] | None = None, **context: Any
) -> Response:
    t = translator()
    principal = g.get("principal")
    html = await render_template(
        template,
        t=t,
        lang=t.lang,
        principal=principal,
        csrf=csrf_token(),
        csrf_field=csrf_field,
        nav=nav_for(principal),
        here=request.full_path.rstrip("?") if request.query_string else request.path,
        **context,
    )
    response = Response(html, status=status, content_type="text/html; charset=utf-8")
    response.headers["Content-Language"] = t.lang
    response.headers["Vary"] = "Cookie, Accept-Language"
    for key, value in (headers or {}).items():
        response.headers[key] = value
    return response


def see_other(location: str) -> Response:
    """303 to a path of this site (after a form: the browser GETs it)."""
    response = Response("", status=303)
    response.headers["Location"] = location
    return response
