"""Service requests and surveys over the API: storefront feedback and survey answers, the staff queue, a
request's thread, reply and close, satisfaction figures; who may call what and every bad input's code."""

from datetime import datetime, timezone
from decimal import Decimal

import pytest
from django.core import mail as django_mail

from saleor_crm_plugin.models import CustomerAnalytics, CustomerProfile, CustomerSpend
from saleor_crm_plugin.models.support import ServiceMessage, ServiceRequest, SurveyResponse
from saleor_crm_plugin.support import surveys
from saleor_crm_plugin.support.requests import feedback
from tests.graphql.conftest import error_codes, gid, operation, staff_token, token
from tests.support.conftest import ANN, GUEST, mail_settings, shop  # noqa: F401 - fixtures

pytestmark = pytest.mark.django_db

FEEDBACK = operation("storefront/feedback-send")
SURVEY = operation("storefront/survey-answer")
QUEUE = operation("staff/service-requests")
REQUEST = operation("staff/service-request")
REPLY = operation("staff/service-request-reply")
CLOSE = operation("staff/service-request-close")
SATISFACTION = operation("staff/satisfaction")
CUSTOMER = operation("staff/customer-satisfaction")
ANN_TOKEN = {"user_id": ANN["user_id"], "email": ANN["email"]}


def data(body, name):
    assert "errors" not in body, body
    return body["data"][name]


def coded(body, name):
    return [(e["code"], e["field"]) for e in data(body, name)["errors"]]


def ann() -> CustomerProfile:
    return CustomerProfile.objects.get(user_id=ANN["user_id"])


def test_feedback_from_a_guest_and_a_signed_in_customer(gql, shop):
    # when
    _, guest = gql(FEEDBACK, {"body": "Wrong tape", "email": GUEST, "orderNumber": shop["gus-1"].number,
                              "kind": "COMPLAINT"})
    _, signed_in = gql(FEEDBACK, {"body": "Do you ship to Oslo?", "channel": "default-channel"},
                       bearer=token(**ANN_TOKEN))
    # then
    guest, signed_in = data(guest, "crmFeedbackSend"), data(signed_in, "crmFeedbackSend")
    assert guest["errors"] == [] and guest["status"] == "OPEN"
    complaint = ServiceRequest.objects.get(order_id="gus-1")
    assert guest["requestId"] == gid("CRMServiceRequest", complaint.pk) and complaint.kind == "complaint"
    question = ServiceRequest.objects.get(profile=ann())
    assert signed_in["requestId"] == gid("CRMServiceRequest", question.pk) and question.order_id == ""
    # and: the guest's second message joins the thread by id
    _, again = gql(FEEDBACK, {"body": "Any news?", "email": GUEST, "orderNumber": shop["gus-1"].number,
                              "requestId": guest["requestId"]})
    assert data(again, "crmFeedbackSend")["requestId"] == guest["requestId"]
    assert ServiceMessage.objects.filter(request=complaint).count() == 2


@pytest.mark.parametrize("variables, code, field", [
    ({"body": ""}, "REQUIRED", "body"),
    ({"body": "x" * 5001}, "TOO_LONG", "body"),
    ({"subject": "s" * 201}, "TOO_LONG", "subject"),
    ({"email": "nope"}, "INVALID_EMAIL", "email"),
    ({"orderNumber": None}, "REQUIRED", "orderNumber"),
    ({"orderNumber": "424242"}, "ORDER_NOT_FOUND", "orderNumber"),
    ({"email": "other@example.com"}, "ORDER_NOT_FOUND", "orderNumber"),
    ({"channel": "not a slug"}, "INVALID_CHANNEL", "channel"),
    ({"requestId": "nope"}, "INVALID_ID", "requestId"),
    ({"requestId": gid("CRMServiceRequest", 999999)}, "NOT_FOUND", "requestId"),
])
def test_feedback_refusals(gql, shop, variables, code, field):
    base = {"body": "Hello", "email": GUEST, "orderNumber": shop["gus-1"].number}
    status, body = gql(FEEDBACK, {**base, **variables})
    assert status == 200 and coded(body, "crmFeedbackSend") == [(code, field)]
    assert not ServiceRequest.objects.exists()


def test_survey_answer_with_a_score_link_token_and_refusals(gql, shop, mail_settings):
    links = surveys.survey_links(ann().pk, "ann-1", "default-channel", "csat")
    link_token = links[2].rsplit("/", 1)[1]
    # when: the link's own score, then a changed mind
    _, low = gql(SURVEY, {"token": link_token, "comment": "Late"})
    _, better = gql(SURVEY, {"token": link_token, "score": 4})
    # then
    assert data(low, "crmSurveyAnswer")["answer"] == {"kind": "CSAT", "score": 2, "comment": "Late",
                                                       "npsGroup": None,
                                                       "answeredAt": data(low, "crmSurveyAnswer")["answer"][
                                                           "answeredAt"]}
    assert data(better, "crmSurveyAnswer")["answer"]["score"] == 4
    assert SurveyResponse.objects.count() == 1 and ServiceRequest.objects.get().kind == "low_score"
    # and: every bad input has a code
    for variables, code in [({"token": "forged"}, "INVALID_TOKEN"), ({"token": link_token, "score": 9}, "INVALID_SCORE"),
                            ({"token": link_token, "comment": "c" * 5001}, "TOO_LONG"),
                            ({"token": surveys.survey_token(ann().pk, "ann-2", "", "nps")}, "REQUIRED")]:
        _, body = gql(SURVEY, variables)
        assert [c for c, _ in coded(body, "crmSurveyAnswer")] == [code], variables


def test_staff_queue_thread_reply_and_close(gql, shop, mail_settings):
    # given: two requests; Gus is worth more than Ann in USD
    first = feedback(body="Where is it?", user_id=ANN["user_id"], account_email=ANN["email"],
                     order_number=shop["ann-1"].number)
    second = feedback(body="Wrong tape", email=GUEST, order_number=shop["gus-1"].number)
    CustomerSpend.objects.filter(profile__email=GUEST).update(revenue=Decimal("500"))
    staff = staff_token()
    # when: the queue, oldest first, then by revenue
    _, oldest = gql(QUEUE, {"filter": {"status": "OPEN"}}, bearer=staff)
    _, by_value = gql(QUEUE, {"sortBy": {"field": "REVENUE", "direction": "DESC", "currency": "usd"}}, bearer=staff)
    _, rich = gql(QUEUE, {"filter": {"minRevenue": 100, "currency": "USD"}}, bearer=staff)
    # then
    ids = [gid("CRMServiceRequest", r.pk) for r in (first, second)]
    assert [e["node"]["id"] for e in data(oldest, "crmServiceRequests")["edges"]] == ids
    assert data(oldest, "crmServiceRequests")["totalCount"] == 2
    assert [e["node"]["id"] for e in data(by_value, "crmServiceRequests")["edges"]] == ids[::-1]
    assert [e["node"]["id"] for e in data(rich, "crmServiceRequests")["edges"]] == ids[1:]
    # when: a reply (twice with the same key), then close
    variables = {"id": ids[0], "body": "It ships today.", "idempotencyKey": "r1"}
    _, replied = gql(REPLY, variables, bearer=staff)
    _, repeated = gql(REPLY, variables, bearer=staff)
    _, closed = gql(CLOSE, {"id": ids[0]}, bearer=staff)
    _, thread = gql(REQUEST, {"id": ids[0]}, bearer=staff)
    # then
    replied = data(replied, "crmServiceRequestReply")
    assert replied["errors"] == [] and replied["message"]["state"] == "SENT"
    assert replied["serviceRequest"]["status"] == "ANSWERED" and replied["serviceRequest"]["firstResponseSeconds"] > 0
    assert data(repeated, "crmServiceRequestReply")["message"]["id"] == replied["message"]["id"]
    assert len(django_mail.outbox) == 1 and django_mail.outbox[0].to == [ANN["email"]]
    assert data(closed, "crmServiceRequestClose")["serviceRequest"]["status"] == "CLOSED"
    request = data(thread, "crmServiceRequest")
    assert request["customer"]["email"] == ANN["email"] and request["resolutionSeconds"] > 0
    assert [(m["direction"], m["author"]) for m in request["messages"]] == [
        ("INBOUND", ""), ("OUTBOUND", "staff@example.com")]
    assert request["messages"][1]["inReplyTo"] == request["messages"][0]["messageId"]
    assert request["messages"][1]["references"] == [request["messages"][0]["messageId"]]
    # and: a closed request takes no reply
    _, refused = gql(REPLY, {**variables, "idempotencyKey": "r2"}, bearer=staff)
    assert coded(refused, "crmServiceRequestReply") == [("INVALID_STATE", "id")]


def test_a_refused_mail_is_a_failed_reply_with_a_send_failed_error(gql, shop, mail_settings, settings):
    from tests.celery_processes import free_port

    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT = "127.0.0.1", free_port()
    request = feedback(body="Hi", email=GUEST, order_number=shop["gus-1"].number)
    _, body = gql(REPLY, {"id": gid("CRMServiceRequest", request.pk), "body": "Hello", "idempotencyKey": "k"},
                  bearer=staff_token())
    result = data(body, "crmServiceRequestReply")
    assert result["message"]["state"] == "FAILED" and [e["code"] for e in result["errors"]] == ["SEND_FAILED"]
    assert result["serviceRequest"]["status"] == "OPEN"


@pytest.mark.parametrize("query, variables, name, code, field", [
    (REPLY, {"id": "nope", "body": "b", "idempotencyKey": "k"}, "crmServiceRequestReply", "INVALID_ID", "id"),
    (REPLY, {"id": gid("CRMServiceRequest", 999999), "body": "b", "idempotencyKey": "k"}, "crmServiceRequestReply",
     "NOT_FOUND", "id"),
    (REPLY, {"id": "REQ", "body": " ", "idempotencyKey": "k"}, "crmServiceRequestReply", "REQUIRED", "body"),
    (REPLY, {"id": "REQ", "body": "b" * 5001, "idempotencyKey": "k"}, "crmServiceRequestReply", "TOO_LONG", "body"),
    (REPLY, {"id": "REQ", "body": "b", "idempotencyKey": ""}, "crmServiceRequestReply", "REQUIRED", "idempotencyKey"),
    (REPLY, {"id": "REQ", "body": "b", "idempotencyKey": "k" * 65}, "crmServiceRequestReply", "TOO_LONG",
     "idempotencyKey"),
    (CLOSE, {"id": gid("CRMCustomer", 1)}, "crmServiceRequestClose", "INVALID_ID", "id"),
    (CLOSE, {"id": gid("CRMServiceRequest", 999999)}, "crmServiceRequestClose", "NOT_FOUND", "id"),
])
def test_staff_mutation_refusals(gql, shop, mail_settings, query, variables, name, code, field):
    request = feedback(body="Hi", email=GUEST, order_number=shop["gus-1"].number)
    if variables["id"] == "REQ":
        variables = {**variables, "id": gid("CRMServiceRequest", request.pk)}
    _, body = gql(query, variables, bearer=staff_token())
    assert coded(body, name) == [(code, field)]
    assert not ServiceMessage.objects.filter(direction="outbound").exists() and not django_mail.outbox


@pytest.mark.parametrize("variables, code", [
    ({"filter": {"minClv": 10}}, "REQUIRED"),
    ({"filter": {"minRevenue": 1e300, "currency": "USD"}}, "OUT_OF_RANGE"),
    ({"sortBy": {"field": "CLV", "direction": "ASC"}}, "REQUIRED"),
    ({"first": 0}, "OUT_OF_RANGE"),
    ({"after": "garbage"}, "INVALID"),
    ({"filter": {"customer": "nope"}}, "INVALID_ID"),
])
def test_queue_refusals(gql, variables, code):
    _, body = gql(QUEUE, variables, bearer=staff_token())
    assert error_codes(body) == [code.lower()]


@pytest.mark.parametrize("query, variables", [
    (QUEUE, {}), (REQUEST, {"id": gid("CRMServiceRequest", 1)}), (SATISFACTION, {}),
    (REPLY, {"id": gid("CRMServiceRequest", 1), "body": "b", "idempotencyKey": "k"}),
    (CLOSE, {"id": gid("CRMServiceRequest", 1)}),
])
def test_staff_operations_need_manage_users(gql, query, variables):
    assert error_codes(gql(query, variables)[1]) == ["unauthenticated"]
    assert error_codes(gql(query, variables, bearer=token())[1]) == ["permission_denied"]


def test_satisfaction_per_month_per_category_and_per_customer(gql, shop, mail_settings):
    # given: CSAT 5 and 2 and NPS 10, 8 and 3, in two months
    me = ann().pk
    answers = [("csat", "ann-1", 5, "csat-a"), ("csat", "ann-2", 2, "csat-b"), ("nps", "ann-1", 10, "nps-a"),
               ("nps", "ann-2", 8, "nps-b"), ("nps", "gus-1", 3, "nps-c")]
    for kind, order, score, key in answers:
        profile = me if order.startswith("ann") else CustomerProfile.objects.get(email=GUEST).pk
        surveys.answer(surveys.survey_token(profile, order, "default-channel", kind, key=key), score)
    SurveyResponse.objects.filter(key__in=["csat-a", "nps-a"]).update(
        answered_at=datetime(2026, 9, 3, tzinfo=timezone.utc))
    SurveyResponse.objects.exclude(key__in=["csat-a", "nps-a"]).update(
        answered_at=datetime(2026, 10, 3, tzinfo=timezone.utc))
    SurveyResponse.objects.filter(key="csat-b").update(answered_at=datetime(2026, 10, 4, tzinfo=timezone.utc))
    # when
    _, shop_body = gql(SATISFACTION, {}, bearer=staff_token())
    _, customer = gql(CUSTOMER, {"id": gid("CRMCustomer", me)}, bearer=staff_token())
    # then: per month
    figures = data(shop_body, "crmSatisfaction")
    assert figures["total"] == {"csatResponses": 2, "csatAverage": 3.5, "csatSatisfiedPercent": 50.0,
                                "npsResponses": 3, "nps": 0.0}
    assert [(m["month"], m["csatAverage"], m["csatSatisfiedPercent"], m["nps"], m["promoters"], m["passives"],
             m["detractors"]) for m in figures["months"]] == [
        ("2026-09-01", 5.0, 100.0, 100.0, 1, 0, 0), ("2026-10-01", 2.0, 0.0, -50.0, 0, 1, 1)]
    # per category: ann-1 has Vinyl and Turntables, ann-2 Vinyl, gus-1 Tapes
    categories = {c["category"]: (c["csatAverage"], c["nps"], c["csatResponses"], c["npsResponses"])
                  for c in figures["categories"]}
    assert categories == {"Vinyl": (3.5, 50.0, 2, 2), "Turntables": (5.0, 100.0, 1, 1), "Tapes": (None, -100.0, 0, 1)}
    # per customer: the latest of each kind, and the history newest first
    satisfaction = data(customer, "crmCustomer")["satisfaction"]
    assert (satisfaction["csatLatest"], satisfaction["npsLatest"], satisfaction["npsGroup"]) == (2, 8, "PASSIVE")
    assert [(h["kind"], h["score"]) for h in satisfaction["history"]] == [
        ("CSAT", 2), ("NPS", 8), ("NPS", 10), ("CSAT", 5)]  # same time: the later answer first
    assert satisfaction["history"][0]["serviceRequestId"] == gid(
        "CRMServiceRequest", ServiceRequest.objects.get(kind="low_score", profile_id=me).pk)
    # and: since/until need a time zone
    _, naive = gql(SATISFACTION, {"since": "2026-09-01T00:00:00"}, bearer=staff_token())
    assert error_codes(naive) == ["invalid"]


def test_the_queue_sorts_by_clv_with_customers_without_a_score_last(gql, shop, mail_settings):
    # given
    feedback(body="A", email=GUEST, order_number=shop["gus-1"].number)
    feedback(body="B", user_id=ANN["user_id"], account_email=ANN["email"])
    gus = CustomerProfile.objects.get(email=GUEST)
    CustomerAnalytics.objects.create(
        profile=gus, currency="USD", orders=1, revenue=10, recency_days=1, r_score=1, f_score=1, m_score=1,
        rfm_group="new", expected_orders_30=0, expected_orders_90=0, expected_orders_365=0, p_alive=1,
        churn_risk=0, expected_order_value=10, clv_12m=Decimal("99"), method="fallback", confidence="low",
        computed_at=datetime(2026, 1, 1, tzinfo=timezone.utc))
    # when
    _, body = gql(QUEUE, {"sortBy": {"field": "CLV", "direction": "ASC", "currency": "USD"}}, bearer=staff_token())
    # then
    assert [e["node"]["customer"]["email"] for e in data(body, "crmServiceRequests")["edges"]] == [GUEST, ANN["email"]]
