"""Staff: the CRM's settings as its Settings page edits them (the plugin's configuration). Requires MANAGE_USERS.

One field per setting, named as the setting (``send_rate_per_minute`` → ``sendRatePerMinute``); secrets say
only whether they are set. The input has the same names, and a save's errors name them.
"""

import graphene
from graphene.utils.str_converters import to_camel_case

from ..config import DASHBOARD_SETTINGS, DASHBOARD_TEXT_SETTINGS, SPECS, TEXT_SPECS
from ..configuration import SCHEDULES, SECRETS, current, schedules, tracking_webhook_url
from .permissions import require_staff


class CRMNumberSetting(graphene.ObjectType):
    """A whole-number setting: its effective value and the range a save accepts."""

    value = graphene.Int(required=True)
    default = graphene.Int(required=True)
    minimum = graphene.Int(required=True)
    maximum = graphene.Int(required=True)
    pinned = graphene.Boolean(required=True, description="Set by the deployment (SALEOR_CRM): not editable here.")


class CRMTextSetting(graphene.ObjectType):
    """A text setting's effective value (empty: unset, the documented fallback applies)."""

    value = graphene.String(required=True)
    max_length = graphene.Int(required=True)
    pinned = graphene.Boolean(required=True, description="Set by the deployment (SALEOR_CRM): not editable here.")


class CRMSecretSetting(graphene.ObjectType):
    """A write-only setting (an API key, the SMTP URL, a webhook secret): whether it is set, never its value."""

    is_set = graphene.Boolean(required=True)
    pinned = graphene.Boolean(required=True, description="Set by the deployment (SALEOR_CRM): not editable here.")


def _number(name):
    def resolve(root, info):
        spec, setting = SPECS[name], root["settings"][name]
        return CRMNumberSetting(value=int(setting.value), default=spec.default, minimum=spec.minimum,
                                maximum=spec.maximum, pinned=setting.pinned)
    return graphene.Field(CRMNumberSetting, required=True, description=SPECS[name].label, resolver=resolve)


def _text(name):
    def resolve(root, info):
        setting = root["settings"][name]
        if name in SECRETS:
            return CRMSecretSetting(is_set=setting.is_set, pinned=setting.pinned)
        return CRMTextSetting(value=setting.value, max_length=TEXT_SPECS[name].max_length, pinned=setting.pinned)
    kind = CRMSecretSetting if name in SECRETS else CRMTextSetting
    return graphene.Field(kind, required=True, description=TEXT_SPECS[name].label, resolver=resolve)


CRMSchedules = type("CRMSchedules", (graphene.ObjectType,), {
    "__doc__": "When beat runs the periodic jobs: read from Django settings (SALEOR_CRM) at beat's start, "
               "so changed there and applied by restarting beat.",
    **{name: graphene.Int(required=True, description=SPECS[name].label, resolver=lambda root, info, n=name: root[n])
       for name in SCHEDULES},
})

CRMSettings = type("CRMSettings", (graphene.ObjectType,), {
    "__doc__": "Every setting of the CRM plugin's configuration, the tracking webhook's URL and the schedules.",
    **{name: _number(name) for name in DASHBOARD_SETTINGS},
    **{name: _text(name) for name in DASHBOARD_TEXT_SETTINGS},
    "tracking_webhook_url": graphene.String(
        description="The URL to give the ESP for its tracking webhook (with the webhook secret as "
                    "user:password before the host); null with SMTP, no provider or no public URL.",
        resolver=lambda root, info: tracking_webhook_url()),
    "schedules": graphene.Field(CRMSchedules, required=True, resolver=lambda root, info: schedules()),
})

CRMSettingsInput = type("CRMSettingsInput", (graphene.InputObjectType,), {
    "__doc__": "Settings to change; an omitted one is kept. For a secret, null keeps it and \"\" clears it.",
    **{name: graphene.Int(description=f"{SPECS[name].minimum} to {SPECS[name].maximum}.")
       for name in DASHBOARD_SETTINGS},
    **{name: graphene.String(description=TEXT_SPECS[name].help_text) for name in DASHBOARD_TEXT_SETTINGS},
})


def settings_root() -> dict:
    """The root a ``CRMSettings`` resolves from (read once per request)."""
    return {"settings": current()}


def field_name(name: str | None) -> str | None:
    """A setting's name as the API names it (``smtp_url`` → ``smtpUrl``)."""
    return to_camel_case(name) if name else name


class SettingsQuery(graphene.ObjectType):
    crm_settings = graphene.Field(CRMSettings, required=True,
                                  description="The CRM's settings (plugin configuration). Requires MANAGE_USERS.")

    @staticmethod
    def resolve_crm_settings(root, info):
        require_staff(info)
        return settings_root()
