"""The plugin's configuration as the CRM's Settings page edits it: read, save, and a test mail.

Everything the plugin's configuration holds (``config.DASHBOARD_SETTINGS``
and every text setting) is editable here, through the same validation as
Saleor's plugin page (``config.validate_setting``), with the same codes. A
save checks every value first and writes nothing when one is refused.

Where it is stored: on the standalone host, the CRM's ``CRMSetting`` table
(what ``config`` reads). Inside Saleor, through Saleor's plugin manager
(``save_plugin_configuration``): Saleor's ``PluginConfiguration`` row keeps
the values its plugin page shows, and the plugin's ``pre_save`` hook mirrors
them into ``CRMSetting`` as it does for a save on that page, so both stay in
step whichever page saved last.

Secrets (API key, SMTP URL, webhook secret) are write-only: ``current``
says whether one is set, never its value.
"""

import re
import uuid
from dataclasses import dataclass
from datetime import timedelta

from django.core.exceptions import ValidationError
from django.core.mail import EmailMessage
from django.core.validators import validate_email
from django.db import transaction

from .campaigns import mail, providers
from .config import (
    DASHBOARD_SETTINGS, DASHBOARD_TEXT_SETTINGS, PLUGIN_ID, SPECS, TEXT_SPECS, forget_stored, get_setting,
    get_text_setting, is_pinned, validate_setting,
)
from .error_codes import ConfigErrorCode
from .errors import CRMError
from .rate_limits import take_budget
from .saleor_api import in_saleor
from .text import has_control_characters, one_line

EDITABLE = [*DASHBOARD_SETTINGS, *DASHBOARD_TEXT_SETTINGS]
SECRETS = frozenset(name for name in DASHBOARD_TEXT_SETTINGS if TEXT_SPECS[name].secret)
# Beat reads these once, at start-up, from Django settings: shown, never edited here.
SCHEDULES = ["sweep_interval_seconds", "campaign_dispatch_seconds", "automation_scan_seconds", "training_hour"]

# A test mail goes where staff say: enough tries to fix a provider's settings, too few to mail people at will.
TEST_MAIL_LIMIT = 10
TEST_MAIL_WINDOW = timedelta(minutes=10)
TEST_MAIL_TIMEOUT_SECONDS = 10  # a firewalled SMTP host must not hold a web worker for the send timeout's 30 s
PROVIDER_MESSAGE_MAX = 300
MAX_ADDRESS = 254  # RFC 5321's longest path


@dataclass(frozen=True)
class Setting:
    """One setting as the Settings page shows it: its value (``None`` for a secret), whether it is set, pinned."""

    name: str
    value: str | None
    is_set: bool
    pinned: bool


def current() -> dict[str, Setting]:
    """Every editable setting's effective value, in the plugin configuration's order; secrets without value."""
    found = {}
    for name in EDITABLE:
        value = str(get_setting(name)) if name in SPECS else get_text_setting(name)
        found[name] = Setting(name=name, value=None if name in SECRETS else value, is_set=value != "",
                              pinned=is_pinned(name))
    return found


def schedules() -> dict[str, int]:
    """The periodic jobs' intervals and hour, as beat read them (Django settings or defaults)."""
    return {name: get_setting(name, use_database=False) for name in SCHEDULES}


def tracking_webhook_url() -> str | None:
    """The URL to give the configured ESP for its tracking webhook; None for SMTP, Django's backend, or no public URL.

    The ESP must send the webhook secret as basic auth (``https://user:password@host/…``); the URL
    here carries no credentials.
    """
    provider = get_text_setting("email_provider")
    if not provider or provider == providers.SMTP:
        return None
    try:
        return mail.plugin_url(f"tracking/{provider}/")
    except CRMError:  # no public URL yet: the page says to set it
        return None


def save(changes: dict) -> list[CRMError]:
    """Validate and store ``changes`` (setting name → value); returns the errors, each naming its setting.

    A secret's ``None`` keeps it (the page never has its value); ``""`` clears any setting. Nothing is
    stored when any value is refused; a pinned setting is refused with ``pinned``.
    """
    changes = {name: value for name, value in changes.items() if not (name in SECRETS and value is None)}
    errors, cleaned = [], {}
    for name, value in changes.items():
        if name not in EDITABLE:
            errors.append(CRMError(ConfigErrorCode.INVALID, "There is no such setting.", name))
        elif is_pinned(name):
            errors.append(CRMError(ConfigErrorCode.PINNED, "This setting is set by the deployment (SALEOR_CRM in "
                                   "Django settings) and cannot be changed here.", name))
        elif value is None:
            errors.append(CRMError(ConfigErrorCode.REQUIRED, "Give a value.", name))
        else:
            try:
                cleaned[name] = str(validate_setting(name, value))
            except CRMError as error:
                errors.append(CRMError(error.code, error.message, name))
    errors += _provider_needs(cleaned, {error.field for error in errors})
    if errors:
        return errors
    if cleaned:
        with transaction.atomic():
            errors = _store_in_saleor(cleaned) if in_saleor() else _store(cleaned)
            if errors:
                transaction.set_rollback(True)
            else:
                forget_stored()  # the answer of the save reads the new values
                transaction.on_commit(forget_stored)
    return errors


def _provider_needs(cleaned: dict, refused: set) -> list[CRMError]:
    """SMTP as the provider needs an SMTP server: refused here rather than at the first campaign."""
    if "email_provider" in refused or "smtp_url" in refused:
        return []
    provider = cleaned.get("email_provider", get_text_setting("email_provider"))
    smtp_url = cleaned["smtp_url"] if "smtp_url" in cleaned else get_text_setting("smtp_url")
    if provider == providers.SMTP and not smtp_url:
        return [CRMError(ConfigErrorCode.REQUIRED, "With SMTP as the provider, give the SMTP server.", "smtp_url")]
    return []


def _store(cleaned: dict) -> list[CRMError]:
    from .models import CRMSetting

    for name, value in cleaned.items():
        CRMSetting.objects.update_or_create(name=name, defaults={"value": value})
    return []


def _store_in_saleor(cleaned: dict) -> list[CRMError]:
    """Save through Saleor's plugin manager: its configuration row, validation and our ``pre_save`` mirror."""
    from saleor.plugins.manager import get_plugins_manager

    manager = get_plugins_manager(allow_replica=False)
    configuration = [{"name": name, "value": value} for name, value in cleaned.items()]
    try:
        manager.save_plugin_configuration(PLUGIN_ID, None, {"configuration": configuration})
    except ValidationError as error:  # a value stored before a check existed (every new one passed ours)
        return [CRMError(ConfigErrorCode.INVALID, " ".join(problem.messages), name)
                for name, problem in error.error_dict.items()] if hasattr(error, "error_dict") else [
            CRMError(ConfigErrorCode.INVALID, " ".join(error.messages))]
    return []


def send_test_mail(to: str, *, staff_user_id: int) -> str:
    """Send one short mail to ``to`` through the configured provider, as campaigns send; returns its Message-ID.

    At most ``TEST_MAIL_LIMIT`` per staff member per ``TEST_MAIL_WINDOW`` (``rate_limited``). Raises
    ``invalid_email`` (field ``to``), ``not_configured`` (the setting to fix), and ``send_failed`` with
    the provider's message, cleaned of the credentials and cut short.
    """
    address = (to or "").strip()
    try:
        if not address or has_control_characters(address) or len(address) > MAX_ADDRESS:
            raise ValidationError("not an address")
        validate_email(address)
    except ValidationError:
        raise CRMError(ConfigErrorCode.INVALID_EMAIL, "Give one valid email address.", "to") from None
    take_budget("settings-test-mail", str(staff_user_id), window=TEST_MAIL_WINDOW, limit=TEST_MAIL_LIMIT)
    try:
        from_header = mail.sender()
        message_id = mail.message_id("settings-test", uuid.uuid4().hex)
        connection = providers.open_connection()
    except CRMError as error:
        raise CRMError(ConfigErrorCode.NOT_CONFIGURED, error.message, error.field) from None
    if getattr(connection, "timeout", None) is None or connection.timeout > TEST_MAIL_TIMEOUT_SECONDS:
        connection.timeout = TEST_MAIL_TIMEOUT_SECONDS
    shop = get_text_setting("shop_name") or get_text_setting("from_name") or "your shop"
    message = EmailMessage(
        subject=one_line(f"Test mail from the CRM of {shop}"), from_email=from_header, to=[address],
        headers={"Message-ID": message_id},
        body=f"This mail was sent from the CRM's Settings page of {shop} to check the mail provider's settings.\n"
             "Campaign and service mails go out the same way. Nothing else needs to be done.\n")
    message.tags = ["crm-test"]  # anymail ESPs: told apart from campaign mail in the ESP's reports
    try:
        connection.send_messages([message])
    except Exception as error:  # any backend's failure (anymail's, SMTP's, a socket's), reported cleaned
        raise CRMError(ConfigErrorCode.SEND_FAILED,
                       f"The provider refused the test mail: {provider_message(error)}", "to") from error
    return message_id


def provider_message(error: BaseException) -> str:
    """The provider's answer, fit to show: SMTP codes decoded, credentials masked, one line, at most 300 chars."""
    smtp_error = getattr(error, "smtp_error", None)
    if isinstance(smtp_error, bytes):
        text = f"{getattr(error, 'smtp_code', '')} {smtp_error.decode('utf-8', 'replace')}".strip()
    else:
        text = str(error) or type(error).__name__
    for secret in _secret_values():
        text = text.replace(secret, "•••")
    text = one_line(text)
    return text if len(text) <= PROVIDER_MESSAGE_MAX else text[:PROVIDER_MESSAGE_MAX - 1] + "…"


def _secret_values() -> list[str]:
    """Every credential the CRM holds, and its parts (an SMTP URL's password): none may reach a message."""
    from urllib.parse import unquote, urlsplit

    values = []
    for name in SECRETS:
        value = get_text_setting(name)
        if not value:
            continue
        values.append(value)
        if name == "smtp_url":
            parts = urlsplit(value)
            values += [unquote(parts.password or ""), parts.password or ""]
        elif ":" in value:  # user:password
            values.append(value.partition(":")[2])
    # Longest first: a password inside the whole URL is masked with the URL, not half of it.
    return sorted({v for v in values if len(v) >= 4 and not re.fullmatch(r"\W*", v)}, key=len, reverse=True)
