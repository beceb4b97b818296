"""Apollo Federation: the CRM as a subgraph that extends Saleor's ``User`` and ``Product``.

Behind a gateway (Apollo Router, Cosmo…) composed with Saleor's own
federated schema, ``me { crmProfile recommendations(channel: …) orderHistory }``
and ``product(id, channel) { alsoBought similarProducts }`` work on one
endpoint. ``_service { sdl }`` returns the subgraph SDL (federation 1 style,
as Saleor's own); ``_entities`` resolves the gateway's references.
"""

import re

import graphene
from graphql.language import ast

from ..models import CustomerProfile
from ..recommendations import service
from .errors import APIError, CRMErrorCode
from .ids import decode_id, global_id
from .limits import MAX_ENTITIES
from .permissions import require_self_or_staff
from .recommendations import ProductEntity, Recommendation, for_customer, recommend
from .types import CRMOrderConnection, CRMProfile, order_history


class UserEntity:
    def __init__(self, user_id: int):
        self.user_id = user_id

    def profile(self):
        return CustomerProfile.objects.filter(user_id=self.user_id, erased_at__isnull=True).first()


class User(graphene.ObjectType):
    """Saleor's ``User``, extended with the CRM's fields (the customer themself or staff with MANAGE_USERS)."""

    id = graphene.ID(required=True)
    crm_profile = graphene.Field(CRMProfile)
    recommendations = graphene.List(graphene.NonNull(Recommendation), required=True,
                                    channel=graphene.String(required=True), first=graphene.Int())
    order_history = graphene.Field(CRMOrderConnection, required=True, first=graphene.Int(), after=graphene.String())

    @staticmethod
    def resolve_id(root, info):
        return global_id("User", root.user_id)

    @staticmethod
    def resolve_crm_profile(root, info):
        require_self_or_staff(info, root.user_id)
        return root.profile()

    @staticmethod
    def resolve_recommendations(root, info, channel, first=None):
        require_self_or_staff(info, root.user_id)
        return for_customer(root.profile(), channel, first)

    @staticmethod
    def resolve_order_history(root, info, first=None, after=None):
        require_self_or_staff(info, root.user_id)
        return order_history(root.profile(), first, after)


class Product(graphene.ObjectType):
    """Saleor's ``Product`` in a channel, extended with recommendations (anyone may ask)."""

    id = graphene.ID(required=True)
    channel = graphene.String()
    also_bought = graphene.List(graphene.NonNull(Recommendation), required=True, first=graphene.Int())
    similar_products = graphene.List(graphene.NonNull(Recommendation), required=True, first=graphene.Int())

    @staticmethod
    def resolve_id(root, info):
        return global_id("Product", root.pk)

    @staticmethod
    def resolve_also_bought(root, info, first=None):
        return recommend(service.also_bought, _channel(root), first, root.pk)

    @staticmethod
    def resolve_similar_products(root, info, first=None):
        return recommend(service.similar, _channel(root), first, root.pk)


def _channel(root: ProductEntity) -> str:
    if not root.channel:
        raise APIError(CRMErrorCode.REQUIRED.value, "Recommendations need the product's channel.", "channel")
    return root.channel


class _Any(graphene.Scalar):
    """_Any value scalar as defined by the Federation spec."""

    class Meta:
        name = "_Any"

    @staticmethod
    def serialize(value):
        return value

    @staticmethod
    def parse_value(value):
        return value

    @staticmethod
    def parse_literal(node):
        if isinstance(node, ast.ObjectValue):
            return {field.name.value: _Any.parse_literal(field.value) for field in node.fields}
        if isinstance(node, ast.ListValue):
            return [_Any.parse_literal(value) for value in node.values]
        return getattr(node, "value", None)


class _Entity(graphene.Union):
    class Meta:
        name = "_Entity"
        types = (User, Product)

    @classmethod
    def resolve_type(cls, instance, info):
        return User if isinstance(instance, UserEntity) else Product


class _Service(graphene.ObjectType):
    class Meta:
        name = "_Service"

    sdl = graphene.String(required=True)


class FederationQuery(graphene.ObjectType):
    service = graphene.Field(_Service, required=True, name="_service")
    entities = graphene.List(_Entity, required=True, name="_entities",
                             representations=graphene.List(graphene.NonNull(_Any), required=True))

    @staticmethod
    def resolve_service(root, info):
        return _Service(sdl=subgraph_sdl(info.schema))

    @staticmethod
    def resolve_entities(root, info, representations):
        if len(representations) > MAX_ENTITIES:  # the view refuses these before execution; kept for direct callers
            raise APIError(CRMErrorCode.OUT_OF_RANGE.value, f"At most {MAX_ENTITIES} representations.",
                           "representations")
        return [entity(representation) for representation in representations]


def entity(representation):
    """The entity a gateway's representation names; ``INVALID`` for anything but a User or Product object."""
    if not isinstance(representation, dict):
        raise APIError(CRMErrorCode.INVALID.value, "A representation is an object with __typename and its key.",
                       "representations")
    typename = representation.get("__typename")
    if typename == "User":
        return UserEntity(decode_id(representation.get("id"), "User", "representations"))
    if typename == "Product":
        channel = representation.get("channel")
        if channel is not None and not isinstance(channel, str):
            raise APIError(CRMErrorCode.INVALID.value, "A Product's channel is a slug.", "representations")
        return ProductEntity(decode_id(representation.get("id"), "Product", "representations"), channel)
    raise APIError(CRMErrorCode.INVALID.value, f"This subgraph resolves no {typename!r} entities.", "representations")


KEYS = {"User": ('"id"', ["id"]), "Product": ('"id channel"', ["id", "channel"])}
FEDERATION_ONLY = re.compile(
    r'(?:"""[^"]*"""\n)?(?:scalar _Any\n|union _Entity = [^\n]*\n|type _Service \{[^}]*\}\n)', re.M
)


def subgraph_sdl(schema) -> str:
    """``schema`` as a federation-1 subgraph SDL: ``extend type User @key(fields: "id")`` etc."""
    text = str(schema) + "\n"
    text = FEDERATION_ONLY.sub("", text)
    text = "\n".join(line for line in text.split("\n") if not line.startswith(("  _service:", "  _entities(")))
    for name, (fields, external) in KEYS.items():
        block = re.search(rf"(?:\"\"\"[^\"]*\"\"\"\n)?type {name} \{{\n(.*?)\n\}}", text, re.S)
        body = block.group(1)
        for key in external:
            body = re.sub(rf"^  {key}: ([^\n]+)$", rf"  {key}: \1 @external", body, count=1, flags=re.M)
        text = text.replace(block.group(0), f"extend type {name} @key(fields: {fields}) {{\n{body}\n}}")
    return re.sub(r"\n{3,}", "\n\n", text).strip() + "\n"
