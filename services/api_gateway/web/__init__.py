"""The teachers' web app (issue 14), served by the gateway at ``/``.

Server-rendered pages (Quart's Jinja templates) with a little script (``static/app.js``); no
inline script or style, no asset from outside the platform. Every page authenticates with the
gateway's own sessions (``auth.page_principal``; CSRF from the form field or header) and
reaches the services only through the gateway's forwarding (``gateway.Gateway`` around
``ForwardRequest``: the same ownership checks and limits as the public API).

Where things are: the blueprint ``blueprint.py``; the layout ``templates/base.html``; the
page helper ``render.render_page``; messages ``i18n.py`` + ``messages/{en,sv}.json``; page
routes ``pages/*.py``; page use cases ``use_cases.py``; assets ``static/`` (vendored ones and
their licences in ``static/vendor/README.md``).

URLs. WEB CORE: ``/`` (-> batches, or the judge's page), ``/sign-in``, ``/sign-out``,
``/judge`` (accept an invitation: ``/judge#invitation=<token>``, the gateway's invitation
link), ``/language/<en|sv>``, ``/batches``, ``/batches/new``, ``/batches/<id>/upload``,
``/batches/<id>/progress``, ``/batches/<id>/results`` (+ ``.csv``), ``/essays/<id>``.
WEB JUDGING: ``/batches/<id>/judge`` (judging; where a judge lands after accepting an
invitation), ``/batches/<id>/judges``, ``/admin``.
"""

from services.api_gateway.web.blueprint import blueprint
from services.api_gateway.web.pages import errors, session, teacher  # noqa: F401  (routes)

__all__ = ["blueprint"]

# WEB JUDGING's pages (7-9): judging, judges, admin
from services.api_gateway.web.pages import judging  # noqa: F401
