"""A stand-in for Saleor's token issuer, for the tests and benchmarks of the standalone host.

It signs tokens shaped like Saleor's access tokens (``saleor/core/jwt.py``:
``type``, ``user_id`` as a ``User`` global ID, ``email``, ``is_staff``, and
for Dashboard-extension tokens ``user_permissions``) with an RSA key, and
publishes the public key over real HTTP at ``/.well-known/jwks.json``, as
Saleor does. Never used by the plugin itself.
"""

import json
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import jwt
from cryptography.hazmat.primitives.asymmetric import rsa
from graphql_relay import to_global_id

KID = "saleor-test-key"


def new_key():
    return rsa.generate_private_key(public_exponent=65537, key_size=2048)


class Issuer:
    def __init__(self, key=None):
        self.key = key or new_key()

    def token(self, user_id=100, email=None, *, staff=False, permissions=None, expires_in=300, key=None, aud=None,
              token_type="access") -> str:
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
        return jwt.encode(payload, key or self.key, algorithm="RS256", headers={"kid": KID})

    def extension_token(self, user_id=1, email="staff@example.com", *, app_permissions=("MANAGE_USERS",),
                        user_permissions=("MANAGE_USERS",), **kwargs) -> str:
        """A token as the Dashboard hands an app extension: ``thirdparty``, with the app's permissions
        intersected with the staff member's."""
        token = self.token(user_id, email, staff=True, token_type="thirdparty", **kwargs)
        payload = jwt.decode(token, options={"verify_signature": False})
        payload.update(app=to_global_id("App", "1"), app_extension=to_global_id("AppExtension", "1"),
                       permissions=sorted(set(app_permissions) & set(user_permissions)),
                       user_permissions=list(user_permissions))
        return jwt.encode(payload, kwargs.get("key") or self.key, algorithm="RS256", headers={"kid": KID})

    def staff_token(self, **kwargs) -> str:
        return self.token(user_id=1, email="staff@example.com", staff=True, permissions=["MANAGE_USERS"], **kwargs)

    def jwks(self) -> bytes:
        jwk = json.loads(jwt.algorithms.RSAAlgorithm.to_jwk(self.key.public_key()))
        return json.dumps({"keys": [{**jwk, "kid": KID, "use": "sig", "alg": "RS256"}]}).encode()

    def serve(self) -> tuple[str, ThreadingHTTPServer]:
        """Publish the JWKS on 127.0.0.1 (a free port); returns (base URL, server)."""
        body = self.jwks()

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self):  # noqa: N802 - http.server's name
                if self.path != "/.well-known/jwks.json":
                    self.send_error(404)
                    return
                self.send_response(200)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, *args):
                pass

        server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        threading.Thread(target=server.serve_forever, daemon=True).start()
        return f"http://127.0.0.1:{server.server_address[1]}", server
