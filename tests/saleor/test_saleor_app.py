"""The plugin as the Dashboard's CRM app inside a real Saleor 3.23: installed from the plugin's manifest URL by
Saleor's own installer, its app token registered, every extension listed, and an extension's token answered."""

import json
from urllib.parse import urlsplit

import pytest
from django.core.management import call_command
from django.test import Client

from crm_saleor_api import mutate
from saleor_crm_plugin.dashboard.pages import BUILD
from saleor_crm_plugin.models import AppRegistration

CONFIGURE = """
mutation Configure($id: ID!, $input: PluginUpdateInput!) {
  pluginUpdate(id: $id, input: $input) { plugin { id } errors { field code message } }
}
"""
APPS = """{ apps(first: 5) { edges { node { id name isActive permissions { code }
  extensions { mountName targetName url settings permissions { code } } } } } }"""
MOUNTS = {"NAVIGATION_CUSTOMERS": "APP_PAGE", "CUSTOMER_DETAILS_WIDGETS": "WIDGET", "ORDER_DETAILS_WIDGETS": "WIDGET",
          "PRODUCT_DETAILS_WIDGETS": "WIDGET", "HOMEPAGE_WIDGETS": "WIDGET"}


@pytest.mark.django_db(transaction=True)
def test_installed_from_the_manifest_url_it_registers_lists_its_extensions_and_answers_their_token(
    staff_client, permission_manage_apps, crm_plugin, live_server
):
    # given: the plugin knows the URL Saleor is reached at (a live server here)
    staff_client.user.user_permissions.add(permission_manage_apps)
    mutate(staff_client, CONFIGURE, {"id": "saleor_crm_plugin.crm", "input": {"configuration": [
        {"name": "public_url", "value": live_server.url}]}}, "pluginUpdate")
    # when: installed as `crm_install_app` does it (Saleor fetches the manifest over HTTP and POSTs the token back)
    call_command("crm_install_app")
    # then: the token Saleor sent is registered, for the app Saleor created
    registration = AppRegistration.objects.get()
    listed = staff_client.post_graphql(APPS).json()
    assert "errors" not in listed, listed
    apps = listed["data"]["apps"]["edges"]
    [app] = [edge["node"] for edge in apps if edge["node"]["name"] == "CRM"]
    assert registration.app_id == app["id"] and app["isActive"] is True
    from django.urls import reverse
    from saleor.core.utils import build_absolute_uri

    assert registration.saleor_api_url == build_absolute_uri(reverse("api"))  # as Saleor names itself
    # and Saleor lists every extension, each at the plugin's page, for MANAGE_USERS
    assert {e["mountName"].upper(): e["targetName"].upper() for e in app["extensions"]} == MOUNTS
    urls = {e["mountName"].upper(): e["url"] for e in app["extensions"]}
    assert urls.pop("NAVIGATION_CUSTOMERS") == "/"  # a sub-path of appUrl, as the Dashboard joins them
    assert all(url.startswith(f"{live_server.url}/plugins/global/saleor_crm_plugin.crm/dashboard/")
               for url in urls.values())
    assert all([p["code"] for p in e["permissions"]] == ["MANAGE_USERS"] for e in app["extensions"])
    assert [p["code"] for p in app["permissions"]] == ["MANAGE_USERS"]
    [home] = [e for e in app["extensions"] if e["mountName"].upper() == "HOMEPAGE_WIDGETS"]
    assert home["settings"] == {"homeWidgetTarget": {"method": "GET"}}
    # and the token Saleor makes for an extension (the app's permissions ∩ the staff member's) is answered
    from saleor.app.models import App, AppExtension
    from saleor.core.jwt import create_access_token_for_app_extension

    saleor_app = App.objects.get(name="CRM")
    extension = AppExtension.objects.get(app=saleor_app, mount="customer_details_widgets")
    token = create_access_token_for_app_extension(extension, saleor_app.permissions.all(), staff_client.user,
                                                  saleor_app)
    # (in this thread, with Django's test client: Saleor's replica alias follows the test database only here)
    client = Client()
    api = client.post("/plugins/global/saleor_crm_plugin.crm/graphql/",
                      data=json.dumps({"query": "{ crmCustomers(first: 1) { totalCount } }"}),
                      content_type="application/json", HTTP_AUTHORIZATION=f"Bearer {token}")
    assert api.status_code == 200 and "errors" not in api.json(), api.content
    page = client.get(urlsplit(extension.url).path)
    if (BUILD / "customer-widget.html").is_file():
        assert page.status_code == 200 and "frame-ancestors" in page["Content-Security-Policy"]
    else:
        assert page.status_code == 503 and b"npm run build" in page.content
    # and the app token is kept sealed: the column does not hold it, the model reads it back
    token_sent = registration.app_token()
    assert saleor_app.tokens.filter(token_last_4=token_sent[-4:]).exists()
    assert token_sent not in registration.sealed_token
    # and a registration from anywhere else is refused
    forged = client.post("/plugins/global/saleor_crm_plugin.crm/register",
                         data=json.dumps({"auth_token": "forged-token-0000"}), content_type="application/json",
                         HTTP_SALEOR_API_URL=registration.saleor_api_url)
    assert forged.status_code == 403 and AppRegistration.objects.get().app_token() == token_sent
    # and so is one with the token Saleor issued to another app of the shop; the registration stays
    other_app = App.objects.create(name="Other", identifier="someone-elses-app", is_active=True)
    other_app.permissions.set(saleor_app.permissions.all())
    _, other_token = other_app.tokens.create(name="Default token")
    refused = client.post("/plugins/global/saleor_crm_plugin.crm/register",
                          data=json.dumps({"auth_token": other_token}), content_type="application/json",
                          HTTP_SALEOR_API_URL=registration.saleor_api_url)
    assert refused.status_code == 403
    assert (AppRegistration.objects.get().app_id, AppRegistration.objects.get().app_token()) == (
        registration.app_id, token_sent)
    # and an extension token Saleor signed for that other app (MANAGE_USERS too) reads nothing
    other_extension = AppExtension.objects.create(app=other_app, label="Other", url="https://other.example.com/",
                                                  mount="customer_details_widgets", target="widget")
    other_extension.permissions.set(saleor_app.permissions.all())
    foreign = create_access_token_for_app_extension(other_extension, other_app.permissions.all(),
                                                    staff_client.user, other_app)
    answer = client.post("/plugins/global/saleor_crm_plugin.crm/graphql/",
                         data=json.dumps({"query": "{ crmCustomers(first: 1) { totalCount } }"}),
                         content_type="application/json", HTTP_AUTHORIZATION=f"Bearer {foreign}")
    assert answer.status_code == 403 and answer.json()["errors"][0]["extensions"]["code"] == "permission_denied"
