"""The token the Dashboard hands an extension: the app's permissions intersected with the staff member's decide."""

import pytest

from tests.graphql.conftest import ISSUER, error_codes

pytestmark = pytest.mark.django_db

STAFF_QUERY = "{ crmCustomers(first: 1) { totalCount } }"


def test_an_extension_token_with_manage_users_reads_staff_data(gql):
    _, body = gql(STAFF_QUERY, bearer=ISSUER.extension_token())
    assert "errors" not in body and body["data"]["crmCustomers"]["totalCount"] == 0


@pytest.mark.parametrize(("app_permissions", "user_permissions"), [
    ((), ("MANAGE_USERS",)),  # the staff member may, the app may not: the extension may not
    (("MANAGE_USERS",), ()),  # the app may, the staff member may not
    (("MANAGE_ORDERS",), ("MANAGE_USERS", "MANAGE_ORDERS")),
])
def test_without_manage_users_on_both_sides_the_extension_is_refused(gql, app_permissions, user_permissions):
    _, body = gql(STAFF_QUERY, bearer=ISSUER.extension_token(app_permissions=app_permissions,
                                                             user_permissions=user_permissions))
    assert error_codes(body) == ["permission_denied"]
