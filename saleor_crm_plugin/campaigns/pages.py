"""The pages a mail's links open, with no login: unsubscribe (RFC 8058 one-click) and subscription confirmation.

GET only shows a page with a button: link scanners and mail-security
proxies fetch every link in a mail, and must never unsubscribe or confirm
anyone. POST acts — the button, or a mail client's one-click
``List-Unsubscribe=One-Click`` POST, which carries no cookie and no CSRF
token (the signed token is the proof). A tampered or foreign token gets an
error page and changes nothing. Served by the plugin's ``webhook()`` in
Saleor and at the same path by the standalone host.
"""

from django.http import HttpResponse
from django.utils.html import format_html

from ..config import get_text_setting
from ..errors import CRMError
from . import consent, tokens, tracking

PAGE = """<!doctype html><html lang="en"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1"><meta name="robots" content="noindex">
<title>{title}</title><style>body{{font-family:system-ui,sans-serif;max-width:32rem;margin:4rem auto;padding:0 1rem;
color:#1f2933}}button{{font-size:1rem;padding:.6rem 1.2rem;border-radius:.4rem;border:0;background:#1f2933;color:#fff;
cursor:pointer}}</style></head><body><h1>{title}</h1><p>{message}</p>{form}</body></html>"""
FORM = '<form method="post"><button type="submit">{label}</button></form>'
HEADERS = {
    "Content-Security-Policy": "default-src 'none'; style-src 'unsafe-inline'; form-action 'self'; "
                               "frame-ancestors 'none'",
    "Referrer-Policy": "no-referrer",
    "Cache-Control": "no-store",
    "X-Robots-Tag": "noindex",
}


def _page(title: str, message: str, *, form_label: str | None = None, status: int = 200) -> HttpResponse:
    form = format_html(FORM, label=form_label) if form_label else ""
    response = HttpResponse(format_html(PAGE, title=title, message=message, form=form), status=status,
                            content_type="text/html; charset=utf-8")
    for name, value in HEADERS.items():
        response[name] = value
    return response


def _shop() -> str:
    return get_text_setting("shop_name") or get_text_setting("from_name") or "this shop"


def _link_page(request, token: str, purpose: str, act, *, ask: tuple[str, str], button: str) -> HttpResponse:
    """The shared flow: a bad token → error page; GET → ``ask`` with a button; POST → ``act(token, payload)``."""
    try:
        payload = tokens.read_token(purpose, token)  # a confirmation's expiry is checked when it acts
        if request.method == "POST":
            return _page(*act(token, payload))
    except CRMError as error:
        return _page("This link does not work", f"{error.message} Nothing was changed.", status=400)
    if request.method not in ("GET", "HEAD"):
        return _page("Not allowed", "Use the button on the page.", status=405)
    return _page(*ask, form_label=button)


def _unsubscribe(token: str, payload: dict) -> tuple[str, str]:
    consent.unsubscribe_by_token(token)
    return ("You are unsubscribed", f"You will get no more marketing mail from {_shop()} in the "
            f"{payload.get('c')} channel. Order and account mails still reach you.")


def _confirm(token: str, payload: dict) -> tuple[str, str]:
    current = consent.confirm(token)
    return ("You are subscribed", f"Thank you: {_shop()} will send you news in the {current.channel} channel. "
            "Every mail has a link to unsubscribe.")


def unsubscribe_page(request, token: str) -> HttpResponse:
    """GET: ask; POST (the button or a one-click client): unsubscribe the link's recipient in its channel."""
    return _link_page(request, token, tokens.UNSUBSCRIBE, _unsubscribe, button="Unsubscribe",
                      ask=("Unsubscribe?", f"Stop marketing mail from {_shop()}."))


def confirm_page(request, token: str) -> HttpResponse:
    """GET: ask; POST: confirm a double opt-in subscription."""
    return _link_page(request, token, tokens.CONFIRM, _confirm, button="Confirm",
                      ask=("Confirm your subscription", f"Receive news and offers from {_shop()} by email."))


# click/<token>: a tracked link; tracking/<provider>/: the ESP's tracking webhook (anymail checks it).
ROUTES = {"unsubscribe": unsubscribe_page, "confirm": confirm_page, "click": tracking.click_page,
          "tracking": tracking.tracking_webhook}


def route_link(routes: dict, request, path: str) -> HttpResponse | None:
    """The page for ``<kind>/<token>`` among ``routes`` (kind → view), or None when ``path`` is none of them."""
    kind, _, token = path.strip("/").partition("/")
    view = routes.get(kind)
    if view is None or not token or "/" in token:
        return None
    return view(request, token)


def route(request, path: str) -> HttpResponse | None:
    """The unsubscribe, confirmation or click page, or the tracking webhook, for ``path`` under the plugin's path;
    None when it is none of them."""
    return route_link(ROUTES, request, path)
