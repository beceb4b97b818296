"""Readable timeline text for events. No personal data goes into a summary."""

from .schema import CheckoutEvent, CustomerEvent, Event, InvalidEvent, OrderEvent, parse_event

ORDER_VERBS = {
    "order.confirmed": "was confirmed",
    "order.paid": "was paid",
    "order.fully_paid": "was fully paid",
    "order.updated": "was updated",
    "order.cancelled": "was cancelled",
    "order.fulfilled": "was fulfilled",
    "order.refunded": "was refunded",
    "order.fully_refunded": "was fully refunded",
    "order.expired": "expired",
}
CUSTOMER_TEXT = {
    "customer.created": "Created an account",
    "customer.updated": "Updated account details",
    "customer.deleted": "Account deleted; personal data erased",
}


def _items(lines) -> str:
    count = sum(line.quantity for line in lines)
    return f"{count} item{'s' if count != 1 else ''}"


def summarize(event: Event) -> str:
    """One readable sentence describing ``event`` for the customer timeline."""
    if isinstance(event, OrderEvent):
        label = f"Order #{event.number or event.order_id[:8]}"
        if event.kind == "order.created":
            where = f" in {event.channel}" if event.channel else ""
            return f"Placed {label.lower()}: {_items(event.lines)}, {event.total_gross:.2f} {event.currency}{where}"
        return f"{label} {ORDER_VERBS.get(event.kind, event.kind)}"
    if isinstance(event, CheckoutEvent):
        text = {
            "checkout.created": "Started a checkout",
            "checkout.updated": "Changed a checkout",
            "checkout.fully_paid": "Paid a checkout",
        }[event.kind]
        return f"{text}: {_items(event.lines)}, {event.total_gross:.2f} {event.currency}"
    if isinstance(event, CustomerEvent):
        return CUSTOMER_TEXT[event.kind]
    return ""


def summarize_payload(payload: dict) -> str:
    """Timeline sentence of a stored (processed) payload; empty for one that is not a valid event."""
    try:
        return summarize(parse_event(payload))
    except InvalidEvent:
        return ""
