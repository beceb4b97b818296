"""The plugin's Dashboard endpoints by path (under ``/plugins/global/<plugin id>/``), for Saleor and the host."""

from django.http import HttpResponse, JsonResponse

from .manifest import app_manifest
from .pages import asset, extension_page
from .registration import Verifier, register


def manifest_view(request) -> HttpResponse:
    """The App manifest (JSON); Saleor fetches it when staff install the app."""
    response = JsonResponse(app_manifest())
    response["Access-Control-Allow-Origin"] = "*"  # the Dashboard may read it from the browser too
    return response


def route(request, path: str, verify: Verifier, api_url=None) -> HttpResponse | None:
    """The response for ``manifest``, ``register``, ``dashboard/<page>`` or ``dashboard/assets/<file>``;
    None when ``path`` is none of them. ``verify`` and ``api_url``: see ``registration.register``."""
    parts = path.strip("/").split("/")
    if parts == ["manifest"]:
        return manifest_view(request)
    if parts == ["register"]:
        return register(request, verify, api_url)
    if len(parts) == 2 and parts[0] == "dashboard":
        return extension_page(request, parts[1])
    if len(parts) == 3 and parts[:2] == ["dashboard", "assets"]:
        return asset(request, parts[2])
    return None
