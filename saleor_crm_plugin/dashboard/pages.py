"""The Dashboard extension's pages and assets, served by the plugin (built by ``dashboard_extension/``).

Pages load only inside the Dashboard's iframe: ``Content-Security-Policy:
frame-ancestors`` names the Dashboard's origins (setting
``dashboard_origins``; default the shop's public URL's origin), so any other
site that frames them gets nothing (Saleor has no clickjacking middleware).
Assets carry content hashes in their names and are cached for a year.
"""

import mimetypes
import re
from pathlib import Path
from urllib.parse import urlsplit

from django.http import FileResponse, HttpResponse

from ..config import get_text_setting
from ..errors import CRMError
from .manifest import PAGES

BUILD = Path(__file__).resolve().parent.parent / "static" / "saleor_crm_plugin" / "dashboard"
ASSET_NAME = re.compile(r"[A-Za-z0-9_.-]{1,200}")
ONE_YEAR = 365 * 24 * 3600


def frame_ancestors() -> str:
    """The origins that may frame the pages (``dashboard_origins``, else the public URL's origin)."""
    configured = get_text_setting("dashboard_origins").split()
    if configured:
        return " ".join(configured)
    try:
        from ..campaigns.mail import public_url

        parts = urlsplit(public_url())
        return f"{parts.scheme}://{parts.netloc}"
    except CRMError:  # no public URL: only the page's own origin
        return "'self'"


def content_security_policy() -> str:
    return (f"default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' https: data:; "
            f"connect-src 'self'; font-src 'self' data:; frame-ancestors {frame_ancestors()}")


def extension_page(request, page: str) -> HttpResponse:
    """One built page (``app``, ``customer-widget``, …); 404 for any other name, 503 when not built."""
    if page not in PAGES:
        return HttpResponse("No such CRM page.", status=404, content_type="text/plain")
    source = BUILD / f"{page}.html"
    if not source.is_file():
        return HttpResponse("The CRM's Dashboard pages are not built: run `npm run build` in dashboard_extension/ "
                            "(bin/setup does) before installing the package.", status=503, content_type="text/plain")
    response = HttpResponse(source.read_bytes(), content_type="text/html; charset=utf-8")
    response["Content-Security-Policy"] = content_security_policy()
    response["Referrer-Policy"] = "no-referrer"
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "no-cache"
    return response


def asset(request, name: str) -> HttpResponse:
    """A built asset (JavaScript, CSS, fonts) by its file name; 404 for anything else."""
    path = BUILD / "assets" / name
    if not ASSET_NAME.fullmatch(name) or name.startswith(".") or not path.is_file():
        return HttpResponse("No such asset.", status=404, content_type="text/plain")
    content_type = mimetypes.guess_type(name)[0] or "application/octet-stream"
    response = FileResponse(path.open("rb"), content_type=content_type)
    response["Cache-Control"] = f"public, max-age={ONE_YEAR}, immutable"
    response["X-Content-Type-Options"] = "nosniff"
    return response
