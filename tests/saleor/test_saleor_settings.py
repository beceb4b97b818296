"""The CRM's Settings page inside a real Saleor 3.23: a save there saves Saleor's plugin configuration (what the
plugin's own page shows), and a save on the plugin's page shows on the Settings page; bad values are refused by
both with the same message."""

import pytest
from saleor.plugins.models import PluginConfiguration

from crm_saleor_api import CRM_PLUGIN_ID, execute
from saleor_crm_plugin import configuration
from saleor_crm_plugin.config import get_text_setting
from saleor_crm_plugin.graphql.settings import field_name

PLUGIN_CONFIGURATION_UPDATE = """
mutation Configure($id: ID!, $input: PluginUpdateInput!) {
  pluginUpdate(id: $id, input: $input) {
    plugin { globalConfiguration { configuration { name value } } }
    errors { field code message }
  }
}
"""


def saleor_values() -> dict:
    row = PluginConfiguration.objects.get(identifier=CRM_PLUGIN_ID, channel=None)
    return {item["name"]: item["value"] for item in row.configuration}


@pytest.mark.django_db(transaction=True)
def test_a_save_on_the_settings_page_is_saleors_plugin_configuration_too(crm_plugin, settings):
    # given
    settings.SALEOR_CRM = {}
    # when
    errors = configuration.save({"email_provider": "smtp", "smtp_url": "smtp://me:pw@mail.example.com:587?tls=1",
                                 "send_rate_per_minute": "120"})
    # then
    assert errors == []
    values = saleor_values()
    assert (values["email_provider"], values["smtp_url"], values["send_rate_per_minute"]) == (
        "smtp", "smtp://me:pw@mail.example.com:587?tls=1", "120")
    assert get_text_setting("smtp_url") == "smtp://me:pw@mail.example.com:587?tls=1"
    assert PluginConfiguration.objects.get(identifier=CRM_PLUGIN_ID, channel=None).active is True  # kept on


@pytest.mark.django_db(transaction=True)
def test_a_save_on_the_plugins_page_shows_on_the_settings_page(crm_plugin, staff_client, settings):
    settings.SALEOR_CRM = {}
    # when
    execute(staff_client, PLUGIN_CONFIGURATION_UPDATE, {"id": CRM_PLUGIN_ID, "input": {"configuration": [
        {"name": "from_email", "value": "news@example.com"}]}})
    # then
    assert configuration.current()["from_email"].value == "news@example.com"


@pytest.mark.django_db(transaction=True)
def test_a_bad_smtp_url_is_refused_by_both_with_the_same_message(crm_plugin, staff_client, settings):
    settings.SALEOR_CRM = {}
    # when
    [ours] = configuration.save({"smtp_url": "http://mail.example.com"})
    theirs = execute(staff_client, PLUGIN_CONFIGURATION_UPDATE, {"id": CRM_PLUGIN_ID, "input": {"configuration": [
        {"name": "smtp_url", "value": "http://mail.example.com"}]}})["pluginUpdate"]["errors"]
    # then
    assert (ours.field, ours.code_value) == ("smtp_url", "invalid_smtp_url")
    # Saleor names the field in camelCase, as the CRM's Settings API does (its code is Saleor's own enum)
    assert [(error["field"], error["code"], error["message"]) for error in theirs] == [
        (field_name("smtp_url"), "INVALID", ours.message)] == [("smtpUrl", "INVALID", ours.message)]
    assert "smtp_url" not in saleor_values() or saleor_values()["smtp_url"] == ""
