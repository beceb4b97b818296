"""The hostile templates through the staff API (crmEmailTemplatePreview, crmEmailTemplateCreate and the preview
of what was saved): an answer is a rendering or a coded error, never an internal error or the interpreter."""

import json
import sys

import pytest

from saleor_crm_plugin.error_codes import CampaignErrorCode
from saleor_crm_plugin.models import EmailTemplate
from tests.campaigns.hostile_templates import cases, sources
from tests.graphql.conftest import gid, operation, staff_token

pytestmark = pytest.mark.django_db

CREATE_TEMPLATE = operation("staff/email-template-create")
PREVIEW = operation("staff/email-template-preview")
CODES = {code.value for code in CampaignErrorCode}
LEAKS = ("Traceback", 'File \\"', "NameError", "TypeError", "AttributeError", "KeyError", "SyntaxError",
         "RecursionError", sys.version, "uid=", "<class ", "<built-in", "<function", "<module", "internal_error")


@pytest.fixture(autouse=True)
def mail_settings(settings):
    settings.SALEOR_CRM = {**settings.SALEOR_CRM, "public_url": "https://shop.example", "shop_name": "Shop",
                           "from_email": "news@shop.example"}


def api_input(field: str, source: str) -> dict:
    template = sources(field, source)
    return {"subject": template["subject"], "preheader": template["preheader"], "body": template["body"],
            "bodyFormat": template["body_format"].upper(), "text": template["text"]}


def assert_data_or_coded(status: int, body: dict, field: str) -> None:
    assert status == 200
    text = json.dumps(body)
    assert not [marker for marker in LEAKS if marker in text], text[:500]
    if body.get("errors"):
        error, = body["errors"]
        assert error["extensions"]["code"] in CODES
        assert error["extensions"]["field"] == ("body" if field == "mjml" else field)
    else:
        assert set(body["data"]["crmEmailTemplatePreview"]) == {"subject", "html", "text"}


@pytest.mark.parametrize(("field", "source"), cases("{sentinel}"), ids=lambda value: str(value)[:40])
def test_a_hostile_template_is_previewed_saved_and_previewed_again_as_data(gql, tmp_path, field, source):
    # given
    sentinel = tmp_path / "ran"
    source = source.replace("{sentinel}", str(sentinel))
    template = api_input(field, source)

    # when
    unsaved = gql(PREVIEW, {"channel": "web", "input": template}, bearer=staff_token())
    status, created = gql(CREATE_TEMPLATE, {"input": {"name": "Hostile", **template}}, bearer=staff_token())
    saved = EmailTemplate.objects.filter(name="Hostile").first()
    again = gql(PREVIEW, {"channel": "web", "templateId": gid("CRMEmailTemplate", saved.pk)},
                bearer=staff_token()) if saved else None

    # then
    assert_data_or_coded(*unsaved, field)
    assert status == 200 and not [marker for marker in LEAKS if marker in json.dumps(created)]
    errors = created["data"]["crmEmailTemplateCreate"]["errors"]
    assert (saved is None) == bool(errors)
    assert all(error["code"].lower() in CODES for error in errors)
    if again is not None:
        assert_data_or_coded(*again, field)
    assert not sentinel.exists()


def test_the_payload_that_returned_uid_previews_as_an_empty_variable(gql):
    # given: the request that ran `id` through pybars3
    body = "<p>{{[x') or __import__('os').popen('id').read() or (']}}</p>"

    # when
    status, answer = gql(PREVIEW, {"channel": "web", "input": {"subject": "Hi", "bodyFormat": "HTML", "body": body}},
                         bearer=staff_token())

    # then
    assert status == 200 and "errors" not in answer
    assert "<p></p>" in answer["data"]["crmEmailTemplatePreview"]["html"]


def test_a_template_over_its_budget_gets_the_code_and_the_field(gql, monkeypatch):
    # given: an output budget smaller than the text part
    from saleor_crm_plugin.campaigns import handlebars_render

    monkeypatch.setattr(handlebars_render, "MAX_OUTPUT", 1000)
    template = {"subject": "Hi", "bodyFormat": "HTML", "body": "<p>short</p>", "text": "{{shop.name}}" + "x" * 2000}

    # when
    status, answer = gql(PREVIEW, {"channel": "web", "input": template}, bearer=staff_token())

    # then
    assert status == 200
    assert [(e["extensions"]["code"], e["extensions"]["field"]) for e in answer["errors"]] == [
        ("template_too_costly", "text")]
    assert answer["errors"][0]["message"] == "The text renders to more than 1,000 characters; simplify its loops."
