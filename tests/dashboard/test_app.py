"""The plugin as the Dashboard's CRM app: the manifest, the pages and their framing (registration of the app
token: test_registration.py)."""

import pytest
from django.test import override_settings

from crm_host.devjwks import CRM_APP_IDENTIFIER
from saleor_crm_plugin.dashboard import pages
from saleor_crm_plugin.dashboard.manifest import PAGES

BASE = "/plugins/global/saleor_crm_plugin.crm/"
MOUNTS = {"NAVIGATION_CUSTOMERS": "APP_PAGE", "CUSTOMER_DETAILS_WIDGETS": "WIDGET", "ORDER_DETAILS_WIDGETS": "WIDGET",
          "PRODUCT_DETAILS_WIDGETS": "WIDGET", "HOMEPAGE_WIDGETS": "WIDGET"}


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
    # the id Saleor copies into the app's identifier, which registration requires (the stand-in Saleor knows it)
    assert manifest["id"] == CRM_APP_IDENTIFIER == "saleor-crm-plugin"


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
