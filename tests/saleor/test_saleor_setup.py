"""``crm_setup`` inside a real Saleor 3.23: switches the plugin on through Saleor's plugins manager, installs the
Dashboard app from the plugin's manifest (Saleor's own installer, over HTTP to a live server), reports the worker
and beat it cannot find, and changes nothing the second time. Saleor's test settings run Celery eagerly, so the
worker check must say so rather than pass."""

import io

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from crm_saleor_api import CRM_PLUGIN_ID


def run_setup(*args) -> tuple[str, str]:
    """crm_setup's output and the error it ends with ("" when none)."""
    out = io.StringIO()
    try:
        call_command("crm_setup", *args, stdout=out)
    except CommandError as error:
        return out.getvalue(), str(error)
    return out.getvalue(), ""


@pytest.mark.django_db(transaction=True)
def test_crm_setup_switches_the_crm_on_installs_the_app_and_says_what_is_missing(live_server, settings):
    from saleor.app.models import App
    from saleor.plugins.models import PluginConfiguration

    from saleor_crm_plugin.models import AppRegistration

    settings.PUBLIC_URL = None  # the URL comes from --public-url, as for a shop without PUBLIC_URL
    # given: the plugin installed but never switched on
    assert not PluginConfiguration.objects.filter(identifier=CRM_PLUGIN_ID, active=True).exists()

    # when: the merchant's last install step
    out, error = run_setup("--public-url", live_server.url, "--timeout", "1")

    # then: the plugin is on, with the public URL, through Saleor's own configuration
    configuration = PluginConfiguration.objects.get(identifier=CRM_PLUGIN_ID, channel=None)
    assert configuration.active is True
    assert {"name": "public_url", "value": live_server.url} in [
        {"name": item["name"], "value": item["value"]} for item in configuration.configuration]
    assert "switched on" in out and f"public_url set to {live_server.url}" in out
    # and the Dashboard app is installed from the manifest, its token registered with the plugin
    app = App.objects.get(identifier="saleor-crm-plugin")
    assert app.is_active and AppRegistration.objects.filter(app_id__isnull=False).exists()
    assert "Installed the Dashboard app" in out
    # and what is missing is named with its remedy: Saleor's test settings run Celery eagerly, beat never ran
    assert "CELERY_TASK_ALWAYS_EAGER" in out and "never started" in out
    assert "DatabaseScheduler" in out
    assert error.startswith("2 of 4 steps missing: worker, beat")

    # when: run again
    again, error_again = run_setup("--public-url", live_server.url, "--timeout", "1")
    # then: nothing changes, and it says so
    assert again.count("already done") == 2, again
    assert App.objects.filter(identifier="saleor-crm-plugin").count() == 1
    assert error_again == error


@pytest.mark.django_db(transaction=True)
def test_crm_setup_without_a_public_url_names_it(settings):
    # given: neither Saleor's PUBLIC_URL nor the plugin's public_url
    settings.PUBLIC_URL = None
    # when
    out, error = run_setup("--timeout", "1")
    # then: the plugin is switched on, the app step names the public URL and how to give it
    assert "switched on" in out
    assert "public URL is not set" in out and "crm_setup --public-url" in out
    assert "dashboard app" in error


@pytest.mark.django_db(transaction=True)
def test_crm_setup_names_saleors_ip_filter_when_it_refuses_a_loopback_public_url(live_server, settings):
    from saleor.core.http_client import HTTPClient

    # given: Saleor's production defaults, which refuse private and loopback addresses (its test settings allow them)
    settings.PUBLIC_URL = None
    config = HTTPClient.config
    saved = (config.ip_filter_enable, config.ip_filter_allow_loopback_ips)
    config.ip_filter_enable, config.ip_filter_allow_loopback_ips = True, False
    try:
        # when: a shop on this machine
        out, error = run_setup("--public-url", live_server.url, "--timeout", "1")
    finally:
        config.ip_filter_enable, config.ip_filter_allow_loopback_ips = saved
    # then: the app step names the filter and the settings that let Saleor fetch the manifest
    assert "Saleor refuses to fetch from 127.0.0.1" in out, out
    assert "HTTP_IP_FILTER_ALLOW_LOOPBACK_IPS=True" in out
    assert "dashboard app" in error
