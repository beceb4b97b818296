"""Who may see what: anonymous callers product recommendations, shoppers their own data, staff with MANAGE_USERS everything."""

from .auth import ANONYMOUS, Caller
from .errors import APIError, CRMErrorCode


def caller(info) -> Caller:
    return getattr(info.context, "crm_caller", ANONYMOUS)


def require_shopper(info) -> Caller:
    who = caller(info)
    if who.is_anonymous:
        raise APIError(CRMErrorCode.UNAUTHENTICATED.value, "Sign in first: this needs a customer's token.")
    return who


def require_staff(info) -> Caller:
    who = caller(info)
    if who.is_anonymous:
        raise APIError(CRMErrorCode.UNAUTHENTICATED.value, "This needs a staff token with MANAGE_USERS.")
    if not who.can_manage_users:
        raise APIError(CRMErrorCode.PERMISSION_DENIED.value, "This needs Saleor's MANAGE_USERS permission.")
    return who


def require_self_or_staff(info, user_id: int) -> Caller:
    """A shopper may read only their own data; staff with MANAGE_USERS anyone's."""
    who = caller(info)
    if who.can_manage_users:
        return who
    if who.is_anonymous:
        raise APIError(CRMErrorCode.UNAUTHENTICATED.value, "Sign in first: this needs a customer's token.")
    if who.user_id != user_id:
        raise APIError(CRMErrorCode.PERMISSION_DENIED.value, "A customer can only see their own data.")
    return who
