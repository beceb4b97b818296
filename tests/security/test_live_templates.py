"""Template injection against a live host (gunicorn, 2 sync workers, DEBUG=0): the payloads that ran code through
pybars3 — in the subject, preheader, body and text part; previewed, saved, previewed again and really sent
through a worker to an SMTP server — leave no side effect and no interpreter detail in any answer."""

import json
import sys

import pytest

from saleor_crm_plugin.campaigns.consent import set_consent
from saleor_crm_plugin.models import ConsentSource, ConsentState, CustomerProfile, Segment
from tests.campaigns.hostile_templates import RAN_CODE
from tests.graphql.conftest import gid, operation, staff_token
from tests.live_host import live_host, live_host_settings, wait_for  # noqa: F401 (fixtures)

pytestmark = pytest.mark.django_db(transaction=True)

PREVIEW = operation("staff/email-template-preview")
CREATE_TEMPLATE = operation("staff/email-template-create")
CREATE_CAMPAIGN = operation("staff/campaign-create")
SCHEDULE = operation("staff/campaign-schedule")
FIELDS = ("subject", "preheader", "body", "text")
LEAKS = ("Traceback", 'File "', "NameError", "SyntaxError", "AttributeError", sys.version.split()[0], "uid=",
         "<class ", "<built-in", "<module", "internal_error")


def payloads(sentinel) -> list[str]:
    return [source.replace("{sentinel}", str(sentinel)) for source in RAN_CODE]


def template_input(field: str, payload: str) -> dict:
    sources = {"name": f"Hostile {field}", "subject": "News", "preheader": "", "bodyFormat": "HTML",
               "body": "<p>Hello</p>", "text": ""}
    sources[field] = f"<p>Hello</p><p>{payload}</p>" if field == "body" else payload
    return sources


def leaks(answer) -> list[str]:
    text = json.dumps(answer)
    return [marker for marker in LEAKS if marker in text]


def test_the_payloads_that_ran_code_are_data_in_previews_and_saved_templates(live_host, transactional_db, tmp_path):
    sentinel = tmp_path / "sentinel"
    answers = []
    for field in FIELDS:
        for payload in payloads(sentinel):
            sources = template_input(field, payload)
            # when: previewed as typed, saved, and the saved one previewed
            preview = live_host.graphql(PREVIEW, {"channel": "default-channel", "input": sources},
                                        bearer=staff_token())
            created = live_host.graphql(CREATE_TEMPLATE, {"input": {**sources, "name": f"{field} {len(answers)}"}},
                                        bearer=staff_token())
            saved = created.json()["data"]["crmEmailTemplateCreate"]
            again = live_host.graphql(PREVIEW, {"channel": "default-channel",
                                                "templateId": saved["emailTemplate"]["id"]}, bearer=staff_token()) \
                if saved["emailTemplate"] else None
            answers += [(field, payload, response) for response in (preview, created, again) if response is not None]
    # then: every answer is a rendering or a coded refusal, none leaks the interpreter, nothing ran
    assert not sentinel.exists()
    for field, payload, response in answers:
        body = response.json()
        assert response.status_code == 200, (field, payload, response.text[:300])
        assert not leaks(body), (field, payload, body)
        assert all(error["extensions"]["code"] != "internal_error" for error in body.get("errors", []))
    rendered = [r.json()["data"]["crmEmailTemplatePreview"] for _, _, r in answers
                if "crmEmailTemplatePreview" in (r.json().get("data") or {})]
    assert len(rendered) == 2 * len(FIELDS) * len(RAN_CODE)
    # what was rendered holds none of the payloads' output (a lookup of an odd name renders nothing)
    assert all("Hello" in p["html"] and "pwned" not in json.dumps(p) for p in rendered), rendered[:2]


def test_a_campaign_sent_with_the_payloads_mails_them_as_text_and_runs_nothing(live_host, transactional_db,
                                                                                tmp_path):
    sentinel = tmp_path / "sentinel"
    live_host.clear_inbox()
    # given: a subscribed customer, and a template carrying every payload in every field
    profile = CustomerProfile.objects.create(email="fan@example.com", first_name="Fan")
    set_consent(ConsentState.SUBSCRIBED, "default-channel", ConsentSource.IMPORT, profile_id=profile.pk)
    segment = Segment.objects.create(name="Everyone", rules={"field": "order_count", "op": "gte", "value": 0})
    hostile = " ".join(payloads(sentinel))
    sources = {"name": "Every payload", "subject": f"News {hostile}", "preheader": hostile, "bodyFormat": "HTML",
               "body": f"<p>Hello</p><p>{hostile}</p><p><a href=\"{{{{unsubscribe_url}}}}\">Unsubscribe</a></p>",
               "text": f"Hello {hostile} {{{{unsubscribe_url}}}}"}
    created = live_host.graphql(CREATE_TEMPLATE, {"input": sources}, bearer=staff_token()).json()
    template = created["data"]["crmEmailTemplateCreate"]["emailTemplate"]
    assert template is not None, created
    campaign = live_host.graphql(CREATE_CAMPAIGN, {"input": {
        "name": "Hostile", "templateId": template["id"], "channel": "default-channel",
        "segmentIds": [gid("CRMSegment", segment.pk)]}}, bearer=staff_token()).json()["data"]["crmCampaignCreate"]
    assert campaign["errors"] == [], campaign
    # when it is sent by the worker
    scheduled = live_host.graphql(SCHEDULE, {"id": campaign["campaign"]["id"]}, bearer=staff_token()).json()
    assert scheduled["data"]["crmCampaignSchedule"]["errors"] == [], scheduled
    assert wait_for(lambda: live_host.inbox.to("fan@example.com"), timeout=60), live_host.worker.text()[-3000:]
    # then the mail holds the payloads as text, and nothing ran
    message = live_host.inbox.to("fan@example.com")[0]
    html = message.get_body(("html",)).get_content()
    assert not sentinel.exists()
    assert "Hello" in html and not [marker for marker in LEAKS if marker in html + message["Subject"]]
    assert "pwned" not in html and message["Subject"].startswith("News")
