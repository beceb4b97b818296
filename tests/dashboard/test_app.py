"""The plugin as the Dashboard's CRM app: manifest, registration of the app token, the pages and their framing."""

import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from django.test import override_settings

from saleor_crm_plugin.dashboard import pages
from saleor_crm_plugin.dashboard.manifest import PAGES
from saleor_crm_plugin.models import AppRegistration

BASE = "/plugins/global/saleor_crm_plugin.crm/"
MOUNTS = {"NAVIGATION_CUSTOMERS": "APP_PAGE", "CUSTOMER_DETAILS_WIDGETS": "WIDGET", "ORDER_DETAILS_WIDGETS": "WIDGET",
          "PRODUCT_DETAILS_WIDGETS": "WIDGET", "HOMEPAGE_WIDGETS": "WIDGET"}
KNOWN_TOKEN = "app-token-issued-by-saleor-1234"


class StandInSaleor(BaseHTTPRequestHandler):
    """Saleor's API as far as registration asks it: ``{ app { id } }`` for the token it issued."""

    def do_POST(self):  # noqa: N802 - http.server's name
        length = int(self.headers.get("Content-Length", 0))
        query = json.loads(self.rfile.read(length))["query"]
        known = self.headers.get("Authorization") == f"Bearer {KNOWN_TOKEN}" and "app" in query
        body = {"data": {"app": {"id": "QXBwOjc="}}} if known else {"data": {"app": None}}
        encoded = json.dumps(body).encode()
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(encoded)))
        self.end_headers()
        self.wfile.write(encoded)

    def log_message(self, *args):
        pass


@pytest.fixture
def saleor_api():
    server = ThreadingHTTPServer(("127.0.0.1", 0), StandInSaleor)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    url = f"http://127.0.0.1:{server.server_address[1]}/graphql/"
    with override_settings(SALEOR_CRM_SALEOR_URL=url, SALEOR_CRM={"public_url": "https://shop.example.com"}):
        yield url
    server.shutdown()


@pytest.fixture
def built(tmp_path, monkeypatch):
    """Built pages in a temporary folder, as ``npm run build`` writes them."""
    (tmp_path / "assets").mkdir()
    for page in PAGES:
        (tmp_path / f"{page}.html").write_text(f"<!doctype html><title>{page}</title>"
                                                f"<script type=module src=./assets/{page}-abc123.js></script>")
    (tmp_path / "assets" / "app-abc123.js").write_text("console.log('crm')")
    monkeypatch.setattr(pages, "BUILD", tmp_path)
    return tmp_path


@override_settings(SALEOR_CRM={"public_url": "https://shop.example.com"})
def test_the_manifest_names_every_extension_with_absolute_urls_and_their_permissions(client, db):
    # when
    response = client.get(f"{BASE}manifest")
    manifest = response.json()
    # then
    assert response.status_code == 200 and manifest["permissions"] == ["MANAGE_USERS"]
    assert manifest["tokenTargetUrl"] == "https://shop.example.com/plugins/global/saleor_crm_plugin.crm/register"
    assert {e["mount"]: e["target"] for e in manifest["extensions"]} == MOUNTS
    # the app page is a sub-path of appUrl (the Dashboard joins them); widgets are absolute
    urls = {e["mount"]: e["url"] for e in manifest["extensions"]}
    assert urls.pop("NAVIGATION_CUSTOMERS") == "/"
    assert all(url.startswith("https://shop.example.com/plugins/global/saleor_crm_plugin.crm/dashboard/")
               and url.endswith("-widget") for url in urls.values())
    # home widgets are loaded by GET (our pages read the query string), not the Dashboard's default POST
    assert [e.get("options") for e in manifest["extensions"] if e["mount"] == "HOMEPAGE_WIDGETS"] == [
        {"homeWidgetTarget": {"method": "GET"}}]
    assert all(e["permissions"] == ["MANAGE_USERS"] for e in manifest["extensions"])
    assert manifest["appUrl"].endswith("/dashboard/app") and len({e["identifier"] for e in manifest["extensions"]}) == 5


@pytest.mark.django_db
def test_registration_keeps_the_token_saleor_issued_and_says_nothing_about_it(client, saleor_api):
    # when
    response = client.post(f"{BASE}register", data=json.dumps({"auth_token": KNOWN_TOKEN}),
                           content_type="application/json", HTTP_SALEOR_API_URL=saleor_api)
    # then
    assert (response.status_code, response.json()) == (200, {"success": True})
    registration = AppRegistration.objects.get()
    assert (registration.saleor_api_url, registration.app_id, registration.auth_token) == (
        saleor_api, "QXBwOjc=", KNOWN_TOKEN)
    assert KNOWN_TOKEN not in response.content.decode()
    # a reinstall replaces it
    client.post(f"{BASE}register", data=json.dumps({"auth_token": KNOWN_TOKEN}), content_type="application/json",
                HTTP_SALEOR_API_URL=saleor_api)
    assert AppRegistration.objects.count() == 1


@pytest.mark.django_db
@pytest.mark.parametrize(("method", "body", "api_url", "status"), [
    ("get", None, "ours", 405),
    ("post", "not json", "ours", 400),
    ("post", json.dumps({"auth_token": ""}), "ours", 400),
    ("post", json.dumps(["auth_token"]), "ours", 400),
    ("post", json.dumps({"auth_token": "x" * 300}), "ours", 400),
    ("post", json.dumps({"auth_token": "y" * 5000}), "ours", 400),
    ("post", json.dumps({"auth_token": KNOWN_TOKEN}), "https://evil.example.com/graphql/", 403),
    ("post", json.dumps({"auth_token": KNOWN_TOKEN}), None, 403),
    ("post", json.dumps({"auth_token": "a-token-saleor-never-issued"}), "ours", 403),
])
def test_a_registration_not_from_this_shops_saleor_stores_nothing(client, saleor_api, method, body, api_url, status):
    headers = {"HTTP_SALEOR_API_URL": saleor_api if api_url == "ours" else api_url} if api_url else {}
    if method == "get":
        response = client.get(f"{BASE}register", **headers)
    else:
        response = client.post(f"{BASE}register", data=body, content_type="application/json", **headers)
    assert response.status_code == status and response.json()["success"] is False
    assert not AppRegistration.objects.exists()


@pytest.mark.django_db
@override_settings(SALEOR_CRM={"public_url": "https://api.shop.example.com",
                               "dashboard_origins": "https://dashboard.shop.example.com"})
def test_pages_may_be_framed_by_the_dashboard_only_and_assets_are_immutable(client, built):
    # when
    page = client.get(f"{BASE}dashboard/customer-widget")
    script = client.get(f"{BASE}dashboard/assets/app-abc123.js")
    # then
    assert page.status_code == 200 and b"customer-widget" in page.content
    policy = page["Content-Security-Policy"]
    assert "frame-ancestors https://dashboard.shop.example.com" in policy and "script-src 'self'" in policy
    assert script.status_code == 200 and script["Content-Type"].startswith("text/javascript")
    assert "immutable" in script["Cache-Control"]
    for bad in ("dashboard/admin", "dashboard/assets/..%2fapp.html", "dashboard/assets/.env",
                "dashboard/assets/missing.js"):
        assert client.get(f"{BASE}{bad}").status_code == 404, bad


@pytest.mark.django_db
@override_settings(SALEOR_CRM={"public_url": "https://api.shop.example.com"})
def test_by_default_only_the_public_urls_origin_may_frame_them(client, built):
    assert client.get(f"{BASE}dashboard/app")["Content-Security-Policy"].endswith(
        "frame-ancestors https://api.shop.example.com")


@pytest.mark.django_db
def test_an_unbuilt_page_says_how_to_build_it(client, tmp_path, monkeypatch):
    monkeypatch.setattr(pages, "BUILD", tmp_path)
    response = client.get(f"{BASE}dashboard/app")
    assert response.status_code == 503 and b"npm run build" in response.content
