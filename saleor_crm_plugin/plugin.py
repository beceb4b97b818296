"""The Saleor plugin: thin hooks that put normalized events in the outbox.

Each hook returns ``previous_value`` untouched, never raises into Saleor's
request, and does only this inside it: build the normalized event (the
Saleor adapter) and insert one outbox row, in a savepoint of Saleor's own
transaction. Folding happens in Celery.
"""

import logging

from django.core.exceptions import ValidationError
from django.db import transaction
from django.http import HttpResponseNotFound

from saleor.core.db.connection import allow_writer
from saleor.plugins.base_plugin import BasePlugin, ConfigurationTypeField

from .config import (
    DASHBOARD_SETTINGS, DASHBOARD_TEXT_SETTINGS, PLUGIN_ID, SPECS, TEXT_SPECS, forget_stored, validate_setting,
)
from .error_codes import ConfigErrorCode
from .errors import CRMError
from .events import adapters as adapter
from .events.outbox import record
from .schedule import BACKFILL_TASK, send_task

logger = logging.getLogger(__name__)



def _issued_app_token(token: str):
    """The Saleor app this token was issued to (``registration.SaleorApp``: global id and the identifier from its
    manifest), from Saleor's own app-token table (Saleor keeps only a hash of each token); None when unknown."""
    import graphene
    from django.contrib.auth.hashers import check_password
    from saleor.app.models import AppToken

    from .dashboard.registration import SaleorApp

    for candidate in AppToken.objects.select_related("app").filter(token_last_4=token[-4:]):
        if check_password(token, candidate.auth_token):
            app = candidate.app
            if getattr(app, "removed_at", None) is not None:  # marked for removal: its tokens are on their way out
                return None
            return SaleorApp(id=graphene.Node.to_global_id("App", app.pk), identifier=app.identifier)
    return None


def _capture(build, obj, kind: str) -> None:
    """Build and store one event; log and swallow any failure."""
    try:
        event = build(obj, kind)
        # record() uses a savepoint inside Saleor's transaction: a failed
        # insert never poisons the shop's change. allow_writer: some hooks
        # (customer_created) run inside Saleor's read-restricted Celery tasks.
        with allow_writer():
            record(event, source="plugin", raw=adapter.raw_fields(obj))
    except Exception:  # noqa: BLE001 - the CRM must never break a shop request
        logger.exception("CRM could not capture %s for %r", kind, obj)


class CRMPlugin(BasePlugin):
    PLUGIN_ID = PLUGIN_ID
    PLUGIN_NAME = "CRM"
    PLUGIN_DESCRIPTION = (
        "Customer profiles, lifetime value, segments, recommendations and email "
        "campaigns built from your shop's orders, checkouts and customers."
    )
    # Global: channel-less hooks (customer_*, product_*) only reach a
    # per-channel plugin whose channel happens to be loaded.
    CONFIGURATION_PER_CHANNEL = False
    DEFAULT_ACTIVE = False
    DEFAULT_CONFIGURATION = [
        {"name": name, "value": str(SPECS[name].default)} for name in DASHBOARD_SETTINGS
    ] + [{"name": name, "value": ""} for name in DASHBOARD_TEXT_SETTINGS]
    CONFIG_STRUCTURE = {
        name: {
            "type": ConfigurationTypeField.STRING,
            "label": SPECS[name].label,
            "help_text": SPECS[name].help_text,
        }
        for name in DASHBOARD_SETTINGS
    } | {
        name: {
            "type": ConfigurationTypeField.SECRET if TEXT_SPECS[name].secret else ConfigurationTypeField.STRING,
            "label": TEXT_SPECS[name].label,
            "help_text": TEXT_SPECS[name].help_text,
        }
        for name in DASHBOARD_TEXT_SETTINGS
    }

    @classmethod
    def validate_plugin_configuration(cls, plugin_configuration, **kwargs):
        """Reject non-numeric or out-of-range values, keyed by field."""
        errors = {}
        for item in plugin_configuration.configuration:
            if item["name"] not in SPECS and item["name"] not in TEXT_SPECS:
                continue
            try:
                validate_setting(item["name"], item.get("value"))
            except CRMError as error:  # the Settings API's message; Saleor's PluginErrorCode knows only "invalid"
                errors[item["name"]] = ValidationError(error.message, code=ConfigErrorCode.INVALID.value)
        if errors:
            raise ValidationError(errors)

    @classmethod
    def pre_save_plugin_configuration(cls, plugin_configuration):
        """Mirror the settings into the CRM's own table (read by ``config.get_setting``).

        Switched on in a shop whose history was never imported, the plugin
        asks a worker to import it (``backfill_shop``, after this commit), so
        profiles and recommendations exist without a manual ``crm_backfill``.
        """
        # Saleor imports plugin modules while it lists its plugins, before models may be imported.
        from .models import CRMSetting

        for item in plugin_configuration.configuration:
            if item["name"] in SPECS or item["name"] in TEXT_SPECS:
                CRMSetting.objects.update_or_create(
                    name=item["name"], defaults={"value": str(validate_setting(item["name"], item["value"]))}
                )
        transaction.on_commit(forget_stored)
        if plugin_configuration.active:  # the task returns at once when the history was imported before
            transaction.on_commit(lambda: send_task(BACKFILL_TASK, "plugin switched on"))

    # --- orders -------------------------------------------------------------
    def _order(self, order, kind, previous_value):
        if self.active:
            _capture(adapter.order_event, order, kind)
        return previous_value

    def order_created(self, order, previous_value, webhooks=None):
        return self._order(order, "order.created", previous_value)

    def order_confirmed(self, order, previous_value, webhooks=None):
        return self._order(order, "order.confirmed", previous_value)

    def order_paid(self, order, previous_value, webhooks=None):
        return self._order(order, "order.paid", previous_value)

    def order_fully_paid(self, order, previous_value, webhooks=None):
        return self._order(order, "order.fully_paid", previous_value)

    def order_updated(self, order, previous_value, webhooks=None):
        return self._order(order, "order.updated", previous_value)

    def order_cancelled(self, order, previous_value, webhooks=None):
        return self._order(order, "order.cancelled", previous_value)

    def order_fulfilled(self, order, previous_value, webhooks=None):
        return self._order(order, "order.fulfilled", previous_value)

    def order_refunded(self, order, previous_value, webhooks=None):
        return self._order(order, "order.refunded", previous_value)

    def order_fully_refunded(self, order, previous_value, webhooks=None):
        return self._order(order, "order.fully_refunded", previous_value)

    def order_expired(self, order, previous_value, webhooks=None):
        return self._order(order, "order.expired", previous_value)

    # --- checkouts ----------------------------------------------------------
    def _checkout(self, checkout, kind, previous_value):
        if self.active:
            _capture(adapter.checkout_event, checkout, kind)
        return previous_value

    def checkout_created(self, checkout, previous_value, webhooks=None):
        return self._checkout(checkout, "checkout.created", previous_value)

    def checkout_updated(self, checkout, previous_value, webhooks=None):
        return self._checkout(checkout, "checkout.updated", previous_value)

    def checkout_fully_paid(self, checkout, previous_value, webhooks=None):
        return self._checkout(checkout, "checkout.fully_paid", previous_value)

    # --- customers ----------------------------------------------------------
    def _customer(self, user, kind, previous_value):
        if self.active and not getattr(user, "is_staff", False):
            _capture(adapter.customer_event, user, kind)
        return previous_value

    def customer_created(self, customer, previous_value):
        return self._customer(customer, "customer.created", previous_value)

    def customer_updated(self, customer, previous_value, webhooks=None):
        return self._customer(customer, "customer.updated", previous_value)

    def customer_deleted(self, customer, previous_value, webhooks=None):
        return self._customer(customer, "customer.deleted", previous_value)

    # --- products -----------------------------------------------------------
    def _product(self, product, kind, previous_value):
        if self.active:
            _capture(adapter.product_event, product, kind)
        return previous_value

    def product_created(self, product, previous_value, webhooks=None):
        return self._product(product, "product.created", previous_value)

    def product_updated(self, product, previous_value, webhooks=None):
        return self._product(product, "product.updated", previous_value)

    def product_deleted(self, product, variants, previous_value, webhooks=None):
        return self._product(product, "product.deleted", previous_value)

    def product_variant_created(self, product_variant, previous_value, webhooks=None):
        return self._product(product_variant.product, "product.variant_created", previous_value)

    def product_variant_updated(self, product_variant, previous_value, webhooks=None, **kwargs):
        return self._product(product_variant.product, "product.variant_updated", previous_value)

    def product_variant_deleted(self, product_variant, previous_value, webhooks=None):
        return self._product(product_variant.product, "product.variant_deleted", previous_value)

    # --- HTTP ---------------------------------------------------------------
    def webhook(self, request, path, previous_value):
        """``/plugins/global/saleor_crm_plugin.crm/<path>``: the CRM's HTTP endpoints.

        ``graphql/`` is the CRM's GraphQL API (Saleor's JWTs, verified by Saleor);
        ``unsubscribe/<token>``, ``confirm/<token>``, ``survey/<token>`` and ``reply/<token>`` are the
        pages of the links in mails;
        ``manifest``, ``register`` and ``dashboard/…`` make the plugin the Dashboard's CRM app.
        """
        if not self.active:
            return previous_value
        if path.strip("/") == "graphql":
            # Loaded on the first API request: building the schema is not worth paying at Saleor's start.
            from .graphql.view import graphql_view

            with allow_writer():  # mutations write notes and consent from inside Saleor's request
                return graphql_view(request)
        from .campaigns.pages import route as mail_link_page
        from .dashboard.routes import route as dashboard_route
        from .support.pages import route as support_link_page

        with allow_writer():  # an unsubscribe, a confirmation, a survey answer or the app's registration writes
            page = (dashboard_route(request, path, _issued_app_token)
                    or mail_link_page(request, path) or support_link_page(request, path))
        return page if page is not None else HttpResponseNotFound("Unknown CRM endpoint")
