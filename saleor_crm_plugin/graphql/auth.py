"""Who is calling: Saleor JWTs, verified by Saleor itself in-process or against its JWKS standalone.

* Inside Saleor (``saleor`` importable and installed), tokens go through
  Saleor's own ``jwt_decode`` and ``get_user_from_access_payload`` (signature,
  expiry, revoked sessions), and staff permissions come from the user.
* Standalone, tokens are verified with the public keys Saleor publishes at
  ``/.well-known/jwks.json`` (``SALEOR_CRM_JWKS_URL``, or derived from
  ``SALEOR_CRM_SALEOR_URL``), fetched once and cached for five minutes; staff
  permissions come from the token's ``permissions`` claim (the tokens Saleor
  gives Dashboard extensions carry it: the app's permissions intersected with
  the staff member's), else ``user_permissions``; a plain user token carries
  neither, so standalone staff access needs an extension's token. Inside
  Saleor, ``get_user_from_access_payload`` applies the same intersection.

Standalone, claims are type-checked (``is_staff`` a boolean, permissions
lists of names) and ``iss`` must be ``SALEOR_CRM_JWT_ISSUER`` (default:
``SALEOR_CRM_SALEOR_URL``); inside Saleor, ``jwt_decode`` checks its own.

With ``SALEOR_CRM_JWT_AUDIENCE = "crm"`` only tokens created with
``tokenCreate(audience: "crm")`` (claim ``aud: custom:crm``) are accepted.

An app's token (type ``thirdparty``: the tokens the Dashboard hands app
extensions, and those Saleor makes for an app) counts only when its ``app``
claim is the app the CRM registered for this shop's Saleor (the CRM's own
Dashboard app, ``AppRegistration``): Saleor signs such tokens for every
installed app, and any of them may hold ``MANAGE_USERS``. With no app
registered, none counts. The refusal is ``permission_denied``; staff and
shopper ``access`` tokens are not concerned.
"""

import threading
from dataclasses import dataclass, field
from urllib.parse import urlsplit

import jwt
from django.conf import settings

from ..models.app import registered_app_id
from ..saleor_api import in_saleor, saleor_api_url
from .errors import APIError, CRMErrorCode
from .ids import decode_id

MANAGE_USERS = "MANAGE_USERS"
APP_TOKEN_TYPE = "thirdparty"
TOKEN_TYPES = ("access", APP_TOKEN_TYPE)
JWKS_CACHE_SECONDS = 300


@dataclass(frozen=True)
class Caller:
    user_id: int | None = None  # Saleor user pk
    email: str | None = None
    is_staff: bool = False
    permissions: frozenset = field(default_factory=frozenset)

    @property
    def is_anonymous(self) -> bool:
        return self.user_id is None

    @property
    def can_manage_users(self) -> bool:
        return self.is_staff and MANAGE_USERS in self.permissions


ANONYMOUS = Caller()


def bearer_token(request) -> str | None:
    header = request.META.get("HTTP_AUTHORIZATION", "")
    scheme, _, token = header.partition(" ")
    if scheme.lower() in ("bearer", "jwt") and token.strip():
        return token.strip()
    return None


def caller_from_request(request) -> Caller:
    """The caller of ``request``; raises ``APIError`` for a token that is present but not valid."""
    token = bearer_token(request)
    if token is None:
        return ANONYMOUS
    if in_saleor():
        return _saleor_caller(token)
    return _jwks_caller(token)


def _check_audience(payload: dict) -> None:
    wanted = getattr(settings, "SALEOR_CRM_JWT_AUDIENCE", None)
    if not wanted:
        return
    audience = payload.get("aud")
    audiences = audience if isinstance(audience, list) else [audience]
    if f"custom:{wanted}" not in audiences:
        raise APIError(CRMErrorCode.INVALID_TOKEN.value, f"The token is not for audience custom:{wanted}.")


def _translate(error: jwt.PyJWTError) -> APIError:
    if isinstance(error, jwt.ExpiredSignatureError):
        return APIError(CRMErrorCode.TOKEN_EXPIRED.value, "The token has expired; refresh it with tokenRefresh.")
    return APIError(CRMErrorCode.INVALID_TOKEN.value, f"The token is not valid: {error}.")


def _saleor_caller(token: str) -> Caller:
    from saleor.core.jwt import get_user_from_access_payload, jwt_decode
    from saleor.permission.enums import AccountPermissions

    try:
        payload = jwt_decode(token)
        _check_type(payload)
        _check_app(payload)
        user = get_user_from_access_payload(payload)
    except jwt.PyJWTError as error:
        raise _translate(error) from None
    _check_audience(payload)
    if user is None:
        raise APIError(CRMErrorCode.INVALID_TOKEN.value, "The token's user does not exist or is inactive.")
    permissions = frozenset({MANAGE_USERS}) if user.is_staff and user.has_perm(AccountPermissions.MANAGE_USERS) \
        else frozenset()
    return Caller(user_id=user.pk, email=user.email, is_staff=bool(user.is_staff), permissions=permissions)


def _check_type(payload: dict) -> None:
    if payload.get("type") not in TOKEN_TYPES:
        raise jwt.InvalidTokenError("not an access token")


def _check_app(payload: dict) -> None:
    """Refuse an app's token (``thirdparty``) unless it was signed for the app the CRM registered."""
    if payload.get("type") != APP_TOKEN_TYPE:
        return
    api_url = saleor_api_url()
    registered = registered_app_id(api_url) if api_url else None
    if registered is None:
        raise APIError(CRMErrorCode.PERMISSION_DENIED.value,
                       "No Dashboard app is registered with the CRM: an app's token counts only once the CRM app "
                       "is installed in this shop's Saleor.")
    if payload.get("app") != registered:
        raise APIError(CRMErrorCode.PERMISSION_DENIED.value,
                       "The token is for another app: only the CRM app's own extensions may call the CRM with an "
                       "app's token.")


_clients: dict[str, jwt.PyJWKClient] = {}
_clients_lock = threading.Lock()


def jwks_url() -> str:
    url = getattr(settings, "SALEOR_CRM_JWKS_URL", None)
    if url:
        return url
    saleor = getattr(settings, "SALEOR_CRM_SALEOR_URL", None)
    if not saleor:
        raise APIError(CRMErrorCode.INVALID_TOKEN.value,
                       "Token verification is not configured (SALEOR_CRM_JWKS_URL or SALEOR_CRM_SALEOR_URL).")
    parts = urlsplit(saleor)
    return f"{parts.scheme}://{parts.netloc}/.well-known/jwks.json"


def _jwks_client() -> jwt.PyJWKClient:
    url = jwks_url()
    with _clients_lock:
        client = _clients.get(url)
        if client is None:
            client = _clients[url] = jwt.PyJWKClient(url, cache_keys=True, lifespan=JWKS_CACHE_SECONDS, timeout=5)
    return client


def expected_issuer() -> str | None:
    """The ``iss`` a standalone token must carry: ``SALEOR_CRM_JWT_ISSUER``, else ``SALEOR_CRM_SALEOR_URL``.

    Saleor signs its tokens with its API URL as issuer. Without either
    setting (keys from ``SALEOR_CRM_JWKS_URL`` only) the issuer is not checked.
    """
    return getattr(settings, "SALEOR_CRM_JWT_ISSUER", None) or getattr(settings, "SALEOR_CRM_SALEOR_URL", None)


def _jwks_caller(token: str) -> Caller:
    issuer = expected_issuer()
    required = ["exp", "iat", "iss"] if issuer else ["exp", "iat"]
    try:
        key = _jwks_client().get_signing_key_from_jwt(token)
        payload = jwt.decode(token, key.key, algorithms=["RS256"], issuer=issuer,
                             options={"verify_aud": False, "require": required})
        _check_type(payload)
        _check_app(payload)
    except jwt.PyJWKClientConnectionError as error:
        raise APIError(CRMErrorCode.INVALID_TOKEN.value, f"Saleor's keys could not be fetched: {error}.") from None
    except jwt.PyJWTError as error:
        raise _translate(error) from None
    _check_audience(payload)
    try:
        user_id = decode_id(_claim(payload, "user_id", str), "User", "token")
    except APIError:
        raise APIError(CRMErrorCode.INVALID_TOKEN.value, "The token names no Saleor user.") from None
    # An extension's (thirdparty) token carries "permissions": the app's intersected with the staff member's,
    # which is what it may do; its "user_permissions" are the person's own and grant nothing through the app.
    claimed = _permissions(payload, "permissions") if "permissions" in payload \
        else _permissions(payload, "user_permissions")
    return Caller(user_id=user_id, email=_claim(payload, "email", str), is_staff=_claim(payload, "is_staff", bool),
                  permissions=frozenset(claimed))


def _claim(payload: dict, name: str, kind: type):
    """A claim of type ``kind`` (``None``/``False`` when absent); ``INVALID_TOKEN`` for any other type."""
    value = payload.get(name)
    if value is None:
        return False if kind is bool else None
    if type(value) is not kind:  # "false" or 1 is not a boolean: a signed token with it is malformed
        raise APIError(CRMErrorCode.INVALID_TOKEN.value, f"The token's {name} claim is not a {kind.__name__}.")
    return value


def _permissions(payload: dict, name: str) -> set[str]:
    """A permission claim: a list of permission names, or absent."""
    value = payload.get(name)
    if value is None:
        return set()
    if not isinstance(value, list) or not all(isinstance(item, str) for item in value):
        raise APIError(CRMErrorCode.INVALID_TOKEN.value, f"The token's {name} claim is not a list of names.")
    return set(value)
