"""The CRM's one error family.

Every refusal the CRM makes — a rejected event, a bad segment rule, a
recommendation request out of range, a training that cannot start, an API
request the caller may not make — is a ``CRMError``: a ``ValueError`` with a
``code`` (a member of one of the ``*ErrorCode`` enums in ``error_codes``),
a human ``message`` and the ``field`` it is about (``None`` for the whole
input). The GraphQL layer translates any ``CRMError`` in one place; management
commands print ``message [code]``.
"""

from enum import Enum


class CRMError(ValueError):
    """A refused input or request: ``code``, ``message``, and the ``field`` it is about."""

    def __init__(self, code: Enum | str, message: str, field: str | None = None):
        super().__init__(f"{field}: {message}" if field else message)
        self.code = code
        self.message = message
        self.field = field

    @property
    def code_value(self) -> str:
        """The code as the string clients see."""
        return self.code.value if isinstance(self.code, Enum) else str(self.code)

    def as_error(self) -> dict:
        """``{field, message, code}`` as a mutation's ``errors`` list holds it."""
        return {"field": self.field, "message": self.message, "code": self.code_value}
