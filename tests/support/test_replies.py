"""A question answered by email: staff reply over a real SMTP server, threading headers, the customer's
answer through the reply's link over HTTP, exactly-once replies, closing and the service times."""

import re
from urllib.parse import urlsplit

import pytest
import requests
from django.core import mail as django_mail
from django.test import override_settings

from saleor_crm_plugin.errors import CRMError
from saleor_crm_plugin.models.support import ServiceMessage, ServiceRequest
from saleor_crm_plugin.support import replies
from saleor_crm_plugin.support.requests import feedback
from tests.campaigns.conftest import smtp_settings
from tests.support.conftest import ANN

LINK = re.compile(r"Answer here: (\S+)")


def ask(shop, body="Where is my record?", **extra):
    return feedback(body=body, subject="Where is order 1?", user_id=ANN["user_id"], account_email=ANN["email"],
                    order_number=shop["ann-1"].number, **extra)


def local(url: str, live_server) -> str:
    return live_server.url + urlsplit(url).path


@pytest.mark.django_db(transaction=True)
def test_question_reply_by_smtp_answer_by_link_same_thread_then_closed_with_service_times(
        shop, smtp_server, live_server):
    inbox, port = smtp_server
    with override_settings(**smtp_settings(port, from_email="help@shop.example.com")):
        # given: Ann's question about her order
        request = ask(shop)
        [question] = ServiceMessage.objects.filter(request=request)
        assert (request.status, request.kind, request.order_id, request.email) == (
            "open", "question", "ann-1", ANN["email"])
        assert question.message_id == f"<crm.support.{request.pk}.message.{question.pk}@shop.example.com>"

        # when: staff reply
        first = replies.reply(request.pk, "It left our shop today.", author="staff@shop.example.com",
                              idempotency_key="reply-1")

        # then: one mail at the SMTP server, threaded under the question, with a link to answer
        [mail] = inbox.to(ANN["email"])
        assert first.state == "sent" and mail["Message-ID"] == first.message_id
        assert mail["In-Reply-To"] == question.message_id
        assert mail["References"] == question.message_id
        assert mail["Subject"] == "Re: Where is order 1?"
        text = mail.get_body(("plain",)).get_content()
        assert "It left our shop today." in text
        url = LINK.search(text).group(1)
        assert url.startswith("https://shop.example.com/plugins/global/saleor_crm_plugin.crm/reply/")
        request.refresh_from_db()
        assert request.status == "answered" and request.first_response_at == first.sent_at

        # when: a link scanner fetches the link, then Ann answers on the page (no login, no cookie)
        page = requests.get(local(url, live_server), timeout=10)
        assert page.status_code == 200 and "It left our shop today." in page.text and 'name="body"' in page.text
        assert ServiceMessage.objects.filter(request=request).count() == 2  # the GET stored nothing
        done = requests.post(local(url, live_server), data={"body": "Thanks! Which carrier?"}, timeout=10)

        # then: her answer is in the same thread and the request is open again
        assert done.status_code == 200 and "Thank you" in done.text
        thread = list(ServiceMessage.objects.filter(request=request).order_by("created_at", "pk"))
        assert [(m.direction, m.via) for m in thread] == [("inbound", "storefront"), ("outbound", "staff"),
                                                          ("inbound", "link")]
        assert thread[2].body == "Thanks! Which carrier?" and thread[2].in_reply_to == first.message_id
        request.refresh_from_db()
        assert request.status == "open"

        # when: staff reply again, then close
        second = replies.reply(request.pk, "DHL.", author="staff@shop.example.com", idempotency_key="reply-2")
        closed = replies.close(request.pk, author="staff@shop.example.com")

    # then: the second mail continues the thread; the times are measured from the request
    mails = inbox.to(ANN["email"])
    assert len(mails) == 2
    assert mails[1]["In-Reply-To"] == thread[2].message_id
    assert mails[1]["References"].split() == [m.message_id for m in thread]
    assert second.references.split() == [m.message_id for m in thread]
    assert closed.status == "closed" and closed.closed_by == "staff@shop.example.com"
    assert closed.first_response_seconds == (first.sent_at - closed.created_at).total_seconds() > 0
    assert closed.resolution_seconds == (closed.closed_at - closed.created_at).total_seconds()
    assert closed.resolution_seconds > closed.first_response_seconds
    assert closed.first_response_at == first.sent_at  # the second reply did not move it


@pytest.mark.django_db(transaction=True)
def test_a_retried_reply_with_the_same_key_sends_one_mail(shop, smtp_server):
    inbox, port = smtp_server
    with override_settings(**smtp_settings(port)):
        request = ask(shop)
        # when: the same reply three times (a double click, a retried request)
        sent = [replies.reply(request.pk, "On its way.", author="s@example.com", idempotency_key="k1")
                for _ in range(3)]
    # then
    assert len(inbox.to(ANN["email"])) == 1
    assert {m.pk for m in sent} == {sent[0].pk} and sent[0].state == "sent"
    assert ServiceMessage.objects.filter(request=request, direction="outbound").count() == 1


@pytest.mark.django_db(transaction=True)
def test_a_refused_reply_is_recorded_failed_and_the_same_key_tries_the_same_message_again(shop, smtp_server):
    from tests.celery_processes import free_port

    inbox, port = smtp_server
    with override_settings(**smtp_settings(free_port())):  # nobody listens there
        request = ask(shop)
        failed = replies.reply(request.pk, "On its way.", author="s@example.com", idempotency_key="k1")
    assert failed.state == "failed" and "ConnectionRefused" in failed.error
    request.refresh_from_db()
    assert request.status == "open" and request.first_response_at is None
    with override_settings(**smtp_settings(port)):
        again = replies.reply(request.pk, "On its way.", author="s@example.com", idempotency_key="k1")
    [mail] = inbox.to(ANN["email"])
    assert again.pk == failed.pk and again.state == "sent" and mail["Message-ID"] == failed.message_id


def test_reply_refusals(shop, mail_settings):
    request = ask(shop)
    for args, code in [((request.pk, "", "k"), "required"), ((request.pk, "x" * 5001, "k"), "too_long"),
                       ((request.pk, "Hi", ""), "required"), ((request.pk, "Hi", "k" * 65), "too_long"),
                       ((request.pk + 1000, "Hi", "k"), "not_found")]:
        with pytest.raises(CRMError) as error:
            replies.reply(args[0], args[1], author="s@example.com", idempotency_key=args[2])
        assert error.value.code_value == code, args
    replies.close(request.pk)
    with pytest.raises(CRMError) as error:
        replies.reply(request.pk, "Hi", author="s@example.com", idempotency_key="k")
    assert error.value.code_value == "invalid_state"
    assert not django_mail.outbox and ServiceMessage.objects.filter(direction="outbound").count() == 0


def test_without_a_public_url_nothing_is_stored(shop, settings):
    settings.EMAIL_BACKEND = "anymail.backends.test.EmailBackend"
    settings.PUBLIC_URL = ""
    request = ask(shop)
    with pytest.raises(CRMError) as error:
        replies.reply(request.pk, "Hi", author="s@example.com", idempotency_key="k")
    assert error.value.code_value == "not_configured"
    assert not ServiceMessage.objects.filter(direction="outbound").exists()


def test_closing_twice_keeps_the_first_close(shop):
    request = ask(shop)
    first = replies.close(request.pk, author="a@example.com")
    again = replies.close(request.pk, author="b@example.com")
    assert (again.closed_at, again.closed_by) == (first.closed_at, "a@example.com")
    assert ServiceRequest.objects.get(pk=request.pk).resolution_seconds is not None


def test_reply_links_that_are_forged_foreign_expired_or_empty_change_nothing(shop, mail_settings, client):
    # given: a reply whose link works
    import time

    from django.core import signing

    from saleor_crm_plugin.campaigns import tokens
    from saleor_crm_plugin.support.links import REPLY

    request = ask(shop)
    sent = replies.reply(request.pk, "Hello", author="s@example.com", idempotency_key="k")
    good = LINK.search(django_mail.outbox[0].body).group(1)
    token = good.rsplit("/", 1)[1]
    payload = {"r": request.pk, "m": sent.pk}
    real = time.time
    try:
        time.time = lambda: real() - 91 * 86400  # older than reply_link_days (90)
        expired = tokens.make_token(REPLY, payload)
    finally:
        time.time = real
    forged = signing.dumps(payload, key="another-shop", salt=f"saleor_crm_plugin.{REPLY}")
    foreign = tokens.make_token("survey", payload)
    other_message = tokens.make_token(REPLY, {"r": request.pk, "m": sent.pk + 1000})
    base = "/plugins/global/saleor_crm_plugin.crm/reply/"
    # when / then
    for bad, words in [(forged, "not valid"), (foreign, "not valid"), (expired, "expired"),
                       (other_message, "not valid"), (token[:-2] + "xx", "not valid")]:
        for method in (client.get, client.post):
            response = method(base + bad, {"body": "Hi"})
            assert response.status_code == 400 and "This link does not work" in response.content.decode()
            assert words in response.content.decode()
    empty = client.post(base + token, {"body": "   "})
    assert empty.status_code == 400 and "Please check your message" in empty.content.decode()
    assert client.put(base + token).status_code == 405
    assert ServiceMessage.objects.filter(request=request).count() == 2
    assert ServiceRequest.objects.get(pk=request.pk).status == "answered"


@pytest.mark.django_db(transaction=True)
def test_the_same_reply_from_two_workers_at_once_sends_one_mail(shop, smtp_server):
    import threading

    from django.db import connection

    inbox, port = smtp_server
    with override_settings(**smtp_settings(port)):
        request = ask(shop)
        start, results = threading.Barrier(4), []

        def send():
            try:
                start.wait()
                results.append(replies.reply(request.pk, "On its way.", author="s@example.com",
                                             idempotency_key="double-click"))
            finally:
                connection.close()

        workers = [threading.Thread(target=send) for _ in range(4)]
        for worker in workers:
            worker.start()
        for worker in workers:
            worker.join(30)
    assert len(results) == 4 and len({m.pk for m in results}) == 1
    assert len(inbox.to(ANN["email"])) == 1
    assert ServiceMessage.objects.get(request=request, direction="outbound").state == "sent"
