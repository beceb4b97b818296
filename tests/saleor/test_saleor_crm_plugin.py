"""The CRM plugin inside a real Saleor 3.23: shop activity through Saleor's own
GraphQL mutations (storefront and staff), then the CRM's tables.

Flow tests use real transactions (``transaction=True``): Saleor calls
checkout, order and customer hooks after its transaction commits, and the
plugin enqueues its fold on commit, exactly as in a running shop. The fold is
then run synchronously with ``process_pending`` so the assertions do not
depend on whether the on-commit task ran.
"""

import json
import time

import pytest
from django.apps import apps
from django.conf import settings
from django.db import connection
from django.db.migrations.loader import MigrationLoader
from django.db.migrations.recorder import MigrationRecorder
from django.db.models import Q

from crm_saleor_api import (
    CRM_PLUGIN_ID,
    CUSTOMER_DELETE_MUTATION,
    PASSWORD,
    PLUGIN_QUERY,
    PRODUCT_UPDATE_MUTATION,
    complete_checkout,
    create_checkout,
    execute,
    log_in,
    mutate,
    order_total,
    product_global_id,
    register_customer,
    registered_customer_order,
    signed_in_customer,
    us_address,
)
from saleor.account.models import User
from saleor_crm_plugin.events.fold import process_pending
from saleor_crm_plugin.models import CRMEvent, CustomerProfile, ProductSnapshot

PLUGIN_PATH = "saleor_crm_plugin.plugin.CRMPlugin"
APP_LABEL = "saleor_crm_plugin"


def crm_rows_containing(*needles):
    """(table, pk, column, needle) for every CRM value that contains a needle."""
    found = []
    for model in apps.get_app_config(APP_LABEL).get_models():
        for row in model.objects.values():
            for column, value in row.items():
                text = json.dumps(value, default=str).lower()
                found.extend(
                    (model._meta.db_table, row.get("id"), column, needle)
                    for needle in needles
                    if needle.lower() in text
                )
    return found


def wait_for(condition, timeout=15.0):
    """Poll ``condition`` until it is truthy (work done by another thread)."""
    deadline = time.monotonic() + timeout
    while not (result := condition()) and time.monotonic() < deadline:
        time.sleep(0.1)
    return result


def rejected_events():
    return list(
        CRMEvent.objects.filter(status=CRMEvent.Status.REJECTED).values_list(
            "kind", "error_code", "error_message"
        )
    )


@pytest.mark.django_db
def test_plugin_is_loaded_through_its_entry_point(staff_client):
    # given
    migrations = MigrationLoader(connection, ignore_no_migrations=True)
    leaf_migrations = set(migrations.graph.leaf_nodes(APP_LABEL))

    # when
    data = execute(staff_client, PLUGIN_QUERY, {"id": CRM_PLUGIN_ID})

    # then
    assert PLUGIN_PATH in settings.EXTERNAL_PLUGINS  # found through the entry point
    assert PLUGIN_PATH in settings.PLUGINS
    assert APP_LABEL in settings.INSTALLED_APPS
    assert data["plugin"]["id"] == CRM_PLUGIN_ID
    assert data["plugin"]["globalConfiguration"]["active"] is False  # DEFAULT_ACTIVE
    assert CRMEvent._meta.db_table in connection.introspection.table_names()
    assert leaf_migrations
    assert leaf_migrations <= set(MigrationRecorder(connection).applied_migrations())


@pytest.mark.django_db(transaction=True)
def test_registered_customer_order_is_counted_with_channel_currency_revenue(
    api_client, staff_client, crm_plugin, shop
):
    # given
    email = "ann.lee@example.com"

    # when
    order = registered_customer_order(api_client, staff_client, shop, email, "Ann", "Lee")
    process_pending()

    # then
    total, currency = order_total(order)
    assert currency == "USD"  # channel "main"
    user = User.objects.get(email=email)
    profile = CustomerProfile.objects.get(user_id=user.pk)
    assert profile.order_count == 1
    assert profile.country == "US"  # from the order's billing address
    assert profile.first_order_at is not None
    assert profile.last_order_at == profile.first_order_at
    spend = profile.spend.get(currency=currency)
    assert spend.order_count == 1
    assert spend.revenue == total
    assert spend.average_order_value == total
    assert profile.spend.count() == 1
    assert rejected_events() == []


@pytest.mark.django_db(transaction=True)
def test_guest_order_joins_the_account_registered_with_the_same_email(
    api_client, staff_client, crm_plugin, shop
):
    # given
    email = "bea.guest@example.com"
    checkout = create_checkout(api_client, shop, email=email)
    order = complete_checkout(api_client, checkout["id"], us_address("Bea", "Guest"))
    process_pending()
    assert CustomerProfile.objects.filter(email=email, user_id=None).count() == 1

    # when
    register_customer(
        api_client, staff_client, email, "Bea", "Guest", confirm=False
    )
    process_pending()

    # then
    total, currency = order_total(order)
    user = User.objects.get(email=email)
    profiles = CustomerProfile.objects.filter(Q(user_id=user.pk) | Q(email=email))
    assert profiles.count() == 1
    profile = profiles.get()
    assert profile.user_id == user.pk
    assert profile.order_count == 1
    assert profile.spend.get(currency=currency).revenue == total
    assert rejected_events() == []


@pytest.mark.django_db(transaction=True)
def test_checkout_left_uncompleted_shows_as_open(
    api_client, staff_client, crm_plugin, shop
):
    # given
    email = "cal.open@example.com"
    token = signed_in_customer(api_client, staff_client, email, "Cal", "Open")

    # when
    create_checkout(api_client, shop, token=token)
    process_pending()

    # then
    user = User.objects.get(email=email)
    profile = CustomerProfile.objects.get(user_id=user.pk)
    assert profile.open_checkouts == 1
    assert profile.order_count == 0
    assert rejected_events() == []


@pytest.mark.django_db(transaction=True)
def test_staff_product_rename_updates_the_product_snapshot(
    staff_client, crm_plugin, shop
):
    # given
    product_id = product_global_id(shop)
    mutate(
        staff_client,
        PRODUCT_UPDATE_MUTATION,
        {"id": product_id, "input": {"name": "Linen Shirt"}},
        "productUpdate",
    )
    process_pending()
    assert ProductSnapshot.objects.get(product_id=shop.pk).name == "Linen Shirt"

    # when
    payload = mutate(
        staff_client,
        PRODUCT_UPDATE_MUTATION,
        {"id": product_id, "input": {"name": "Linen Shirt Navy"}},
        "productUpdate",
    )
    process_pending()

    # then
    assert payload["product"]["name"] == "Linen Shirt Navy"
    snapshot = ProductSnapshot.objects.get(product_id=shop.pk)
    assert snapshot.name == "Linen Shirt Navy"
    assert snapshot.category == shop.category.name
    assert snapshot.product_type == shop.product_type.name
    assert [listing["channel"] for listing in snapshot.channel_listings] == ["main"]
    assert rejected_events() == []


@pytest.mark.django_db(transaction=True)
def test_staff_customer_delete_leaves_no_personal_data_in_crm_tables(
    api_client, staff_client, crm_plugin, shop
):
    # given
    email = "zebulon.quackenbush@example.com"
    first_name, last_name = "Zebulon", "Quackenbush"
    street = "17 Wisteria Lane"
    customer_id = register_customer(
        api_client, staff_client, email, first_name, last_name
    )
    token = log_in(api_client, email)
    address = us_address(first_name, last_name, street=street)
    checkout = create_checkout(api_client, shop, token=token)
    complete_checkout(api_client, checkout["id"], address, token)
    create_checkout(api_client, shop, token=token, quantity=1)  # left open
    process_pending()
    assert crm_rows_containing(email), "the CRM never captured the customer"

    # when
    mutate(
        staff_client, CUSTOMER_DELETE_MUTATION, {"id": customer_id}, "customerDelete"
    )
    process_pending()

    # then
    assert crm_rows_containing(email, first_name, last_name, street) == []
    erased = CustomerProfile.objects.get(erased_at__isnull=False)  # aggregates stay
    assert erased.user_id is None
    assert erased.order_count == 1
    assert rejected_events() == []


@pytest.mark.django_db(transaction=True)
def test_customer_events_never_copy_the_password(
    api_client, staff_client, crm_plugin, shop
):
    # given
    email = "dee.secret@example.com"

    # when
    register_customer(api_client, staff_client, email, "Dee", "Secret")
    process_pending()

    # then
    user = User.objects.get(email=email)
    assert CustomerProfile.objects.filter(user_id=user.pk).exists()
    assert crm_rows_containing(user.password, PASSWORD) == []


@pytest.mark.django_db(transaction=True)
def test_order_is_folded_by_the_on_commit_task_without_a_manual_fold(
    api_client, staff_client, crm_plugin, shop
):
    # given
    email = "eve.async@example.com"
    token = signed_in_customer(api_client, staff_client, email, "Eve", "Async")
    checkout = create_checkout(api_client, shop, token=token)
    user = User.objects.get(email=email)

    # when
    complete_checkout(api_client, checkout["id"], us_address("Eve", "Async"), token)

    # then
    assert wait_for(
        lambda: CustomerProfile.objects.filter(user_id=user.pk, order_count=1).exists()
    ), "the fold task enqueued on commit did not fold the order"
    assert wait_for(
        lambda: not CRMEvent.objects.filter(status=CRMEvent.Status.PENDING).exists()
    )
    assert rejected_events() == []


@pytest.mark.django_db(transaction=True)
def test_backfill_imports_saleor_history_and_a_rerun_adds_nothing(api_client, staff_client, shop):
    # given: a shop with a customer and an order from before the plugin was switched on
    from django.core.management import call_command

    from saleor_crm_plugin.models import BackfillCursor, CRMOrder

    email = "bo.backfill@example.com"
    order = registered_customer_order(api_client, staff_client, shop, email, "Bo", "Backfill")
    assert not CRMEvent.objects.exists()  # the plugin is inactive: nothing was captured

    # when: the backfill command imports Saleor's own tables
    call_command("crm_backfill", batch_size=1)
    events_after_first_run = CRMEvent.objects.count()
    call_command("crm_backfill", restart=True)

    # then
    total, currency = order_total(order)
    user = User.objects.get(email=email)
    profile = CustomerProfile.objects.get(user_id=user.pk)
    assert (profile.email, profile.first_name, profile.order_count) == (email, "Bo", 1)
    assert profile.spend.get(currency=currency).revenue == total
    assert CRMOrder.objects.filter(profile=profile).count() == 1
    assert ProductSnapshot.objects.filter(product_id=shop.pk).exists()
    assert set(BackfillCursor.objects.values_list("entity", "finished")) == {
        ("customers", True), ("products", True), ("orders", True), ("checkouts", True)}
    assert CRMEvent.objects.count() == events_after_first_run  # the re-run stored nothing twice
    assert rejected_events() == []
