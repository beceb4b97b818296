"""Which profile an event belongs to.

A profile is keyed by the Saleor user when known, else by the normalized
email. When an account appears for an email that already has a guest profile,
the guest profile is claimed (or merged) so the customer has one record.
Resolution runs under the fold lock, one batch at a time.
"""

from datetime import datetime

from django.conf import settings
from django.db import connection

from ..normalized.schema import Customer
from ..models import CustomerProfile, ErasedIdentity
from ..db import binding_cursor
from .privacy import identity_hash


IDENTITY_FIELDS = [
    "id", "user_id", "email", "first_name", "last_name", "is_active", "account_created_at",
    "details_updated_at", "erased_at",
]
INSERT_PROFILES_SQL = (
    "INSERT INTO crm_customer_profile (user_id, email, first_name, last_name, is_active, "
    "details_updated_at, order_count, placed_count, cancelled_count, refunded_count, "
    "favourite_categories, favourite_products, channels, open_checkouts, abandoned_checkouts, "
    "created_at, updated_at) "
    "SELECT v.user_id, v.email, '', '', true, v.details_updated_at, 0, 0, 0, 0, '[]', '[]', '[]', 0, 0, "
    "now(), now() FROM unnest(%b::bigint[], %b::text[], %b::timestamptz[]) AS v(user_id, email, details_updated_at) "
    "RETURNING id, user_id, email"
)


# Rows unique per customer and key: the guest's move to the account unless the
# account has its own (for consent, the newer of the two wins); what stays with
# the guest goes with it.
MERGE_ONE_PER_KEY = [
    "DELETE FROM crm_channel_consent a USING crm_channel_consent g WHERE a.profile_id = %(into)s "
    "AND g.profile_id = %(guest)s AND a.channel = g.channel AND a.updated_at < g.updated_at",
    "UPDATE crm_channel_consent SET profile_id = %(into)s WHERE profile_id = %(guest)s AND channel NOT IN "
    "(SELECT channel FROM crm_channel_consent WHERE profile_id = %(into)s)",
    # A campaign's mail moves unless the account has one of that campaign; an automation's always does.
    "UPDATE crm_delivery SET profile_id = %(into)s WHERE profile_id = %(guest)s AND (campaign_id IS NULL OR "
    "campaign_id NOT IN (SELECT campaign_id FROM crm_delivery WHERE profile_id = %(into)s "
    "AND campaign_id IS NOT NULL))",
]


def identity_hashes(customer: Customer, secret: str | None = None) -> list[str]:
    """Tombstone hashes for a customer's user id and email."""
    hashes = []
    if customer.user_id is not None:
        hashes.append(identity_hash("user", customer.user_id, secret))
    if customer.email:
        hashes.append(identity_hash("email", customer.email, secret))
    return hashes


class ProfileResolver:
    """Resolves the customers of one fold batch to profiles, creating in bulk."""

    def __init__(self, customers: list[Customer]):
        self.by_user: dict[int, CustomerProfile] = {}
        self.by_email: dict[str, CustomerProfile] = {}
        self.new: list[CustomerProfile] = []
        self.changed: dict[int, CustomerProfile] = {}
        self.merged_away: set[int] = set()
        self.secret = settings.SECRET_KEY  # read once: Django's lazy settings are slow per call
        user_ids = {c.user_id for c in customers if c.user_id is not None}
        emails = {c.email for c in customers if c.email}
        # Two indexed look-ups (one OR-ed query would scan the whole table),
        # loading only identity columns, not the metric JSON.
        with binding_cursor() as cursor:
            cursor.execute(
                f"SELECT {', '.join(IDENTITY_FIELDS)} FROM crm_customer_profile WHERE user_id = ANY(%b) "
                f"UNION SELECT {', '.join(IDENTITY_FIELDS)} FROM crm_customer_profile WHERE email = ANY(%b)",
                [list(user_ids), list(emails)],
            )
            for row in cursor.fetchall():
                self._index(CustomerProfile.from_db("default", IDENTITY_FIELDS, row))
            self.tombstones = {}
            if ErasedIdentity.objects.exists():
                hashes = list({h for c in customers for h in identity_hashes(c, self.secret)})
                cursor.execute(
                    "SELECT identity_hash, profile_id, erased_at FROM crm_erased_identity "
                    "WHERE identity_hash = ANY(%b)",
                    [hashes],
                )
                self.tombstones = {
                    h: ErasedIdentity(identity_hash=h, profile_id=pid, erased_at=at)
                    for h, pid, at in cursor.fetchall()
                }

    def _index(self, profile: CustomerProfile) -> None:
        if profile.user_id is not None:
            self.by_user[profile.user_id] = profile
        if profile.email:
            self.by_email[profile.email] = profile

    def _tombstone(self, customer: Customer, occurred_at: datetime) -> int | None:
        if not self.tombstones:  # nobody in this batch was ever erased
            return None
        if customer.user_id is not None:
            tomb = self.tombstones.get(identity_hash("user", customer.user_id, self.secret))
            if tomb:  # Saleor never reuses user ids
                return tomb.profile_id
        if customer.email:
            tomb = self.tombstones.get(identity_hash("email", customer.email, self.secret))
            # The same address may come back later as a new customer.
            if tomb and occurred_at <= tomb.erased_at:
                return tomb.profile_id
        return None

    def resolve(
        self, customer: Customer, occurred_at: datetime, *, account_version: datetime | None = None
    ) -> CustomerProfile | int | None:
        """Profile for ``customer``; an ``int`` is the id of an erased profile.

        ``account_version`` is set for account events (their ``updated_at``):
        their email replaces the profile's (an email change) unless a newer
        account event was already folded; order emails only fill a missing one.
        """
        if not customer.known or customer.erased:
            return None
        erased = self._tombstone(customer, occurred_at)
        if erased is not None:
            return erased
        by_user = self.by_user.get(customer.user_id) if customer.user_id is not None else None
        by_email = self.by_email.get(customer.email) if customer.email else None
        authoritative = account_version is not None and (
            by_user is None or by_user.details_updated_at is None or account_version >= by_user.details_updated_at
        )
        if by_user is not None:
            if by_email is not None and by_email is not by_user:
                if by_email.user_id is None:
                    self._merge(by_email, into=by_user)
                elif authoritative:
                    # The address moved to this account: the other keeps its history.
                    self._set_email(by_email, None)
                    self._set_email(by_user, customer.email)
            elif customer.email and (authoritative or not by_user.email) and by_user.email != customer.email:
                self._set_email(by_user, customer.email)
            if authoritative:
                by_user.details_updated_at = account_version
            return by_user
        if by_email is not None:
            if customer.user_id is None:
                return by_email
            if by_email.user_id is None:  # the guest creates an account: claim
                by_email.user_id = customer.user_id
                self.by_user[customer.user_id] = by_email
                self._mark(by_email)
                return by_email
            # The address belongs to another account: a new profile without it.
            return self._create(customer.user_id, None)
        return self._create(customer.user_id, customer.email)

    def _create(self, user_id, email) -> CustomerProfile:
        profile = CustomerProfile(user_id=user_id, email=email)
        self.new.append(profile)
        self._index(profile)
        return profile

    def _mark(self, profile: CustomerProfile) -> None:
        if profile.pk is not None:
            self.changed[profile.pk] = profile

    def _set_email(self, profile: CustomerProfile, email: str | None) -> None:
        if profile.email and self.by_email.get(profile.email) is profile:
            del self.by_email[profile.email]
        profile.email = email
        if email:
            self.by_email[email] = profile
        self._mark(profile)
        if profile.pk is not None and email is None:
            # Free the unique address now, before the other profile takes it.
            CustomerProfile.objects.filter(pk=profile.pk).update(email=None)

    def _merge(self, guest: CustomerProfile, *, into: CustomerProfile) -> None:
        """Move a guest profile's history into an account profile."""
        email = guest.email
        del self.by_email[email]
        if guest.pk is None:
            self.new.remove(guest)
        else:
            if into.pk is None:
                self.new.remove(into)
                into.save()
            with connection.cursor() as cursor:
                for table in ("crm_order", "crm_checkout", "crm_event", "crm_customer_note", "crm_consent_record",
                              "crm_service_request", "crm_survey_response", "crm_automation_run"):
                    cursor.execute(
                        f"UPDATE {table} SET profile_id = %s WHERE profile_id = %s",  # noqa: S608
                        [into.pk, guest.pk],
                    )
                for statement in MERGE_ONE_PER_KEY:
                    cursor.execute(statement, {"into": into.pk, "guest": guest.pk})
            self.changed.pop(guest.pk, None)
            self.merged_away.add(guest.pk)
            guest.delete()
        if not into.email:
            into.email = email
            self.by_email[email] = into
            self._mark(into)

    def save(self) -> None:
        """Write new and changed profiles (new ones in one statement)."""
        for profile in self.changed.values():
            profile.save(update_fields=["user_id", "email"])
        if not self.new:
            return
        with binding_cursor() as cursor:
            cursor.execute(INSERT_PROFILES_SQL, [
                [p.user_id for p in self.new], [p.email for p in self.new],
                [p.details_updated_at for p in self.new],
            ])
            ids = {(user_id, email): pk for pk, user_id, email in cursor.fetchall()}
        for profile in self.new:
            profile.pk = ids[(profile.user_id, profile.email)]
            profile._state.adding = False
        self.new = []


def resolve_customer(customer: Customer, occurred_at: datetime) -> tuple[CustomerProfile | int | None, set[int]]:
    """Resolve one customer outside a fold batch, exactly as the fold would; the caller holds the fold lock.

    Returns the profile (found, claimed from a guest, merged or created), the
    id of an erased profile (a tombstone matched: nothing is created), or
    ``None`` for a customer without identity; and the profiles whose metrics
    must be recomputed because guest history moved into them.
    """
    resolver = ProfileResolver([customer])
    target = resolver.resolve(customer, occurred_at)
    resolver.save()
    dirty = set(resolver.changed) - resolver.merged_away
    if resolver.merged_away and isinstance(target, CustomerProfile):
        dirty.add(target.pk)
    return target, dirty
