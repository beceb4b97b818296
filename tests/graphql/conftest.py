"""A real JWKS endpoint (HTTP, in a thread) and tokens signed like Saleor's, for the standalone API."""

import json

import pytest
from graphql_relay import to_global_id

from crm_host.devjwks import DEFAULT_APP, Issuer, new_key
from tests.recommendations.conftest import RECORDS, _serve_fresh, profile_id, record_shop  # noqa: F401 - shared fixtures

ISSUER = Issuer()
ISSUER_URL = "http://localhost:8000/graphql/"
OTHER_KEY = new_key()
token = ISSUER.token
staff_token = ISSUER.staff_token


@pytest.fixture(scope="session")
def jwks_server():
    url, server = ISSUER.serve()
    yield url
    server.shutdown()


@pytest.fixture(autouse=True)
def _verify_with_jwks(settings, jwks_server):
    settings.SALEOR_CRM_SALEOR_URL = f"{jwks_server}/graphql/"
    settings.SALEOR_CRM_JWT_AUDIENCE = None
    settings.SALEOR_CRM_JWT_ISSUER = ISSUER_URL  # what the stand-in issuer signs, as Saleor signs its API URL


@pytest.fixture
def registered_app(settings, _verify_with_jwks, db):
    """The CRM's Dashboard app, registered for the stand-in Saleor as the app the extension tokens are for
    (``DEFAULT_APP``): an extension's token counts only for the registered app."""
    from saleor_crm_plugin.models.app import save_registration

    return save_registration(settings.SALEOR_CRM_SALEOR_URL, DEFAULT_APP, ISSUER.issue_app_token())


@pytest.fixture
def gql(client):
    """POST a query to /graphql/; returns (status, body)."""

    def run(query, variables=None, bearer=None, operation_name=None):
        headers = {"HTTP_AUTHORIZATION": f"Bearer {bearer}"} if bearer else {}
        response = client.post("/graphql/", data=json.dumps(
            {"query": query, "variables": variables or {}, "operationName": operation_name}),
            content_type="application/json", **headers)
        return response.status_code, response.json()

    return run


@pytest.fixture
def live_gql(live_server):
    """POST a query over real HTTP to a live server; returns (status, body as text, seconds taken)."""
    import time

    import requests

    session = requests.Session()

    def run(query, variables=None, bearer=None, body=None):
        headers = {"Content-Type": "application/json"}
        if bearer:
            headers["Authorization"] = f"Bearer {bearer}"
        data = body if body is not None else json.dumps({"query": query, "variables": variables or {}})
        start = time.perf_counter()
        response = session.post(f"{live_server.url}/graphql/", data=data, headers=headers, timeout=30)
        return response.status_code, response.text, time.perf_counter() - start

    yield run
    session.close()


def signed_token(**claims) -> str:
    """A token signed with the issuer's key, with ``claims`` replacing or (when ``None``) removing a shopper's."""
    import time

    import jwt

    from crm_host.devjwks import KID

    now = int(time.time())
    payload = {"iat": now, "exp": now + 300, "owner": "saleor", "iss": ISSUER_URL, "token": "session",
               "email": "user100@example.com", "type": "access", "user_id": gid("User", 100), "is_staff": False}
    payload.update(claims)
    payload = {name: value for name, value in payload.items() if value is not None}
    return jwt.encode(payload, ISSUER.key, algorithm="RS256", headers={"kid": KID})


def error_codes(body) -> list[str]:
    return [e["extensions"]["code"] for e in body.get("errors", [])]


__all__ = ["RECORDS", "error_codes", "gid", "operation", "profile_id", "record_shop", "signed_token", "staff_token",
           "token"]


OPERATIONS = __import__("pathlib").Path(__file__).resolve().parents[2] / "graphql" / "operations"


def operation(name: str) -> str:
    """An example operation from graphql/operations/ (they are the README's examples too)."""
    return (OPERATIONS / f"{name}.graphql").read_text()


def gid(kind: str, pk) -> str:
    return to_global_id(kind, str(pk))


def data_queries(captured) -> list[str]:
    """The statements a request ran for its data: without the staff query deadline's own (its savepoint
    and its ``set_config`` of the statement timeout)."""
    own = ("SAVEPOINT", "RELEASE SAVEPOINT", "ROLLBACK TO SAVEPOINT", "SELECT set_config(",
           "SET LOCAL statement_timeout")
    return [q["sql"] for q in captured.captured_queries if not q["sql"].lstrip().startswith(own)]
