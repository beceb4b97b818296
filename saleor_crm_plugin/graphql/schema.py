"""The schema: storefront and staff queries, mutations, federation."""

import graphene

from .federation import FederationQuery, Product, User
from .mutations.customer_erase import CRMCustomerErase
from .mutations.customer_note_add import CRMCustomerNoteAdd
from .mutations.marketing_consent_update import CRMMarketingConsentUpdate
from .mutations.segment_save import CRMSegmentCreate, CRMSegmentDelete, CRMSegmentUpdate
from .privacy import PrivacyQuery
from .queries import Query as CRMQuery
from .segments import SegmentQuery


class Query(CRMQuery, SegmentQuery, PrivacyQuery, FederationQuery, graphene.ObjectType):
    pass


class Mutation(graphene.ObjectType):
    crm_customer_erase = CRMCustomerErase.Field()
    crm_customer_note_add = CRMCustomerNoteAdd.Field()
    crm_marketing_consent_update = CRMMarketingConsentUpdate.Field()
    crm_segment_create = CRMSegmentCreate.Field()
    crm_segment_update = CRMSegmentUpdate.Field()
    crm_segment_delete = CRMSegmentDelete.Field()


schema = graphene.Schema(query=Query, mutation=Mutation, types=[User, Product], auto_camelcase=True)
