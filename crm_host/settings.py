"""Settings of the standalone host. Everything is read from the environment.

DATABASE_URL   PostgreSQL (default: postgres://postgres@127.0.0.1:5432/saleor_crm)
CELERY_BROKER_URL  Redis broker (default: redis://127.0.0.1:6379/5)
SALEOR_CRM_SALEOR_URL / SALEOR_CRM_JWKS_URL / SALEOR_CRM_JWT_AUDIENCE / SALEOR_CRM_JWT_ISSUER  token verification
PUBLIC_URL, EMAIL_BACKEND, EMAIL_HOST, EMAIL_PORT, EMAIL_FILE_PATH, DEFAULT_FROM_EMAIL  mail (links, provider, sender)
SALEOR_CRM_<SETTING>  pins any CRM setting (saleor_crm_plugin/config.py)
DEBUG          "1" for Django's debug mode and GraphiQL (default "0")
SECRET_KEY     required, at least 50 characters: it signs every link in mails, keys the erasure tombstones and
               encrypts the Dashboard app's token
ALLOWED_HOSTS  comma-separated host names the host answers (default "*": set it in production)
CRM_HTTPS      "1" behind TLS: redirect to HTTPS, HSTS (SECURE_HSTS_SECONDS, SECURE_HSTS_INCLUDE_SUBDOMAINS,
               SECURE_HSTS_PRELOAD), and trust X-Forwarded-Proto from the proxy in front
"""

import os

import dj_database_url
from django.core.exceptions import ImproperlyConfigured

BASE_DIR = os.path.dirname(os.path.abspath(__file__))
MIN_SECRET_KEY_LENGTH = 50  # what Django's deployment check asks for


def _secret_key() -> str:
    """SECRET_KEY from the environment; there is no default: a known key forges every link the CRM mails."""
    key = os.environ.get("SECRET_KEY", "")
    if len(key) < MIN_SECRET_KEY_LENGTH:
        raise ImproperlyConfigured(
            f"SECRET_KEY is {'too short' if key else 'not set'}: set the environment variable SECRET_KEY to a "
            f"random value of at least {MIN_SECRET_KEY_LENGTH} characters (e.g. "
            "python -c 'import secrets; print(secrets.token_urlsafe(50))') and keep it: it signs the links in "
            "mails and keys the erasure tombstones.")
    return key


SECRET_KEY = _secret_key()
DEBUG = os.environ.get("DEBUG", "0") == "1"  # never on unless asked: a debug page shows paths and settings
ALLOWED_HOSTS = [host.strip() for host in os.environ.get("ALLOWED_HOSTS", "*").split(",") if host.strip()]
USE_TZ = True
TIME_ZONE = "UTC"

INSTALLED_APPS = [
    "django.contrib.contenttypes",
    "django.contrib.auth",
    # Beat's database scheduler, the one Saleor runs (its DatabaseScheduler subclasses it).
    "django_celery_beat",
    "saleor_crm_plugin",
]
# Security headers (nosniff, referrer policy, COOP); with CRM_HTTPS, the HTTPS redirect and HSTS too.
# X-Frame-Options: DENY on everything but the Dashboard pages, which the Dashboard frames (they name its
# origins in their own Content-Security-Policy: frame-ancestors). CSRF: every view that takes a POST is
# exempt on purpose (bearer tokens, signed links, signed webhooks; no cookies), the middleware guards the rest.
MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
]
if os.environ.get("CRM_HTTPS", "0") == "1":
    CSRF_COOKIE_SECURE = True
    SECURE_SSL_REDIRECT = True
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SECURE_HSTS_SECONDS = int(os.environ.get("SECURE_HSTS_SECONDS", "31536000"))
    SECURE_HSTS_INCLUDE_SUBDOMAINS = os.environ.get("SECURE_HSTS_INCLUDE_SUBDOMAINS", "1") == "1"
    SECURE_HSTS_PRELOAD = os.environ.get("SECURE_HSTS_PRELOAD", "1") == "1"
ROOT_URLCONF = "crm_host.urls"
STATIC_URL = "/static/"  # Django's live test server needs one to tell static requests apart
DATABASES = {
    "default": dj_database_url.parse(
        os.environ.get("DATABASE_URL", "postgres://postgres@127.0.0.1:5432/saleor_crm"),
        conn_max_age=60,
    )
}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

CELERY_BROKER_URL = os.environ.get("CELERY_BROKER_URL", "redis://127.0.0.1:6379/5")
CELERY_TASK_IGNORE_RESULT = True
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
# Fail fast when publishing to a broker that is down; the sweeper covers it.
CELERY_BROKER_TRANSPORT_OPTIONS = {"socket_connect_timeout": 1, "socket_timeout": 2}
CELERY_BEAT_SCHEDULE_FILENAME = os.environ.get("CELERY_BEAT_SCHEDULE_FILENAME", "/tmp/crm-host-beat-schedule")

# Any CRM setting can be pinned from the environment as SALEOR_CRM_<NAME> (e.g. SALEOR_CRM_SEND_BATCH_SIZE=20,
# SALEOR_CRM_SMTP_URL=smtp://127.0.0.1:2525); see saleor_crm_plugin/config.py for the names.
from saleor_crm_plugin.config import SPECS as _INT_SETTINGS, TEXT_SPECS as _TEXT_SETTINGS  # noqa: E402

SALEOR_CRM = {
    **{key: int(os.environ[f"SALEOR_CRM_{key.upper()}"]) for key in _INT_SETTINGS
       if f"SALEOR_CRM_{key.upper()}" in os.environ},
    **{key: os.environ[f"SALEOR_CRM_{key.upper()}"] for key in _TEXT_SETTINGS
       if f"SALEOR_CRM_{key.upper()}" in os.environ},
}
# Links in mails (unsubscribe, confirmation) start with the public URL, as in Saleor.
PUBLIC_URL = os.environ.get("PUBLIC_URL", "http://localhost:8000")
EMAIL_BACKEND = os.environ.get("EMAIL_BACKEND", "django.core.mail.backends.smtp.EmailBackend")
EMAIL_HOST = os.environ.get("EMAIL_HOST", "localhost")
EMAIL_PORT = int(os.environ.get("EMAIL_PORT", "25"))
EMAIL_FILE_PATH = os.environ.get("EMAIL_FILE_PATH")  # for django.core.mail.backends.filebased (the demo)
DEFAULT_FROM_EMAIL = os.environ.get("DEFAULT_FROM_EMAIL", "shop@example.com")
SALEOR_CRM_FOLD_ON_COMMIT = os.environ.get("SALEOR_CRM_FOLD_ON_COMMIT", "1") == "1"
# The first training and one after each backfill are requested from a worker (recommendations/auto_train.py).
SALEOR_CRM_AUTO_TRAIN = os.environ.get("SALEOR_CRM_AUTO_TRAIN", "1") == "1"

# The GraphQL API verifies Saleor's JWTs against Saleor's JWKS (see saleor_crm_plugin/graphql/auth.py).
SALEOR_CRM_SALEOR_URL = os.environ.get("SALEOR_CRM_SALEOR_URL")  # e.g. https://shop.example.com/graphql/
SALEOR_CRM_JWKS_URL = os.environ.get("SALEOR_CRM_JWKS_URL")  # default: <Saleor URL host>/.well-known/jwks.json
SALEOR_CRM_JWT_AUDIENCE = os.environ.get("SALEOR_CRM_JWT_AUDIENCE")  # accept only tokenCreate(audience: …)
SALEOR_CRM_JWT_ISSUER = os.environ.get("SALEOR_CRM_JWT_ISSUER")  # default: SALEOR_CRM_SALEOR_URL

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "loggers": {"saleor_crm_plugin": {"handlers": ["console"], "level": os.environ.get("CRM_LOG_LEVEL", "INFO")}},
}
