"""What every CRM mutation shares: the errors list and the input checks that fill it."""

import graphene

from ...errors import CRMError as CRMErrorBase
from ...models import CustomerProfile
from ..customers import customer_by_id
from ..errors import APIError, CRMError, CRMErrorCode

# who may ask, not what was asked: reported as GraphQL errors, not in ``errors``
CALLER_CODES = {CRMErrorCode.UNAUTHENTICATED.value, CRMErrorCode.PERMISSION_DENIED.value}


class CRMMutation(graphene.Mutation):
    """Validation problems come back in ``errors``; authentication and permission problems as GraphQL errors."""

    errors = graphene.List(graphene.NonNull(CRMError), required=True)

    class Meta:
        abstract = True

    @classmethod
    def mutate(cls, root, info, **data):
        try:
            return cls.perform(info, **data)
        except CRMErrorBase as error:  # any refusal of the domain or the API
            if error.code_value in CALLER_CODES:
                raise
            return cls(errors=[CRMError(**error.as_error())])

    @classmethod
    def perform(cls, info, **data):
        raise NotImplementedError


def customer_from_id(value, field: str = "customer") -> CustomerProfile:
    """A customer by CRMCustomer or Saleor User ID; ``NOT_FOUND`` when there is none."""
    profile = customer_by_id(value, field)
    if profile is None:
        raise APIError(CRMErrorCode.NOT_FOUND.value, "No such customer.", field)
    return profile
