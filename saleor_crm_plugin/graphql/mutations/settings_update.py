import graphene

from ...configuration import save
from ..errors import CRMError
from ..permissions import require_staff
from ..settings import CRMSettings, CRMSettingsInput, field_name, settings_root
from .base import CRMMutation


class CRMSettingsUpdate(CRMMutation):
    """Change the CRM's settings, checked as the plugin's configuration checks them. Requires MANAGE_USERS.

    Every refused value is one error naming its input field; nothing is saved when any is refused. Inside
    Saleor the plugin's configuration (its page in the Dashboard) is saved with the same values.
    """

    class Arguments:
        input = CRMSettingsInput(required=True)

    settings = graphene.Field(CRMSettings, description="The settings after the save; null when refused.")

    @classmethod
    def perform(cls, info, input):
        require_staff(info)
        changes = {name: (None if value is None else str(value)) for name, value in input.items()}
        errors = save(changes)
        if errors:
            return cls(settings=None, errors=[CRMError(field=field_name(error.field), message=error.message,
                                                       code=error.code_value) for error in errors])
        return cls(settings=settings_root(), errors=[])
