"""What every CRM mutation shares: the errors list and the input checks that fill it."""

import graphene

from ...models import CustomerProfile
from ..errors import APIError, CRMError, CRMErrorCode
from ..customers import customer_by_id


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
    profile = customer_by_id(value, field)
    if profile is None:
        raise APIError(CRMErrorCode.NOT_FOUND.value, "No such customer.", field)
    return profile
