"""Django settings for the Saleor integration tests (tests/saleor only).

Saleor's own test settings, with two changes:

* ``PLUGINS`` is what ``saleor.settings`` computes in production (built-in
  plugins plus every ``saleor.plugins`` entry point, which is how the CRM
  plugin gets in); Saleor's test settings empty it.
* the database comes from ``DATABASE_URL`` in full, server and name, as
  everywhere else in this repository (``CRM_SALEOR_DATABASE_URL`` wins when
  set, for a run beside the standalone suite; default
  ``postgres://postgres@127.0.0.1:5432/crm_saleor``). pytest-django creates
  and uses ``test_<name>``: with ``DATABASE_URL=…/mydb`` that is ``test_mydb``,
  holding Saleor's schema (the standalone suite with the same URL recreates
  it with its own; do not share one URL between the two with ``--reuse-db``).

Without Saleor installed the module still imports (with inert settings) so
that pytest-django can start and ``conftest.py`` can skip the directory.
"""

import importlib.util
import os

os.environ.setdefault("SEND_USAGE_TELEMETRY", "False")
os.environ.setdefault("SECRET_KEY", "NOTREALLY")  # Saleor's test settings set this too

DEFAULT_DATABASE_URL = "postgres://postgres@127.0.0.1:5432/crm_saleor"


def database_url(environ=os.environ) -> str:
    """The database of the Saleor run: CRM_SALEOR_DATABASE_URL, else DATABASE_URL, else the default."""
    return environ.get("CRM_SALEOR_DATABASE_URL") or environ.get("DATABASE_URL") or DEFAULT_DATABASE_URL


def saleor_is_installed():
    # A regular package, not the namespace package that tests/saleor itself
    # becomes when tests/ is on sys.path.
    spec = importlib.util.find_spec("saleor")
    return spec is not None and spec.origin is not None


if not saleor_is_installed():
    # Saleor 3.x is not installed: conftest.py skips the whole directory.
    SECRET_KEY = "saleor-is-not-installed"
    INSTALLED_APPS: list[str] = []
    DATABASES: dict = {}
else:
    import dj_database_url

    from saleor.tests.settings import *  # noqa: F403

    PLUGINS = BUILTIN_PLUGINS + EXTERNAL_PLUGINS  # noqa: F405

    _url = database_url()
    DATABASES = {
        DATABASE_CONNECTION_DEFAULT_NAME: dj_database_url.parse(_url),  # noqa: F405
        DATABASE_CONNECTION_REPLICA_NAME: dj_database_url.parse(  # noqa: F405
            _url,
            test_options={"MIRROR": DATABASE_CONNECTION_DEFAULT_NAME},  # noqa: F405
        ),
    }
    SEND_USAGE_TELEMETRY = False

# tests/saleor/conftest.py runs the tests only under these settings.
CRM_SALEOR_TEST_SETTINGS = True
