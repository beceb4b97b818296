"""Saleor integration tests: the CRM plugin inside a real Saleor 3.23.

Self-contained: this directory has its own ``pytest.ini`` (settings module
``crm_saleor_settings``, rootdir and conftest cut-off here) and is run on its
own, in a virtualenv where Saleor is installed from source together with this
package (``pip install -e .``)::

    cd <repository root> && DATABASE_URL=postgres://…/mydb \
        <saleor venv>/bin/python -m pytest tests/saleor

The database is ``DATABASE_URL``'s (``crm_saleor_settings.database_url``).
Saleor's uv.lock installs its dependencies and the test tools its fixture
modules import (pytest 8.4.2, pytest-django 4.11.1, pytest-mock, freezegun,
fakeredis) but not Saleor itself (``package = false``): install Saleor with
``uv pip install --no-deps -e <saleor source>``, plus setuptools<81 (Saleor's
built-in Razorpay plugin imports ``pkg_resources``); the steps are in
docs/testing-against-saleor.md. Install this package editable
*after* ``saleor_crm_plugin/__init__.py`` exists, or its import mapping is empty.
The test database is created from scratch (Saleor's migrations, ~3 min); add
``--reuse-db`` to keep it between runs and ``--create-db`` after a migration
was edited in place. Never add an ``__init__.py`` here: a package named
``saleor`` would shadow Saleor itself.

Anywhere else (no Saleor, or the main ``pytest tests`` run with the
standalone host's settings) the whole directory is skipped.

Saleor's own pytest fixtures (channel, product with stock, shipping zone,
staff user and permissions, API clients) are reused through ``pytest_plugins``;
everything the tests assert on goes through Saleor's public GraphQL mutations.
"""

import importlib.util

import pytest

SALEOR_MISSING_REASON = (
    "Saleor 3.x is not installed (it is not on PyPI); "
    "install saleor 3.23 from source to run these (docs/testing-against-saleor.md)"
)
SEPARATE_RUN_REASON = (
    "the Saleor integration tests run on their own, with their own settings: "
    "cd <repository root> && <saleor venv>/bin/python -m pytest "
    "tests/saleor (see docs/testing-against-saleor.md)"
)
SETTINGS_MODULE = "crm_saleor_settings"


def saleor_is_installed():
    # A regular package, not the namespace package that tests/saleor itself
    # becomes when tests/ is on sys.path.
    spec = importlib.util.find_spec("saleor")
    return spec is not None and spec.origin is not None


def running_with_saleor_settings():
    # pytest-django has configured Django before conftest files are imported.
    try:
        from django.conf import settings

        return bool(getattr(settings, "CRM_SALEOR_TEST_SETTINGS", False))
    except Exception:  # no settings at all (e.g. `-p no:django`)
        return False


SKIP_REASON = None
if not saleor_is_installed():
    SKIP_REASON = SALEOR_MISSING_REASON
elif not running_with_saleor_settings():
    # Saleor is importable, but this is not the run configured by
    # tests/saleor/pytest.ini (e.g. `pytest tests` with crm_host settings).
    SKIP_REASON = SEPARATE_RUN_REASON

if SKIP_REASON:
    # Report every test module here as skipped without importing it (they
    # import Saleor). A module-level pytest.skip() in a conftest would crash
    # pytest when this conftest is loaded at start-up (`pytest tests/saleor`).

    class _SkippedModule(pytest.Module):
        def collect(self):
            pytest.skip(SKIP_REASON)

    def pytest_pycollect_makemodule(module_path, parent):
        return _SkippedModule.from_parent(parent, path=module_path)

else:
    import django.test
    from django.conf import settings

    from saleor.tests.utils import prepare_test_db_connections

    # Saleor reads through a "replica" alias. In tests it is a mirror of the
    # default database; as in Saleor's own root conftest, wrap it so both aliases
    # share one connection, and let every test use both aliases.
    _TEST_DATABASES = {
        settings.DATABASE_CONNECTION_DEFAULT_NAME,
        settings.DATABASE_CONNECTION_REPLICA_NAME,
    }
    django.test.TransactionTestCase.databases = _TEST_DATABASES
    django.test.TestCase.databases = _TEST_DATABASES
    prepare_test_db_connections()

    # Saleor's fixture modules, as listed in its root conftest.py.
    pytest_plugins = [
        "saleor.tests.fixtures",
        "saleor.app.tests.fixtures",
        "saleor.plugins.tests.fixtures",
        "saleor.graphql.tests.fixtures",
        "saleor.webhook.tests.fixtures",
        "saleor.tax.tests.fixtures",
        "saleor.channel.tests.fixtures",
        "saleor.page.tests.fixtures",
        "saleor.menu.tests.fixtures",
        "saleor.warehouse.tests.fixtures",
        "saleor.thumbnail.tests.fixtures",
        "saleor.order.tests.fixtures",
        "saleor.product.tests.fixtures",
        "saleor.site.tests.fixtures",
        "saleor.shipping.tests.fixtures",
        "saleor.permission.tests.fixtures",
        "saleor.giftcard.tests.fixtures",
        "saleor.discount.tests.fixtures",
        "saleor.checkout.tests.fixtures",
        "saleor.attribute.tests.fixtures",
        "saleor.account.tests.fixtures",
        "saleor.graphql.account.tests.fixtures",
        "saleor.payment.tests.fixtures",
        "saleor.webhook.tests.circuit_breaker.fixtures",
    ]

    @pytest.fixture(autouse=True)
    def setup_dummy_gateways(settings):
        """Keep the production plugin list.

        Overrides Saleor's autouse fixture of the same name, which replaces
        ``PLUGINS`` with two dummy gateways; ``crm_saleor_settings`` already
        has Saleor's production value (built-in plugins, the dummy gateway
        among them, plus the entry-point plugins).
        """
        return settings

    @pytest.fixture(autouse=True)
    def forget_registered_apps():
        """The registered app's id is cached per process for a few seconds: never across tests."""
        from saleor_crm_plugin.models.app import forget_registered_apps as forget

        forget()

    @pytest.fixture
    def staff_client(
        staff_api_client,
        permission_manage_plugins,
        permission_manage_products,
        permission_manage_users,
    ):
        """A staff member of the shop, as the Dashboard acts for them."""
        staff_api_client.user.user_permissions.add(
            permission_manage_plugins,
            permission_manage_products,
            permission_manage_users,
        )
        return staff_api_client

    @pytest.fixture
    def crm_plugin(staff_client):
        """The CRM plugin switched on by staff through ``pluginUpdate``."""
        from crm_saleor_api import activate_crm_plugin

        activate_crm_plugin(staff_client)

    @pytest.fixture
    def shop(product, shipping_zone):
        """A sellable product (USD channel ``main``, stock, shipping to the US)."""
        return product
