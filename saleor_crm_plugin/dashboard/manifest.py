"""The App manifest Saleor installs the CRM's Dashboard extension from.

Every URL is absolute, under the plugin's path on the shop's public URL
(``/plugins/global/<plugin id>/…``), so the same manifest works for an
install through the Dashboard's "Install external app" and for
``crm_install_app``. The app asks for ``MANAGE_USERS`` only: everything the
extension shows is customer data, read from the CRM's own API, and the token
the Dashboard hands an extension carries the app's permissions intersected
with the staff member's.
"""

from importlib import metadata

from ..campaigns.mail import plugin_url

APP_ID = "saleor-crm-plugin"
PERMISSIONS = ["MANAGE_USERS"]
# (label, mount, target, page): the pages are the built entries of dashboard_extension/.
# The Dashboard opens an APP_PAGE extension at appUrl joined with the extension's URL (a sub-path: "/"
# is the app page itself), and loads home widgets by a form POST unless told to GET (our pages read
# their parameters from the query string).
EXTENSIONS = [
    ("CRM", "NAVIGATION_CUSTOMERS", "APP_PAGE", "app"),
    ("Customer record (CRM)", "CUSTOMER_DETAILS_WIDGETS", "WIDGET", "customer-widget"),
    ("Customer summary (CRM)", "ORDER_DETAILS_WIDGETS", "WIDGET", "order-widget"),
    ("Bought together (CRM)", "PRODUCT_DETAILS_WIDGETS", "WIDGET", "product-widget"),
    ("Customers (CRM)", "HOMEPAGE_WIDGETS", "WIDGET", "home-widget"),
]
PAGES = frozenset(page for *_, page in EXTENSIONS)


def page_url(page: str) -> str:
    """The absolute URL of one extension page."""
    return plugin_url(f"dashboard/{page}")


def app_manifest() -> dict:
    """The manifest (Saleor's App manifest format, camelCase keys)."""
    try:
        version = metadata.version("saleor-crm-plugin")
    except metadata.PackageNotFoundError:  # run from a checkout that was never installed
        version = "0.0.0"
    return {
        "id": APP_ID,
        "version": version,
        "name": "CRM",
        "about": "Customer profiles, segments, email campaigns and recommendations, inside the Dashboard.",
        "author": "saleor-crm-plugin",
        "permissions": PERMISSIONS,
        "appUrl": page_url("app"),
        "tokenTargetUrl": plugin_url("register"),
        "dataPrivacyUrl": page_url("app"),
        "homepageUrl": page_url("app"),
        "supportUrl": page_url("app"),
        "extensions": [_extension(label, mount, target, page) for label, mount, target, page in EXTENSIONS],
    }


def _extension(label: str, mount: str, target: str, page: str) -> dict:
    extension = {"identifier": page, "label": label, "mount": mount, "target": target, "permissions": PERMISSIONS,
                 "url": "/" if target == "APP_PAGE" else page_url(page)}
    if mount == "HOMEPAGE_WIDGETS":
        extension["options"] = {"homeWidgetTarget": {"method": "GET"}}
    return extension
