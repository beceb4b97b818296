"""The token the Dashboard hands an extension: it counts only for the CRM's registered app, and then the app's
permissions intersected with the staff member's decide."""

import pytest
from graphql_relay import to_global_id

from crm_host.devjwks import DEFAULT_APP
from saleor_crm_plugin.models import AppRegistration
from saleor_crm_plugin.models.app import save_registration
from tests.graphql.conftest import ISSUER, error_codes, staff_token

pytestmark = pytest.mark.django_db

STAFF_QUERY = "{ crmCustomers(first: 1) { totalCount } }"
OTHER_APP = to_global_id("App", "99")


def test_an_extension_token_of_the_registered_app_with_manage_users_reads_staff_data(gql, registered_app):
    status, body = gql(STAFF_QUERY, bearer=ISSUER.extension_token())
    assert status == 200 and "errors" not in body and body["data"]["crmCustomers"]["totalCount"] == 0


def test_an_extension_token_of_another_app_is_refused_whatever_its_permissions(gql, registered_app):
    # when: Saleor signed it for App:99, an app installed beside the CRM's, for a staff member with MANAGE_USERS
    status, body = gql(STAFF_QUERY, bearer=ISSUER.extension_token(app=OTHER_APP))
    # then
    assert status == 403 and error_codes(body) == ["permission_denied"] and body["data"] is None
    assert "another app" in body["errors"][0]["message"]


@pytest.mark.parametrize("app", [None, "", 1, ["QXBwOjE="], "App:1"])
def test_an_extension_token_without_the_registered_apps_global_id_is_refused(gql, registered_app, app):
    status, body = gql(STAFF_QUERY, bearer=ISSUER.extension_token(app=app))
    assert status == 403 and error_codes(body) == ["permission_denied"]


def test_with_no_app_registered_no_extension_token_counts(gql):
    # given: the CRM app was never installed
    assert not AppRegistration.objects.exists()
    # when
    status, body = gql(STAFF_QUERY, bearer=ISSUER.extension_token())
    # then
    assert status == 403 and error_codes(body) == ["permission_denied"]
    assert "No Dashboard app is registered" in body["errors"][0]["message"]


def test_an_app_registered_for_another_saleor_does_not_count(gql):
    # given: a registration left from another Saleor API URL (the shop moved), for the token's app
    save_registration("https://old-shop.example.com/graphql/", DEFAULT_APP, "old-token")
    # when
    status, body = gql(STAFF_QUERY, bearer=ISSUER.extension_token())
    # then
    assert status == 403 and error_codes(body) == ["permission_denied"]


def test_staff_access_tokens_do_not_need_a_registered_app(gql):
    status, body = gql(STAFF_QUERY, bearer=staff_token())
    assert status == 200 and "errors" not in body


def test_after_a_reinstall_only_the_new_apps_tokens_count(gql, registered_app, settings):
    # given: the old app's token was accepted (and its id is cached in this process)
    assert "errors" not in gql(STAFF_QUERY, bearer=ISSUER.extension_token())[1]
    # when: the app is reinstalled, so Saleor gives it a new id
    new_app = to_global_id("App", "2")
    save_registration(settings.SALEOR_CRM_SALEOR_URL, new_app, ISSUER.issue_app_token(new_app))
    # then
    old = gql(STAFF_QUERY, bearer=ISSUER.extension_token())
    new = gql(STAFF_QUERY, bearer=ISSUER.extension_token(app=new_app))
    assert old[0] == 403 and error_codes(old[1]) == ["permission_denied"]
    assert new[0] == 200 and "errors" not in new[1]


@pytest.mark.parametrize(("app_permissions", "user_permissions"), [
    ((), ("MANAGE_USERS",)),  # the staff member may, the app may not: the extension may not
    (("MANAGE_USERS",), ()),  # the app may, the staff member may not
    (("MANAGE_ORDERS",), ("MANAGE_USERS", "MANAGE_ORDERS")),
])
def test_without_manage_users_on_both_sides_the_extension_is_refused(gql, registered_app, app_permissions,
                                                                      user_permissions):
    _, body = gql(STAFF_QUERY, bearer=ISSUER.extension_token(app_permissions=app_permissions,
                                                             user_permissions=user_permissions))
    assert error_codes(body) == ["permission_denied"]
