"""The schema: storefront and staff queries, mutations, federation."""

import graphene

from .automations import AutomationQuery
from .campaigns import CampaignQuery
from .channels import ChannelQuery
from .federation import FederationQuery, Product, User
from .mutations.automation_update import CRMAutomationUpdate
from .mutations.campaign_cancel import CRMCampaignCancel
from .mutations.campaign_create import CRMCampaignCreate
from .mutations.campaign_delete import CRMCampaignDelete
from .mutations.campaign_pause import CRMCampaignPause
from .mutations.campaign_resume import CRMCampaignResume
from .mutations.campaign_schedule import CRMCampaignSchedule
from .mutations.campaign_update import CRMCampaignUpdate
from .mutations.customer_erase import CRMCustomerErase
from .mutations.customer_note_add import CRMCustomerNoteAdd
from .mutations.email_template_create import CRMEmailTemplateCreate
from .mutations.email_template_delete import CRMEmailTemplateDelete
from .mutations.email_template_test_send import CRMEmailTemplateTestSend
from .mutations.email_template_update import CRMEmailTemplateUpdate
from .mutations.feedback_send import CRMFeedbackSend
from .mutations.marketing_confirm import CRMMarketingConfirm
from .mutations.marketing_consent_update import CRMMarketingConsentUpdate
from .mutations.marketing_subscribe import CRMMarketingSubscribe
from .mutations.recommendation_train import CRMRecommendationTrain
from .mutations.recompute_start import CRMRecomputeStart
from .mutations.segment_save import CRMSegmentCreate, CRMSegmentDelete, CRMSegmentUpdate
from .mutations.service_request_close import CRMServiceRequestClose
from .mutations.service_request_reply import CRMServiceRequestReply
from .mutations.settings_test_mail_send import CRMSettingsTestMailSend
from .mutations.settings_update import CRMSettingsUpdate
from .mutations.suppression_add import CRMSuppressionAdd
from .mutations.suppression_remove import CRMSuppressionRemove
from .mutations.survey_answer import CRMSurveyAnswer
from .privacy import PrivacyQuery
from .queries import Query as CRMQuery
from .recommendation_models import RecommendationModelQuery
from .recompute import RecomputeQuery
from .segments import SegmentQuery
from .settings import SettingsQuery
from .support import SupportQuery
from .suppressions import SuppressionQuery


class Query(CRMQuery, SegmentQuery, CampaignQuery, AutomationQuery, SuppressionQuery, RecommendationModelQuery,
            RecomputeQuery, PrivacyQuery, SupportQuery, SettingsQuery, ChannelQuery, FederationQuery,
            graphene.ObjectType):
    pass


class Mutation(graphene.ObjectType):
    crm_customer_erase = CRMCustomerErase.Field()
    crm_customer_note_add = CRMCustomerNoteAdd.Field()
    crm_marketing_consent_update = CRMMarketingConsentUpdate.Field()
    crm_marketing_subscribe = CRMMarketingSubscribe.Field()
    crm_marketing_confirm = CRMMarketingConfirm.Field()
    crm_segment_create = CRMSegmentCreate.Field()
    crm_segment_update = CRMSegmentUpdate.Field()
    crm_segment_delete = CRMSegmentDelete.Field()
    crm_email_template_create = CRMEmailTemplateCreate.Field()
    crm_email_template_update = CRMEmailTemplateUpdate.Field()
    crm_email_template_delete = CRMEmailTemplateDelete.Field()
    crm_email_template_test_send = CRMEmailTemplateTestSend.Field()
    crm_campaign_create = CRMCampaignCreate.Field()
    crm_automation_update = CRMAutomationUpdate.Field()
    crm_campaign_update = CRMCampaignUpdate.Field()
    crm_campaign_delete = CRMCampaignDelete.Field()
    crm_campaign_schedule = CRMCampaignSchedule.Field()
    crm_campaign_pause = CRMCampaignPause.Field()
    crm_campaign_resume = CRMCampaignResume.Field()
    crm_campaign_cancel = CRMCampaignCancel.Field()
    crm_suppression_add = CRMSuppressionAdd.Field()
    crm_suppression_remove = CRMSuppressionRemove.Field()
    crm_recommendation_train = CRMRecommendationTrain.Field()
    crm_recompute_start = CRMRecomputeStart.Field()
    crm_feedback_send = CRMFeedbackSend.Field()
    crm_survey_answer = CRMSurveyAnswer.Field()
    crm_service_request_reply = CRMServiceRequestReply.Field()
    crm_service_request_close = CRMServiceRequestClose.Field()
    crm_settings_update = CRMSettingsUpdate.Field()
    crm_settings_test_mail_send = CRMSettingsTestMailSend.Field()


schema = graphene.Schema(query=Query, mutation=Mutation, types=[User, Product], auto_camelcase=True)
