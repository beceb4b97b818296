"""Saleor adapter: Saleor ORM objects → normalized CRM events.

This is the only module that knows Saleor's field names. It never imports
Saleor (it reads the objects it is given), so the rest of the package and its
tests run without Saleor installed. Each event keeps a compact raw copy of the
source object's own columns (``raw_fields``), like anymail's ``esp_event``.
"""

from datetime import datetime
from decimal import Decimal

from django.utils import timezone

from ..normalized.fields import normalize_phone
from ..normalized.schema import CheckoutEvent, Customer, CustomerEvent, Line, OrderEvent, ProductEvent


# Never copied into the CRM: secrets and search internals.
RAW_FIELDS_SKIPPED = frozenset(
    {"password", "jwt_token_key", "private_metadata", "search_document", "search_vector",
     "last_password_reset_request", "last_confirm_email_request"}
)


def raw_fields(instance) -> dict:
    """The object's own column values, JSON-safe, without querying relations.

    Secrets (the password hash, the JWT key, private metadata) are left out.
    """
    data = {"model": instance._meta.label}
    for f in instance._meta.concrete_fields:
        if f.name in RAW_FIELDS_SKIPPED or f.get_internal_type() == "SearchVectorField":
            continue
        value = getattr(instance, f.attname, None)
        if isinstance(value, (datetime, Decimal)) or hasattr(value, "hex"):
            value = str(value)
        elif value is not None and not isinstance(value, (str, int, float, bool, list, dict)):
            value = str(value)
        data[f.attname] = value
    return data


def _lines(owner):
    """Lines with variant, product and category: prefetched (backfill) or in one query (hooks)."""
    if "lines" in getattr(owner, "_prefetched_objects_cache", {}):
        return owner.lines.all()
    return owner.lines.select_related("variant__product__category")


def _image_url(product) -> str:
    """The URL of the product's first image (absolute when the storage gives one), or ""."""
    media = product.media.first() if product.pk else None
    if media is None:
        return ""
    if media.image:
        return media.image.url
    return media.external_url or ""


def _category(product) -> str:
    category = getattr(product, "category", None) if product is not None else None
    return category.name if category is not None else ""


def _variant_line(variant, quantity, *, line_id="", unit_price=Decimal(0), total=Decimal(0),
                  product_name="", variant_name="", sku="") -> Line:
    product = variant.product if variant is not None else None
    return Line(
        quantity=quantity,
        product_id=variant.product_id if variant is not None else None,
        variant_id=str(variant.pk) if variant is not None else "",
        product_name=product_name or (product.name if product is not None else ""),
        variant_name=variant_name or (variant.name if variant is not None else ""),
        sku=sku or ((variant.sku or "") if variant is not None else ""),
        category=_category(product),
        unit_price=unit_price,
        total_price=total,
        line_id=line_id,
    )


def order_event(order, kind: str, occurred_at: datetime | None = None) -> OrderEvent:
    """Normalize a Saleor ``order.Order`` for event ``kind`` (e.g. ``order.created``)."""
    lines = _lines(order)
    return OrderEvent(
        kind=kind,
        occurred_at=occurred_at or timezone.now(),
        order_id=str(order.pk),
        number=str(order.number or ""),
        customer=Customer(user_id=order.user_id, email=(order.user_email or None),
                          phone=_phone(order.billing_address, order.shipping_address)),
        channel=order.channel.slug,
        currency=order.currency,
        status=order.status,
        total_gross=order.total_gross_amount,
        total_net=order.total_net_amount,
        placed_at=order.created_at,
        updated_at=order.updated_at or order.created_at,
        checkout_token=str(order.checkout_token or ""),
        country=_country(order),
        lines=tuple(
            _variant_line(
                line.variant, line.quantity, line_id=str(line.pk),
                unit_price=line.unit_price_gross_amount, total=line.total_price_gross_amount,
                product_name=line.product_name, variant_name=line.variant_name, sku=line.product_sku or "",
            )
            for line in lines
        ),
    )


def _phone(*addresses) -> str:
    """The first address's phone (Saleor's PhoneNumberField: E.164 text, or empty), normalized."""
    for address in addresses:
        phone = str(getattr(address, "phone", "") or "") if address is not None else ""
        if phone:
            return normalize_phone(phone)
    return ""


def _country(order) -> str:
    address = order.billing_address or order.shipping_address
    return address.country.code if address is not None and address.country else ""


def checkout_event(checkout, kind: str, occurred_at: datetime | None = None) -> CheckoutEvent:
    """Normalize a Saleor ``checkout.Checkout``."""
    user = checkout.user
    lines = _lines(checkout)
    return CheckoutEvent(
        kind=kind,
        occurred_at=occurred_at or timezone.now(),
        token=str(checkout.token),
        customer=Customer(
            user_id=checkout.user_id,
            email=(checkout.email or (user.email if user is not None else None) or None),
        ),
        channel=checkout.channel.slug,
        currency=checkout.currency,
        total_gross=checkout.total_gross_amount or Decimal(0),
        started_at=checkout.created_at,
        updated_at=checkout.last_change or checkout.created_at,
        lines=tuple(
            _variant_line(
                line.variant, line.quantity, line_id=str(line.pk),
                unit_price=line.undiscounted_unit_price_amount or Decimal(0),
                total=(line.undiscounted_unit_price_amount or Decimal(0)) * line.quantity,
            )
            for line in lines
        ),
    )


def customer_event(user, kind: str, occurred_at: datetime | None = None) -> CustomerEvent:
    """Normalize a Saleor ``account.User``."""
    return CustomerEvent(
        kind=kind,
        occurred_at=occurred_at or timezone.now(),
        customer=Customer(
            user_id=user.pk, email=user.email or None,
            first_name=user.first_name or "", last_name=user.last_name or "",
            phone=_phone(getattr(user, "default_billing_address", None),
                         getattr(user, "default_shipping_address", None)),
        ),
        updated_at=getattr(user, "updated_at", None) or timezone.now(),
        is_active=user.is_active,
        joined_at=user.date_joined,
    )


def _prefetched(instance, name: str) -> bool:
    return name in getattr(instance, "_prefetched_objects_cache", {})


def _attributes(product) -> dict:
    values: dict[str, list[str]] = {}
    assigned = sorted(product.attributevalues.all(), key=lambda a: (a.sort_order or 0, a.pk)) if _prefetched(
        product, "attributevalues"
    ) else product.attributevalues.select_related("value__attribute").order_by("sort_order", "pk")
    for item in assigned:
        attribute = item.value.attribute
        values.setdefault(attribute.name, []).append(item.value.name)
    return values


def product_event(product, kind: str, occurred_at: datetime | None = None) -> ProductEvent:
    """Normalize a Saleor ``product.Product`` (its listings, attributes and variants)."""
    deleted = kind == "product.deleted" or product.pk is None
    listings = () if deleted else tuple(
        {
            "channel": listing.channel.slug,
            "channel_name": listing.channel.name,  # kept by the CRM for the Dashboard's pickers (App mode)
            "is_published": listing.is_published,
            "published_at": listing.published_at.isoformat() if listing.published_at else None,
            "visible_in_listings": listing.visible_in_listings,
            "available_for_purchase_at": (
                listing.available_for_purchase_at.isoformat() if listing.available_for_purchase_at else None
            ),
            "currency": listing.currency,
            # The "from" price Saleor shows in listings, for emails (None until Saleor computes it).
            "price_amount": (
                str(listing.discounted_price_amount) if listing.discounted_price_amount is not None else None
            ),
        }
        for listing in sorted(product.channel_listings.all(), key=lambda li: li.channel.slug)
    )
    return ProductEvent(
        kind=kind,
        occurred_at=occurred_at or timezone.now(),
        product_id=product.pk if product.pk is not None else product.id,
        updated_at=product.updated_at or timezone.now(),
        name=product.name,
        slug=product.slug,
        description_text=product.description_plaintext or "",
        image_url="" if deleted else _image_url(product),
        category_id=product.category_id,
        category=_category(product),
        product_type=product.product_type.name if product.product_type_id else "",
        attributes={} if deleted else _attributes(product),
        channel_listings=listings,
        variants=() if deleted else tuple(
            {"id": v.pk, "name": v.name, "sku": v.sku} for v in sorted(product.variants.all(), key=lambda v: v.pk)
        ),
    )
