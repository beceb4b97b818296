"""Secrets the CRM must keep and read back (the app token Saleor gave it), sealed at rest.

Fernet (AES-128-CBC + HMAC-SHA256, from ``cryptography``) with a key derived
from Django's ``SECRET_KEY`` by HKDF-SHA256 and a *purpose* label: a database
dump alone does not give the secret back, and a key derived for one purpose
opens nothing sealed for another. Keys in ``SECRET_KEY_FALLBACKS`` still open
what they sealed, so rotating ``SECRET_KEY`` the way Django documents keeps
the stored secrets readable (they are sealed with the new key on their next
save).
"""

import base64

from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from django.conf import settings

__all__ = ["InvalidToken", "seal", "unseal"]

_SALT = b"saleor_crm_plugin.sealing"


def _key(secret: str, purpose: str) -> bytes:
    derived = HKDF(algorithm=hashes.SHA256(), length=32, salt=_SALT, info=purpose.encode()).derive(secret.encode())
    return base64.urlsafe_b64encode(derived)


def _box(purpose: str) -> MultiFernet:
    # Derived per call, not cached: tests and key rotation change SECRET_KEY, and HKDF costs microseconds.
    secrets = [settings.SECRET_KEY, *getattr(settings, "SECRET_KEY_FALLBACKS", [])]
    return MultiFernet([Fernet(_key(secret, purpose)) for secret in secrets])


def seal(text: str, purpose: str) -> str:
    """``text`` encrypted and authenticated under the key for ``purpose`` (ASCII, safe for a text column)."""
    return _box(purpose).encrypt(text.encode()).decode("ascii")


def unseal(sealed: str, purpose: str) -> str:
    """The text ``seal`` sealed for ``purpose``; ``InvalidToken`` when it was sealed with another key or purpose,
    or altered."""
    return _box(purpose).decrypt(sealed.encode("ascii")).decode()
