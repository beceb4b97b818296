"""The demo's campaign: consent for half the customers, the starter template, a campaign to two RFM groups.

    python -m crm_host.demo_campaign CHANNEL TOP_CUSTOMER_EMAIL   (prints the campaign id on the last line)

Everything goes through the CRM's services, as the staff API would: consent
recorded with source ``import`` (a shop bringing its newsletter list), the
template from ``docs/examples/for-you.mjml`` checked and compiled, a preview
for the top customer printed, and a draft campaign to "RFM: champions" and
"RFM: loyal", keeping a 10% holdout, that ``manage.py crm_campaign send`` then sends.
"""

import sys
from pathlib import Path

import django

EXAMPLE = Path(__file__).resolve().parent.parent / "docs" / "examples" / "for-you.mjml"
SUBJECT = "Picked for you this week"
PREHEADER = "New for you this week"


def main(channel: str, top_email: str) -> None:
    django.setup()
    from saleor_crm_plugin.campaigns import campaigns
    from saleor_crm_plugin.campaigns.consent import set_consent
    from saleor_crm_plugin.campaigns.previews import preview
    from saleor_crm_plugin.models import ConsentSource, ConsentState, CustomerProfile, Segment

    profiles = list(CustomerProfile.objects.filter(erased_at__isnull=True).order_by("pk").values_list("pk", flat=True))
    for profile_id in profiles[::2]:
        set_consent(ConsentState.SUBSCRIBED, channel, ConsentSource.IMPORT, profile_id=profile_id,
                    detail={"list": "demo newsletter"})
    print(f"Consent: {len(profiles[::2])} of {len(profiles)} customers subscribed in {channel} (source: import)")
    template = campaigns.create_template(name="Picked for you", subject=SUBJECT, preheader=PREHEADER,
                                         body=EXAMPLE.read_text())
    top = CustomerProfile.objects.get(email=top_email)
    mail = preview(template=template, profile_id=top.pk, channel=channel)
    print(f"Preview for {top_email}:\n  Subject: {mail.subject}\n" + "\n".join(
        f"  | {line}" for line in mail.text.splitlines() if line.strip()))
    groups = list(Segment.objects.filter(name__in=["RFM: champions", "RFM: loyal"]).values_list("pk", flat=True))
    # A 10% holdout (never mailed) measures what the mail changes once the attribution window has passed.
    campaign = campaigns.create_campaign(name="Picked for you", template_id=template.pk, channel=channel,
                                         segment_ids=groups, holdout_percent=10)
    print(campaign.pk)


if __name__ == "__main__":
    main(*sys.argv[1:3])
