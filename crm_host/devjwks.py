"""A stand-in for Saleor's token issuer, for the tests and benchmarks of the standalone host.

It signs tokens shaped like Saleor's access tokens (``saleor/core/jwt.py``:
``type``, ``user_id`` as a ``User`` global ID, ``email``, ``is_staff``, and
for Dashboard-extension tokens ``app``, ``app_extension``, ``permissions``
and ``user_permissions``) with an RSA key, and publishes the public key over
real HTTP at ``/.well-known/jwks.json``, as Saleor does.

The same server answers what the CRM asks Saleor's API when an app
registers, ``POST /graphql/`` with ``{ app { id identifier } }`` and an app
token: the tokens of ``issue_app_token`` are known, any other is not (its
``app`` is null, as Saleor answers). ``hang()`` makes that endpoint accept
connections and never answer, as a Saleor that is down behind a proxy does.
Never used by the plugin itself.
"""

import json
import secrets
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import jwt
from cryptography.hazmat.primitives.asymmetric import rsa
from graphql_relay import to_global_id

KID = "saleor-test-key"
# The app the extension tokens are for unless told otherwise, and the identifier of the CRM's manifest.
DEFAULT_APP = to_global_id("App", "1")
CRM_APP_IDENTIFIER = "saleor-crm-plugin"
HANG_SECONDS = 60  # how long a hung answer waits at most (released at once by answer())


def new_key():
    return rsa.generate_private_key(public_exponent=65537, key_size=2048)


class Issuer:
    def __init__(self, key=None):
        self.key = key or new_key()
        self.app_tokens: dict[str, dict] = {}  # app token → {"id", "identifier"}, as Saleor's `app` query answers
        self.app_questions = 0  # how many `{ app … }` questions were received (a hung one included)
        self._answering = threading.Event()
        self._answering.set()
        self._asked = threading.Condition()

    def issue_app_token(self, app: str = DEFAULT_APP, identifier: str | None = CRM_APP_IDENTIFIER) -> str:
        """A new app token Saleor knows as ``app``'s (an app installed from a manifest whose id is
        ``identifier``), as Saleor POSTs to the manifest's tokenTargetUrl."""
        token = secrets.token_urlsafe(22)
        self.app_tokens[token] = {"id": app, "identifier": identifier}
        return token

    def hang(self) -> None:
        """From now on, questions to ``/graphql/`` are accepted and never answered (until ``answer()``)."""
        self._answering.clear()

    def answer(self) -> None:
        """Answer questions again (the hung ones too, by now long given up by the CRM)."""
        self._answering.set()

    def wait_for_questions(self, count: int, timeout: float = 10) -> bool:
        """Wait until ``count`` questions have reached ``/graphql/``; whether they did within ``timeout``."""
        with self._asked:
            return self._asked.wait_for(lambda: self.app_questions >= count, timeout)

    def _app_answer(self, authorization: str) -> dict:
        scheme, _, token = authorization.partition(" ")
        app = self.app_tokens.get(token) if scheme.lower() == "bearer" else None
        return {"data": {"app": dict(app) if app else None}}

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

    def extension_token(self, user_id=1, email="staff@example.com", *, app=DEFAULT_APP,
                        app_permissions=("MANAGE_USERS",), user_permissions=("MANAGE_USERS",), **kwargs) -> str:
        """A token as the Dashboard hands an app extension: ``thirdparty``, for ``app`` (its global id: the CRM
        accepts it only when that is the app it registered), with the app's permissions intersected with the
        staff member's."""
        token = self.token(user_id, email, staff=True, token_type="thirdparty", **kwargs)
        payload = jwt.decode(token, options={"verify_signature": False})
        payload.update(app=app, app_extension=to_global_id("AppExtension", "1"),
                       permissions=sorted(set(app_permissions) & set(user_permissions)),
                       user_permissions=list(user_permissions))
        return jwt.encode(payload, kwargs.get("key") or self.key, algorithm="RS256", headers={"kid": KID})

    def staff_token(self, **kwargs) -> str:
        return self.token(user_id=1, email="staff@example.com", staff=True, permissions=["MANAGE_USERS"], **kwargs)

    def jwks(self) -> bytes:
        jwk = json.loads(jwt.algorithms.RSAAlgorithm.to_jwk(self.key.public_key()))
        return json.dumps({"keys": [{**jwk, "kid": KID, "use": "sig", "alg": "RS256"}]}).encode()

    def serve(self) -> tuple[str, ThreadingHTTPServer]:
        """Publish the JWKS and the `app` question on 127.0.0.1 (a free port); returns (base URL, server)."""
        body = self.jwks()
        issuer = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self):  # noqa: N802 - http.server's name
                if self.path != "/.well-known/jwks.json":
                    self.send_error(404)
                    return
                self._send(body)

            def do_POST(self):  # noqa: N802 - http.server's name
                if self.path != "/graphql/":
                    self.send_error(404)
                    return
                self.rfile.read(int(self.headers.get("Content-Length") or 0))
                with issuer._asked:
                    issuer.app_questions += 1
                    issuer._asked.notify_all()
                if not issuer._answering.wait(HANG_SECONDS):
                    return  # closed without an answer
                self._send(json.dumps(issuer._app_answer(self.headers.get("Authorization", ""))).encode())

            def _send(self, payload: bytes):
                self.send_response(200)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(payload)))
                self.end_headers()
                self.wfile.write(payload)

            def log_message(self, *args):
                pass

        server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        threading.Thread(target=server.serve_forever, daemon=True).start()
        return f"http://127.0.0.1:{server.server_address[1]}", server
