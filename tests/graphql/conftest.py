"""A real JWKS endpoint (HTTP, in a thread) and tokens signed like Saleor's, for the standalone API."""

import json
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import jwt
import pytest
from cryptography.hazmat.primitives.asymmetric import rsa
from graphql_relay import to_global_id

from tests.recommendations.conftest import RECORDS, _serve_fresh, profile_id, record_shop  # noqa: F401 - shared fixtures


def _key():
    return rsa.generate_private_key(public_exponent=65537, key_size=2048)


SALEOR_KEY = _key()
OTHER_KEY = _key()
KID = "saleor-test-key"


class _JWKS(BaseHTTPRequestHandler):
    def do_GET(self):  # noqa: N802 - http.server's name
        if self.path != "/.well-known/jwks.json":
            self.send_error(404)
            return
        jwk = json.loads(jwt.algorithms.RSAAlgorithm.to_jwk(SALEOR_KEY.public_key()))
        body = json.dumps({"keys": [{**jwk, "kid": KID, "use": "sig", "alg": "RS256"}]}).encode()
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args):
        pass


@pytest.fixture(scope="session")
def jwks_server():
    server = ThreadingHTTPServer(("127.0.0.1", 0), _JWKS)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()


@pytest.fixture(autouse=True)
def _verify_with_jwks(settings, jwks_server):
    settings.SALEOR_CRM_SALEOR_URL = f"{jwks_server}/graphql/"
    settings.SALEOR_CRM_JWT_AUDIENCE = None


def token(user_id=100, email=None, *, staff=False, permissions=None, expires_in=300, key=None, aud=None,
          token_type="access"):
    """A token shaped like Saleor's access tokens (``core/jwt.py``), signed with the JWKS key unless ``key``."""
    now = int(time.time())
    payload = {
        "iat": now, "exp": now + expires_in, "owner": "saleor", "iss": "http://localhost:8000/graphql/",
        "token": "session", "email": email or f"user{user_id}@example.com", "type": token_type,
        "user_id": to_global_id("User", str(user_id)), "is_staff": staff,
    }
    if permissions is not None:
        payload["user_permissions"] = permissions
    if aud:
        payload["aud"] = aud
    return jwt.encode(payload, key or SALEOR_KEY, algorithm="RS256", headers={"kid": KID})


def staff_token(**kwargs):
    return token(user_id=1, email="staff@example.com", staff=True, permissions=["MANAGE_USERS"], **kwargs)


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


def error_codes(body) -> list[str]:
    return [e["extensions"]["code"] for e in body.get("errors", [])]


__all__ = ["RECORDS", "error_codes", "gid", "operation", "profile_id", "record_shop", "staff_token", "token"]


OPERATIONS = __import__("pathlib").Path(__file__).resolve().parents[2] / "graphql" / "operations"


def operation(name: str) -> str:
    """An example operation from graphql/operations/ (they are the README's examples too)."""
    return (OPERATIONS / f"{name}.graphql").read_text()


def gid(kind: str, pk) -> str:
    return to_global_id(kind, str(pk))
