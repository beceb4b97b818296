"""Send a campaign in the foreground with progress, or show where it stands.

``send`` is what the Celery tasks do (``campaigns.sending``), run here until
nothing is left: the same claims, so it can run beside workers, be stopped at
any moment and run again to resume, and never sends anyone a second mail.
"""

import time

from django.core.management.base import BaseCommand, CommandError

from ...campaigns import sending
from ...campaigns.campaigns import schedule_campaign
from ...errors import CRMError
from ...models import Campaign, CampaignState
from ._progress import EntityProgress


class Command(BaseCommand):
    help = "crm_campaign send ID: start (a draft is scheduled now) and send with progress; crm_campaign status ID."

    def add_arguments(self, parser):
        parser.add_argument("action", choices=["send", "status"])
        parser.add_argument("campaign", type=int, help="campaign id")

    def handle(self, *args, action, campaign, **options):
        found = Campaign.objects.filter(pk=campaign).first()
        if found is None:
            raise CommandError(f"No campaign {campaign}.")
        if action == "send":
            self._send(found)
        self._status(campaign)

    def _send(self, campaign: Campaign) -> None:
        try:
            if campaign.state == CampaignState.DRAFT:
                schedule_campaign(campaign.pk)
            if Campaign.objects.get(pk=campaign.pk).state == CampaignState.SCHEDULED:
                sending.start_campaign(campaign.pk, enqueue=False)
        except CRMError as error:
            raise CommandError(f"{error.message} [{error.code_value}]") from None
        state = Campaign.objects.get(pk=campaign.pk).state
        if state != CampaignState.SENDING:
            self.stdout.write(f"Campaign {campaign.pk} is {state}: nothing to send.")
            return
        progress = EntityProgress(self.stdout, interval=5.0)
        started = time.monotonic()
        while True:
            report = sending.send_campaign(campaign.pk, time_budget=5.0, continue_later=False)
            totals = sending.campaign_totals(campaign.pk)
            progress("mails", totals["recipients"] - totals["queued"] - totals["sending"], totals["recipients"])
            if report.finished or not report.batches:
                break
        progress.close()
        self.stdout.write(f"Sent {totals['sent']:,} mails in {time.monotonic() - started:.1f} s.")

    def _status(self, campaign_id: int) -> None:
        campaign = Campaign.objects.get(pk=campaign_id)
        totals = sending.campaign_totals(campaign_id)
        self.stdout.write(f"Campaign {campaign.pk} \"{campaign.name}\" ({campaign.channel}): {campaign.state}")
        for state in ("sent", "skipped", "queued", "failed", "unknown", "cancelled"):
            if totals[state]:
                self.stdout.write(f"  {state:<9} {totals[state]:>8,}")
        for reason, count in sorted(totals["skipped_by_reason"].items()):
            self.stdout.write(f"    {reason.replace('_', ' '):<14} {count:>6,}")
        if totals["queued"]:
            self.stdout.write("  (queued mails wait for a retry after a temporary provider error, or for a paused "
                              "campaign to resume; run this again or let the dispatcher send them)")
