"""What every page shares: the templates with their Dutch filters, the route class that turns
a refusal into a page (sign-in, 403, 404, 429) instead of a JSON body, and the navigation of
each role."""

from __future__ import annotations

from collections.abc import Callable, Coroutine
from pathlib import Path
from typing import Any

from fastapi import Request, Response
from fastapi.responses import HTMLResponse, RedirectResponse
from fastapi.routing import APIRoute
from fastapi.templating import Jinja2Templates

from api.pages.session import CsrfRefused, SignInRequired, Viewer
from spreiding.domain.access import ApiKeyNotFound, TooManyFailedAttempts
from spreiding.domain.run_errors import RunNotFound
from spreiding.render import web
from spreiding.services.errors import Forbidden, NotFound

TEMPLATES = Jinja2Templates(directory=Path(__file__).resolve().parent.parent / "templates")
TEMPLATES.env.filters.update(
    euro=web.euro,
    datum=web.datum,
    reden=web.reason_nl,
    aandeel=web.share,
    plan_mark=web.plan_mark,
    betaling_nl=lambda s: web.PAYMENT_STATUS_NL.get(s, s),
    status_nl=lambda s: web.STATUS_NL.get(s, s),
    soort_nl=lambda s: web.KIND_NL.get(s, s),
    verrekening_nl=lambda s: web.NETTING_NL.get(s, s),
    overdracht_nl=lambda s: web.TRANSFER_STATUS_NL.get(s, s),
    rol_nl=lambda s: web.ROLE_NL.get(s, s),
    wijziging_nl=lambda s: web.CHANGE_NL.get(s, s) if s else "",
)

PREFIX = "/portaal"
SIGN_IN = f"{PREFIX}/inloggen"

# (path, label, roles that see it)
NAVIGATION = (
    (f"{PREFIX}/verrekeningen", "Verrekeningen", ("admin", "hospital")),
    (f"{PREFIX}/controles", "Controles", ("admin", "insurer", "hospital")),
    (f"{PREFIX}/overeenkomsten", "Overeenkomsten", ("admin", "bureau", "hospital", "insurer")),
    (f"{PREFIX}/overdrachten", "Overdrachten", ("admin", "bureau", "hospital")),
    (f"{PREFIX}/uren", "Uren", ("admin", "bureau", "hospital")),
    (f"{PREFIX}/volumes", "Volumes", ("admin", "bureau", "hospital")),
    (f"{PREFIX}/simulatie", "Simulatie", ("admin", "bureau", "hospital")),
    (f"{PREFIX}/gebeurtenissen", "Gebeurtenissen", ("admin", "hospital")),
    (f"{PREFIX}/datasets", "Datasets", ("admin",)),
    (f"{PREFIX}/sleutels", "API-sleutels", ("admin",)),
)


def page(
    request: Request,
    template: str,
    viewer: Viewer | None,
    *,
    status: int = 200,
    **context: Any,
) -> HTMLResponse:
    navigation = (
        [(path, label) for path, label, roles in NAVIGATION if viewer.principal.role in roles]
        if viewer
        else []
    )
    return TEMPLATES.TemplateResponse(
        request,
        template,
        {"viewer": viewer, "navigation": navigation, "prefix": PREFIX, **context},
        status_code=status,
    )


def _refusal(request: Request, status: int, title: str, message: str) -> HTMLResponse:
    return page(request, "melding.html", None, status=status, title=title, message=message)


# Every page: only the server's own scripts, styles and images, in no other site's frame (a
# form in a frame could be clicked unseen), and not kept by the browser or a proxy (a page
# shows a tenant's money; the back button after sign-out must not show it again).
HEADERS = {
    "Content-Security-Policy": "default-src 'self'; frame-ancestors 'none'; form-action 'self'",
    "X-Frame-Options": "DENY",
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "same-origin",
    "Cache-Control": "no-store",
}


class PageRoute(APIRoute):
    """A page's refusals as pages: no session → sign-in; another tenant's or an unknown id
    → 404 (the two read the same, as in the API); a role that may not → 403; a form without
    its token → 403."""

    def get_route_handler(self) -> Callable[[Request], Coroutine[Any, Any, Response]]:
        handler = super().get_route_handler()

        async def paged(request: Request) -> Response:
            response = await refused_as_page(request)
            response.headers.update(HEADERS)
            return response

        async def refused_as_page(request: Request) -> Response:
            try:
                return await handler(request)
            except SignInRequired:
                return RedirectResponse(SIGN_IN, status_code=303)
            except CsrfRefused:
                return _refusal(
                    request,
                    403,
                    "Formulier geweigerd",
                    "Het formulier kwam zonder geldige beveiligingscode. "
                    "Laad de pagina opnieuw en probeer het nog eens.",
                )
            except (NotFound, RunNotFound, ApiKeyNotFound):
                return _refusal(
                    request, 404, "Niet gevonden", "Deze pagina bestaat niet of is niet zichtbaar."
                )
            except Forbidden:
                return _refusal(
                    request, 403, "Geen toegang", "Uw sleutel geeft geen toegang tot deze pagina."
                )
            except TooManyFailedAttempts as exc:
                response = _refusal(
                    request,
                    429,
                    "Te veel pogingen",
                    f"Te veel mislukte aanmeldingen. Probeer het over {exc.retry_after} "
                    "seconden opnieuw.",
                )
                response.headers["Retry-After"] = str(exc.retry_after)
                return response

        return paged
