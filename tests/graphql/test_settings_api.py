"""Staff API of the Settings page: every setting saves and reads back, bad values get coded per-field errors, secrets
never leave, a test mail reaches a real SMTP server (and anymail's test backend), only staff may call."""

import smtplib

import pytest
from django.core import mail as django_mail
from graphene.utils.str_converters import to_camel_case

from saleor_crm_plugin.config import DASHBOARD_SETTINGS, DASHBOARD_TEXT_SETTINGS, SPECS, forget_stored, get_text_setting
from saleor_crm_plugin.configuration import TEST_MAIL_LIMIT, provider_message
from saleor_crm_plugin.models import CRMSetting
from tests.campaigns.conftest import smtp_server  # noqa: F401 - the loopback SMTP server fixture
from tests.celery_processes import free_port
from tests.graphql.conftest import ISSUER, error_codes, operation, staff_token, token

pytestmark = pytest.mark.django_db

SETTINGS = operation("staff/settings")
UPDATE = operation("staff/settings-update")
TEST_MAIL = operation("staff/settings-test-mail-send")

# A valid value for every text setting (secrets included), as a merchant would type them.
GOOD_TEXT = {
    "public_url": "https://api.shop.example.com", "from_email": "news@shop.example.com", "from_name": "Record Shop",
    "unsubscribe_mailto": "unsubscribe@shop.example.com",
    "storefront_product_url": "https://shop.example.com/{channel}/products/{slug}",
    "storefront_checkout_url": "https://shop.example.com/{channel}/checkout?token={token}",
    "tracking_webhook_secret": "hook:s3cret-hook-pass", "link_hosts": "blog.example.com cdn.example.com",
    "client_ip_header": "X-Forwarded-For", "shop_time_zone": "Europe/Warsaw", "shop_name": "Record Shop",
    "dashboard_origins": "https://dashboard.example.com", "email_provider": "postmark",
    "email_api_key": "pm-key-0123456789", "smtp_url": "smtps://me:p%40ss-word-77@mail.example.com:465",
}
SECRETS = {"tracking_webhook_secret", "email_api_key", "smtp_url"}


@pytest.fixture(autouse=True)
def _nothing_pinned(settings):
    settings.SALEOR_CRM = {}


def data(body, name):
    assert "errors" not in body, body
    return body["data"][name]


def save(gql, **values):
    _, body = gql(UPDATE, {"input": {to_camel_case(k): v for k, v in values.items()}}, bearer=staff_token())
    return data(body, "crmSettingsUpdate")


def read(gql):
    _, body = gql(SETTINGS, bearer=staff_token())
    return data(body, "crmSettings")


def test_every_setting_saves_and_reads_back_and_secrets_only_say_they_are_set(gql):
    # given: a value for every setting, each number one above its minimum
    numbers = {name: SPECS[name].minimum + 1 for name in DASHBOARD_SETTINGS}
    # when
    saved = save(gql, **numbers, **GOOD_TEXT)
    _, raw = gql(SETTINGS, bearer=staff_token())
    settings = data(raw, "crmSettings")
    # then: numbers and texts as saved, stored in the CRM's table (what the services read)
    assert saved["errors"] == []
    for name, value in numbers.items():
        assert settings[to_camel_case(name)]["value"] == value
    for name in DASHBOARD_TEXT_SETTINGS:
        if name in SECRETS:
            assert settings[to_camel_case(name)] == {"isSet": True, "pinned": False}
        else:
            assert settings[to_camel_case(name)]["value"] == GOOD_TEXT[name]
    assert dict(CRMSetting.objects.values_list("name", "value")) == {
        **{name: str(value) for name, value in numbers.items()}, **GOOD_TEXT}
    # and: no secret (nor the SMTP password) anywhere in the answer
    text = str(raw)
    assert not any(secret in text for secret in ("s3cret-hook-pass", "pm-key-0123456789", "p%40ss-word-77",
                                                 "p@ss-word-77"))
    # and: the webhook URL to give the ESP, from the public URL and the provider
    assert settings["trackingWebhookUrl"] == (
        "https://api.shop.example.com/plugins/global/saleor_crm_plugin.crm/tracking/postmark/")
    assert saved["settings"]["trackingWebhookUrl"] == settings["trackingWebhookUrl"]
    assert settings["schedules"] == {"sweepIntervalSeconds": 60, "campaignDispatchSeconds": 60,
                                     "automationScanSeconds": 60, "trainingHour": 3}


def test_a_secret_left_out_is_kept_and_an_empty_one_is_cleared(gql):
    # given
    save(gql, email_api_key="pm-key-1", smtp_url="smtp://mail.example.com:25")
    # when: saved again without the key (null), the SMTP URL emptied
    result = save(gql, email_api_key=None, smtp_url="", from_name="Shop")
    # then
    assert result["errors"] == []
    assert (get_text_setting("email_api_key"), get_text_setting("smtp_url")) == ("pm-key-1", "")
    settings = read(gql)
    assert (settings["emailApiKey"]["isSet"], settings["smtpUrl"]["isSet"]) == (True, False)


@pytest.mark.parametrize(("name", "value", "code"), [
    ("smtp_url", "http://mail.example.com", "INVALID_SMTP_URL"),
    ("smtp_url", "smtp://", "INVALID_SMTP_URL"),
    ("smtp_url", "smtp://me:secret@host:port", "INVALID_SMTP_URL"),
    ("smtp_url", "smtp://host:99999", "INVALID_SMTP_URL"),
    ("smtp_url", "smtp://ho st:25", "INVALID_SMTP_URL"),
    ("email_provider", "no_such_esp", "UNKNOWN_PROVIDER"),
    ("email_provider", "../../os", "UNKNOWN_PROVIDER"),
    ("from_email", "not an address", "INVALID_EMAIL"),
    ("public_url", "ftp://shop.example.com", "INVALID_URL"),
    ("storefront_product_url", "https://shop.example.com/{product}", "INVALID_URL"),
    ("link_hosts", "https://blog.example.com/path", "INVALID_URL"),
    ("shop_time_zone", "Mars/Olympus", "INVALID_TIME_ZONE"),
    ("client_ip_header", "X Forwarded", "INVALID"),
    ("from_name", "Shop\r\nBcc: all@example.com", "INVALID"),
    ("shop_name", "x" * 256, "TOO_LONG"),
    ("send_rate_per_minute", 0, "OUT_OF_RANGE"),
    ("frequency_cap_days", 400, "OUT_OF_RANGE"),
    ("double_opt_in", 2, "OUT_OF_RANGE"),
])
def test_a_bad_value_gets_a_coded_error_by_its_field_and_nothing_is_saved(gql, name, value, code):
    # when: the bad value beside a good one
    result = save(gql, **{"unsubscribe_mailto": "out@example.com", name: value})
    # then
    assert [(e["field"], e["code"]) for e in result["errors"]] == [(to_camel_case(name), code)]
    assert result["settings"] is None and not CRMSetting.objects.exists()
    # a secret's value is never quoted back
    if name == "smtp_url":
        assert "secret" not in result["errors"][0]["message"]


def test_every_bad_value_of_one_save_is_reported_at_once(gql):
    result = save(gql, smtp_url="http://x", from_email="nope", send_rate_per_minute=-5)
    assert sorted((e["field"], e["code"]) for e in result["errors"]) == [
        ("fromEmail", "INVALID_EMAIL"), ("sendRatePerMinute", "OUT_OF_RANGE"), ("smtpUrl", "INVALID_SMTP_URL")]


def test_smtp_as_provider_needs_an_smtp_server(gql):
    result = save(gql, email_provider="smtp")
    assert [(e["field"], e["code"]) for e in result["errors"]] == [("smtpUrl", "REQUIRED")]


def test_a_setting_pinned_by_the_deployment_is_shown_as_pinned_and_refused(gql, settings):
    # given
    settings.SALEOR_CRM = {"from_email": "pinned@example.com", "smtp_url": "smtp://me:pw@pinned.example.com"}
    # when
    shown = read(gql)
    result = save(gql, from_email="other@example.com")
    # then
    assert shown["fromEmail"] == {"value": "pinned@example.com", "maxLength": 255, "pinned": True}
    assert shown["smtpUrl"] == {"isSet": True, "pinned": True}
    assert [(e["field"], e["code"]) for e in result["errors"]] == [("fromEmail", "PINNED")]


@pytest.mark.parametrize("value", ["", "   ", "\x00", "é" * 300, "smtp://" + "a" * 5000, "{", "{}", "%", "\u2028",
                                   "smtp://[::1", "smtp://user@:25"])
@pytest.mark.parametrize("name", ["smtp_url", "email_provider", "public_url", "link_hosts", "shop_time_zone",
                                  "storefront_checkout_url", "from_email"])
def test_fuzz_style_values_are_saved_cleanly_or_refused_with_a_code(gql, name, value):
    # when
    status, body = gql(UPDATE, {"input": {to_camel_case(name): value}}, bearer=staff_token())
    # then: a coded answer, never an internal error (text PostgreSQL cannot store is refused with the request)
    if status == 400:
        assert error_codes(body) == ["invalid_value"]
        return
    assert status == 200 and "errors" not in body, body
    errors = body["data"]["crmSettingsUpdate"]["errors"]
    assert all(e["field"] == to_camel_case(name) and e["code"] for e in errors)
    if not errors:
        assert CRMSetting.objects.get(name=name).value == value.strip()


@pytest.mark.parametrize("variables", [{"input": {"sendRatePerMinute": "fast"}}, {"input": {"unknown": "x"}},
                                       {"input": {"sendRatePerMinute": 2**40}}, {"input": None}])
def test_values_of_the_wrong_type_are_refused_by_the_schema_with_a_code(gql, variables):
    status, body = gql(UPDATE, variables, bearer=staff_token())
    assert error_codes(body) and all(error_codes(body)), body
    assert not CRMSetting.objects.exists()


@pytest.mark.parametrize(("document", "variables"), [
    (SETTINGS, {}), (UPDATE, {"input": {"fromName": "Hijack"}}), (TEST_MAIL, {"to": "me@example.com"}),
])
@pytest.mark.parametrize(("bearer", "code"), [(None, "unauthenticated"), ("shopper", "permission_denied"),
                                              ("staff-without-manage-users", "permission_denied")])
def test_only_staff_with_manage_users_read_or_change_settings_or_send_a_test_mail(gql, document, variables, bearer,
                                                                                   code):
    tokens = {None: None, "shopper": token(), "staff-without-manage-users": ISSUER.token(user_id=1, staff=True,
                                                                                       permissions=[])}
    # when
    _, body = gql(document, variables, bearer=tokens[bearer])
    # then
    assert error_codes(body) == [code]
    assert not CRMSetting.objects.exists() and django_mail.outbox == []


def test_a_test_mail_reaches_a_real_smtp_server(gql, smtp_server):  # noqa: F811
    inbox, port = smtp_server
    # given: SMTP on loopback, saved from the page
    assert save(gql, email_provider="smtp", smtp_url=f"smtp://127.0.0.1:{port}", from_email="news@shop.example.com",
                shop_name="Record Shop")["errors"] == []
    # when
    _, body = gql(TEST_MAIL, {"to": " owner@shop.example.com "}, bearer=staff_token())
    # then
    sent = data(body, "crmSettingsTestMailSend")
    assert sent["errors"] == []
    [message] = inbox.messages
    assert message["To"] == "owner@shop.example.com" and message["From"] == "Record Shop <news@shop.example.com>"
    assert message["Subject"] == "Test mail from the CRM of Record Shop"
    assert message["Message-ID"].strip() == sent["messageId"] and sent["messageId"].endswith("@shop.example.com>")
    # and: no tracking webhook for SMTP
    assert read(gql)["trackingWebhookUrl"] is None


def test_a_test_mail_goes_through_an_anymail_esp(gql, settings):
    # given: anymail's test backend as the ESP, with an API key
    save(gql, email_provider="test", email_api_key="esp-key-1", from_email="news@shop.example.com",
         public_url="https://api.shop.example.com")
    # when
    _, body = gql(TEST_MAIL, {"to": "owner@shop.example.com"}, bearer=staff_token())
    # then
    assert data(body, "crmSettingsTestMailSend")["errors"] == []
    [message] = django_mail.outbox
    assert message.to == ["owner@shop.example.com"] and message.tags == ["crm-test"]
    assert message.anymail_test_params["subject"] == "Test mail from the CRM of your shop"


@pytest.mark.parametrize("to", ["", "not an address", "a@b", "x" * 300 + "@example.com", "a@example.com\r\nBcc: x@y.z",
                                "a@example.com, b@example.com"])
def test_a_bad_address_gets_invalid_email_and_sends_nothing(gql, to):
    save(gql, email_provider="test", from_email="news@shop.example.com")
    _, body = gql(TEST_MAIL, {"to": to}, bearer=staff_token())
    assert [(e["field"], e["code"]) for e in data(body, "crmSettingsTestMailSend")["errors"]] == [("to", "INVALID_EMAIL")]
    assert django_mail.outbox == []


def test_a_provider_that_refuses_gives_send_failed_with_its_message(gql):
    # given: SMTP to a loopback port where nothing listens
    save(gql, email_provider="smtp", smtp_url=f"smtp://me:hunter2-pass@127.0.0.1:{free_port()}",
         from_email="news@shop.example.com")
    # when
    _, body = gql(TEST_MAIL, {"to": "owner@shop.example.com"}, bearer=staff_token())
    # then
    [error] = data(body, "crmSettingsTestMailSend")["errors"]
    assert (error["field"], error["code"]) == ("to", "SEND_FAILED")
    assert "refused" in error["message"].lower() and "hunter2" not in error["message"]


def test_an_unconfigured_provider_names_the_setting_to_fix(gql):
    save(gql, from_email="news@shop.example.com")
    CRMSetting.objects.update_or_create(name="email_provider", defaults={"value": "smtp"})  # saved before the check
    forget_stored()
    _, body = gql(TEST_MAIL, {"to": "owner@shop.example.com"}, bearer=staff_token())
    assert [(e["field"], e["code"]) for e in data(body, "crmSettingsTestMailSend")["errors"]] == [
        ("smtpUrl", "NOT_CONFIGURED")]


def test_the_providers_message_is_cleaned_of_credentials_and_cut_short(settings):
    settings.SALEOR_CRM = {"smtp_url": "smtp://me:p%40ss-Word-9@mail.example.com", "email_api_key": "key-ABCDEFGH"}
    refused = smtplib.SMTPResponseException(535, b"5.7.8 Bad credentials p@ss-Word-9\r\nfor key-ABCDEFGH" + b"x" * 500)
    text = provider_message(refused)
    assert text.startswith("535 5.7.8 Bad credentials ••• for •••") and len(text) <= 300
    assert "p@ss" not in text and "key-ABC" not in text and "\n" not in text


def test_test_mails_are_limited_per_staff_member(gql):
    save(gql, email_provider="test", from_email="news@shop.example.com")
    for _ in range(TEST_MAIL_LIMIT):
        _, body = gql(TEST_MAIL, {"to": "owner@shop.example.com"}, bearer=staff_token())
        assert data(body, "crmSettingsTestMailSend")["errors"] == []
    # when: one more
    status, body = gql(TEST_MAIL, {"to": "owner@shop.example.com"}, bearer=staff_token())
    # then
    assert status == 429
    assert [e["code"] for e in body["data"]["crmSettingsTestMailSend"]["errors"]] == ["RATE_LIMITED"]
    assert len(django_mail.outbox) == TEST_MAIL_LIMIT
