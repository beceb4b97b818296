"""What every CRM mutation shares: the errors list and the input checks that fill it."""

import graphene

from ...models import CustomerProfile
from ..errors import APIError, CRMError, CRMErrorCode
from ..ids import decode_id


class CRMMutation(graphene.Mutation):
    """Validation problems come back in ``errors``; authentication and permission problems as GraphQL errors."""

    errors = graphene.List(graphene.NonNull(CRMError), required=True)

    class Meta:
        abstract = True

    @classmethod
    def mutate(cls, root, info, **data):
        try:
            return cls.perform(info, **data)
        except APIError as error:
            if error.code in (CRMErrorCode.UNAUTHENTICATED.value, CRMErrorCode.PERMISSION_DENIED.value):
                raise
            return cls(errors=[CRMError(**error.as_error())])

    @classmethod
    def perform(cls, info, **data):
        raise NotImplementedError


def customer_from_id(value, field: str = "customer") -> CustomerProfile:
    """A customer by CRMCustomer or Saleor User ID; ``NOT_FOUND`` when there is none."""
    from graphql_relay import from_global_id

    try:
        kind = from_global_id(str(value))[0]
    except Exception:  # noqa: BLE001 - malformed: decode_id reports it with a code
        kind = None
    if kind == "User":
        profile = CustomerProfile.objects.filter(user_id=decode_id(value, "User", field)).first()
    else:
        profile = CustomerProfile.objects.filter(pk=decode_id(value, "CRMCustomer", field)).first()
    if profile is None or profile.erased_at is not None:
        raise APIError(CRMErrorCode.NOT_FOUND.value, "No such customer.", field)
    return profile
