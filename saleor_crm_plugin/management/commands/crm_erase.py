"""Erase one customer's personal data from the CRM (GDPR article 17), by email and/or Saleor user id."""

from django.core.management.base import BaseCommand, CommandError

from ...errors import CRMError
from ...normalized.schema import normalize_email
from ...profiles.privacy import erase_customer, profiles_for


class Command(BaseCommand):
    help = ("Erase a customer's email, names, user id, notes and source payloads from every CRM table; "
            "anonymized figures stay. Asks for confirmation unless --yes.")

    def add_arguments(self, parser):
        parser.add_argument("--email", default=None)
        parser.add_argument("--user-id", type=int, default=None)
        parser.add_argument("--yes", action="store_true", help="Do not ask for confirmation.")

    def handle(self, *args, email, user_id, yes, **options):
        email = normalize_email(email)
        if user_id is None and not email:
            raise CommandError("Give --email and/or --user-id.")
        who = " and ".join(part for part in (f"email {email}" if email else "",
                                             f"user id {user_id}" if user_id is not None else "") if part)
        found = len(profiles_for(user_id, email))
        self.stdout.write(f"{found} profile(s) found for {who}.")
        if not yes and input("Erase this customer's personal data for good? Type 'yes': ").strip() != "yes":
            raise CommandError("Not erased.")
        try:
            ids = erase_customer(user_id=user_id, email=email)
        except CRMError as error:
            raise CommandError(f"{error.message} [{error.code_value}]") from None
        self.stdout.write(f"Erased {who}: anonymized profile(s) {', '.join(map(str, ids))}.")
