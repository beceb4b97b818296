"""Migration 0016: app tokens stored in plaintext before it are sealed by it (and unsealed when it is reversed)."""

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

from saleor_crm_plugin.models import AppRegistration

BEFORE = [("saleor_crm_plugin", "0016_anonymous_limits")]
SEALED = [("saleor_crm_plugin", "0017_app_token_encrypted")]
TOKEN = "plaintext-app-token-from-before-0016"


def migrate(targets) -> None:
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(targets)


def columns() -> list[str]:
    with connection.cursor() as cursor:
        return [column.name for column in connection.introspection.get_table_description(
            cursor, "crm_app_registration")]


@pytest.fixture
def before_0016(transactional_db):
    """The schema as it was before 0016; brought back to the latest migration afterwards."""
    migrate(BEFORE)
    yield
    migrate(MigrationExecutor(connection).loader.graph.leaf_nodes("saleor_crm_plugin"))


def test_a_plaintext_token_is_sealed_and_reads_back(before_0016):
    # given: a registration stored in plaintext, as before 0016
    with connection.cursor() as cursor:
        cursor.execute("INSERT INTO crm_app_registration (saleor_api_url, app_id, auth_token, installed_at)"
                       " VALUES (%s, %s, %s, now())", ["https://shop.example.com/graphql/", "QXBwOjc=", TOKEN])
    # when
    migrate(SEALED)
    # then: no column holds it any more, and the model reads it back
    assert "auth_token" not in columns()
    with connection.cursor() as cursor:
        cursor.execute("SELECT * FROM crm_app_registration")
        [row] = cursor.fetchall()
    assert not any(TOKEN in str(value) for value in row)
    assert AppRegistration.objects.get().app_token() == TOKEN
    # and reversed, the plaintext comes back
    migrate(BEFORE)
    with connection.cursor() as cursor:
        cursor.execute("SELECT auth_token FROM crm_app_registration")
        assert cursor.fetchall() == [(TOKEN,)]
