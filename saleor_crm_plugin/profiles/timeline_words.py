"""The timeline in words: one sentence per business fact or contact, rendered on the server.

Sentences are plain English templates (``SENTENCES``) filled with values, so a translation replaces the
templates and nothing else; amounts are formatted per currency (``$32.00``, ``¥1,200``) with CLDR data.
Merchant text (a campaign's name, a message's excerpt) is data: it is quoted, never interpreted.
"""

from decimal import Decimal

import orjson
from babel.numbers import format_currency

from ..models import AutomationKind
from ..normalized.schema import InvalidEvent, OrderEvent, parse_event
from ..normalized.summaries import summarize_payload

LOCALE = "en_US"  # the Dashboard's language; CLDR data for any locale ships with babel
EXCERPT = 80  # characters of a message shown in the timeline

# Event kinds that are a business fact, and the fact they tell. Every other event (an order's update or
# confirmation, a checkout's changes, an account's edits) shows only among the raw events.
ORDER_FACTS = {
    "order.created": "placed",
    "order.paid": "paid",
    "order.fully_paid": "paid",
    "order.fulfilled": "fulfilled",
    "order.cancelled": "cancelled",
    "order.expired": "expired",
    "order.refunded": "refunded",
    "order.fully_refunded": "refunded",
}
ACCOUNT_FACTS = {"customer.created": "created", "customer.deleted": "deleted"}
FACT_KINDS = tuple(sorted({*ORDER_FACTS, *ACCOUNT_FACTS}))
MAIL_EVENT_KINDS = ("clicked", "bounced", "complained", "rejected")

SENTENCES = {
    "order.placed": "Order #{number} placed, {total}, {items}",
    "order.placed.channel": "Order #{number} placed, {total}, {items}, in {channel}",
    "order.paid": "Order #{number} paid",
    "order.fulfilled": "Order #{number} fulfilled",
    "order.cancelled": "Order #{number} cancelled",
    "order.expired": "Order #{number} expired",
    "order.refunded": "Order #{number} refunded in full",
    "order.partly_refunded": "Order #{number} partly refunded",
    "account.created": "Created an account",
    "account.deleted": "Account deleted; personal data erased",
    "checkout.abandoned": "Checkout abandoned, {total}, {items}",
    "mail.sent": "Campaign mail \u201c{campaign}\u201d sent",
    "mail.clicked": "Clicked a link in {mail}: {url}",
    "mail.bounced": "Mail bounced: {mail}",
    "mail.rejected": "Mail rejected by the provider: {mail}",
    "mail.complained": "Marked as spam: {mail}",
    "automation.mailed": "{automation} mail sent (step {step}): {fate}",
    "automation.skipped": "{automation} mail skipped (step {step}): {reason}",
    "automation.cancelled": "{automation} mail cancelled (step {step}): {reason}",
    "consent.subscribed": "Subscribed to marketing mail in {channel} ({source})",
    "consent.unsubscribed": "Unsubscribed from marketing mail in {channel} ({source})",
    "consent.unsubscribed.campaign": "Unsubscribed from marketing mail in {channel} ({source}, from \u201c{campaign}\u201d)",
    "consent.pending": "Asked to subscribe in {channel}: confirmation mail sent",
    "support.opened": "Opened {kind} #{request} \u201c{subject}\u201d: {excerpt}",
    "support.wrote": "Wrote on #{request}: {excerpt}",
    "support.reply": "Reply from {author} ({state}) to #{request}: {excerpt}",
    "survey": "Rated {survey} {score} of {scale}{comment}",
}
ITEMS = ("{count} item", "{count} items")
CONSENT_SOURCES = {
    "storefront": "storefront", "staff": "by staff", "import": "import", "confirmation_link": "confirmed by mail",
    "one_click": "one-click link", "complaint": "spam complaint",
}


def say(key: str, **values) -> str:
    """The sentence ``key`` with ``values`` filled in."""
    return SENTENCES[key].format(**values)


def money(amount, currency: str) -> str:
    """``amount`` as the shop shows it in ``currency`` ($32.00, ¥1,200)."""
    try:
        return format_currency(Decimal(str(amount)), currency, locale=LOCALE)
    except (ValueError, ArithmeticError):  # a code CLDR does not know: the amount and the code as given
        return f"{amount} {currency}"


def items(count: int) -> str:
    return ITEMS[count != 1].format(count=count)


def excerpt(text: str) -> str:
    flat = " ".join((text or "").split())
    return flat if len(flat) <= EXCERPT else flat[:EXCERPT - 1] + "\u2026"


def _payload(row) -> dict:
    payload = row["payload"]  # jsonb comes as text through a plain cursor (Django decodes it in JSONField)
    return orjson.loads(payload) if isinstance(payload, str) else payload


def raw_event(row) -> dict | None:
    """A stored event as it came (``order.fully_paid``), with its one-line summary."""
    text = summarize_payload(_payload(row))
    return {"at": row["occurred_at"], "kind": row["kind"], "text": text} if text else None


def fact(row) -> tuple[tuple, dict] | None:
    """``(what it is about, entry)`` of a business fact's event; None for one that is not valid."""
    try:
        event = parse_event(_payload(row))
    except InvalidEvent:
        return None
    if not isinstance(event, OrderEvent):
        name = ACCOUNT_FACTS.get(event.kind)
        return (("account", name), {"at": row["occurred_at"], "kind": f"account.{name}",
                                    "text": say(f"account.{name}")}) if name else None
    name = ORDER_FACTS[event.kind]
    number = event.number or event.order_id[:8]
    if name == "placed":
        key = "order.placed.channel" if event.channel else "order.placed"
        text = say(key, number=number, total=money(event.total_gross, event.currency),
                   items=items(sum(line.quantity for line in event.lines)), channel=event.channel)
    elif event.kind == "order.refunded":  # Saleor says "refunded" for any refund, "fully refunded" once in full
        return (event.order_id, name), {"at": row["occurred_at"], "kind": "order.partly_refunded",
                                        "text": say("order.partly_refunded", number=number)}
    else:
        text = say(f"order.{name}", number=number)
    return (event.order_id, name), {"at": row["occurred_at"], "kind": f"order.{name}", "text": text}


def checkout(row) -> dict:
    return {"at": row["abandoned_at"], "kind": "checkout.abandoned",
            "text": say("checkout.abandoned", total=money(row["total_gross"], row["currency"]),
                        items=items(row["lines_count"]))}


def _mail_name(row) -> str:
    if row["campaign"] is not None:
        return f"campaign mail \u201c{row['campaign']}\u201d"
    if row["automation"] is not None:
        return f"{AutomationKind(row['automation']).label} mail"
    return "a mail"


def mail(row) -> dict:
    """A campaign mail sent, or what the mail provider (or our click link) reported about any mail."""
    if row["event"] is None:
        return {"at": row["at"], "kind": "mail.sent", "text": say("mail.sent", campaign=row["campaign"])}
    name = _mail_name(row)
    text = say(f"mail.{row['event']}", mail=name, url=excerpt(row["url"]))
    return {"at": row["at"], "kind": f"mail.{row['event']}", "text": text}


def consent(row) -> dict:
    """A consent change: given (subscribed, pending confirmation) or withdrawn, and how."""
    state, source = row["state"], CONSENT_SOURCES.get(row["source"], row["source"])
    key = f"consent.{state}"
    if state == "unsubscribed" and row["campaign"] is not None:
        key = "consent.unsubscribed.campaign"
    return {"at": row["at"], "kind": f"consent.{state}",
            "text": say(key, channel=row["channel"], source=source, campaign=row["campaign"])}


def message(row) -> dict:
    """A service request's message: the first one opens the request."""
    request, text = row["request"], excerpt(row["body"])
    if row["direction"] == "outbound":
        sentence = say("support.reply", author=row["author"] or "the shop", state=row["state"], request=request,
                       excerpt=text)
    elif row["opener"]:
        sentence = say("support.opened", kind=row["kind"].replace("_", " "), request=request, subject=row["subject"],
                       excerpt=text)
    else:
        sentence = say("support.wrote", request=request, excerpt=text)
    return {"at": row["created_at"], "kind": f"support.{row['direction']}", "text": sentence}


def survey(row) -> dict:
    scale = 5 if row["kind"] == "csat" else 10
    comment = f": {excerpt(row['comment'])}" if row["comment"] else ""
    return {"at": row["answered_at"], "kind": f"survey.{row['kind']}",
            "text": say("survey", survey=row["kind"].upper(), score=row["score"], scale=scale, comment=comment)}


def run(row) -> dict:
    """An automation mail: sent (with the mail's fate), skipped or cancelled, each with its reason."""
    state = row["state"]
    text = say(f"automation.{state}", automation=AutomationKind(row["kind"]).label, step=row["step"],
               fate=row["fate"] or "queued", reason=(row["reason"] or "").replace("_", " "))
    at = row["sent_at"] or row["finished_at"] or row["due_at"]
    return {"at": at, "kind": f"automation.{state}", "text": text}
