"""The schema: storefront and staff queries, mutations, federation."""

import graphene

from .federation import FederationQuery, Product, User
from .mutations.customer_note_add import CRMCustomerNoteAdd
from .mutations.marketing_consent_update import CRMMarketingConsentUpdate
from .queries import Query as CRMQuery


class Query(CRMQuery, FederationQuery, graphene.ObjectType):
    pass


class Mutation(graphene.ObjectType):
    crm_customer_note_add = CRMCustomerNoteAdd.Field()
    crm_marketing_consent_update = CRMMarketingConsentUpdate.Field()


schema = graphene.Schema(query=Query, mutation=Mutation, types=[User, Product], auto_camelcase=True)
