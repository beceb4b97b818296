"""Mail settings: every bad value is refused with a readable message naming the setting; providers by name."""

import pytest
from django.core.mail.backends.smtp import EmailBackend as SMTPBackend
from django.test import override_settings

from saleor_crm_plugin.campaigns.providers import backend_path, open_connection, smtp_options
from saleor_crm_plugin.config import get_setting, get_text_setting, validate_text, validate_value
from saleor_crm_plugin.errors import CRMError


@pytest.mark.parametrize(("name", "value", "message"), [
    ("send_rate_per_minute", "0", "between 1 and 1000000"),
    ("send_rate_per_minute", "fast", "whole number"),
    ("send_batch_size", "5000", "between 1 and 1000"),
    ("frequency_cap_count", "-1", "between 0 and 1000"),
    ("frequency_cap_days", "400", "between 1 and 365"),
    ("double_opt_in", "2", "between 0 and 1"),
    ("confirmation_link_hours", "0", "between 1 and 2160"),
])
def test_numbers_out_of_range_are_refused(name, value, message):
    with pytest.raises(ValueError, match=message):
        validate_value(name, value)


@pytest.mark.parametrize(("name", "value"), [
    ("from_email", "not an address"),
    ("unsubscribe_mailto", "x@"),
    ("public_url", "ftp://shop.example.com"),
    ("public_url", "shop.example.com"),
    ("storefront_product_url", "https://shop.example.com/{product}"),  # an unknown placeholder
    ("storefront_product_url", "javascript:alert(1)/{slug}"),
    ("email_provider", "no_such_esp"),
    ("email_provider", "../../os"),
    ("shop_name", "x" * 256),
])
def test_bad_text_settings_are_refused(name, value):
    with pytest.raises(ValueError):
        validate_text(name, value)


def test_good_text_settings_are_kept():
    assert validate_text("storefront_product_url", " https://shop.example.com/{channel}/p/{slug} ") == (
        "https://shop.example.com/{channel}/p/{slug}")
    assert validate_text("email_provider", "postmark") == "postmark" and validate_text("from_email", "") == ""


def test_a_provider_name_is_an_installed_anymail_backend():
    assert backend_path("sendgrid") == "anymail.backends.sendgrid.EmailBackend"
    assert backend_path("smtp") == "django.core.mail.backends.smtp.EmailBackend"


@pytest.mark.django_db
def test_the_configured_provider_is_the_backend_and_its_key_reaches_anymail():
    with override_settings(SALEOR_CRM={"email_provider": "postmark", "email_api_key": "server-token-1"}):
        backend = open_connection()
    assert type(backend).__module__ == "anymail.backends.postmark" and backend.server_token == "server-token-1"
    with override_settings(SALEOR_CRM={"email_provider": "smtp", "smtp_url": "smtps://me:p%40ss@mail.example.com"}):
        smtp = open_connection()
    assert isinstance(smtp, SMTPBackend) and (smtp.host, smtp.port, smtp.username, smtp.password, smtp.use_ssl) == (
        "mail.example.com", 465, "me", "p@ss", True)


@pytest.mark.django_db
@pytest.mark.parametrize("url", ["", "http://mail.example.com", "smtp://", "smtp://host:port"])
def test_a_bad_smtp_url_is_not_configured(url):
    with pytest.raises(CRMError) as error:
        smtp_options(url)
    assert (error.value.code_value, error.value.field) == ("not_configured", "smtp_url")


@pytest.mark.django_db
def test_saved_settings_are_read_in_one_query_and_pins_win(django_assert_num_queries):
    from saleor_crm_plugin.models import CRMSetting

    CRMSetting.objects.create(name="from_email", value="saved@example.com")
    CRMSetting.objects.create(name="send_batch_size", value="20")
    with django_assert_num_queries(1):
        assert (get_text_setting("from_email"), get_setting("send_batch_size"), get_text_setting("shop_name")) == (
            "saved@example.com", 20, "")
    with override_settings(SALEOR_CRM={"from_email": "pinned@example.com"}):
        assert get_text_setting("from_email") == "pinned@example.com"
