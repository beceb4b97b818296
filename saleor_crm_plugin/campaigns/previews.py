"""Trying a template before it goes out: a preview for a chosen customer, and test mails to given addresses."""

import uuid

from ..error_codes import CampaignErrorCode
from ..errors import CRMError
from ..models import CustomerProfile, EmailTemplate
from . import mail, providers
from .consent import validate_channel, validate_email
from .context import RecipientContexts
from .templates import compile_template, renderer

MAX_TEST_ADDRESSES = 10
TEST_PREFIX = "[Test] "
SOURCE_FIELDS = ("subject", "preheader", "body_format", "body", "text")


def _sources(template: EmailTemplate | dict) -> dict:
    if isinstance(template, EmailTemplate):
        return {name: getattr(template, name) for name in SOURCE_FIELDS}
    if not isinstance(template, dict):
        raise CRMError(CampaignErrorCode.REQUIRED, "Give a template or its sources.", "template")
    return {name: template[name] for name in SOURCE_FIELDS if template.get(name) is not None}


def _variables(channel: str, profile_id: int | None) -> dict:
    contexts = RecipientContexts(channel, None)
    if profile_id is None:
        return contexts.sample()
    profile = CustomerProfile.objects.filter(pk=profile_id, erased_at__isnull=True).values(
        "id", "email", "first_name", "last_name", "favourite_categories").first()
    if profile is None:
        raise CRMError(CampaignErrorCode.NOT_FOUND, "No such customer.", "customer")
    return contexts.build([profile])[profile["id"]]


def _render(template, channel: str, profile_id: int | None):
    validate_channel(channel)
    compiled = compile_template(**_sources(template))
    variables = _variables(channel, profile_id)
    return renderer(compiled).render(variables), variables


def preview(*, template: EmailTemplate | dict, profile_id: int | None, channel: str) -> mail.RenderedMail:
    """``template`` (a saved one or its sources) rendered for customer ``profile_id`` in ``channel``.

    Without a customer it is rendered with a sample customer and the
    channel's best-sellers. Raises the template's ``CRMError`` (syntax,
    unknown helper, MJML), ``INVALID_CHANNEL`` or ``NOT_FOUND``.
    """
    return _render(template, channel, profile_id)[0]


def _addresses(addresses) -> list[str]:
    if not isinstance(addresses, (list, tuple)) or not addresses:
        raise CRMError(CampaignErrorCode.REQUIRED, "Give at least one address.", "addresses")
    if len(addresses) > MAX_TEST_ADDRESSES:
        raise CRMError(CampaignErrorCode.TOO_MANY, f"At most {MAX_TEST_ADDRESSES} addresses.", "addresses")
    cleaned = []
    for address in addresses:
        try:
            validate_email(address)
        except CRMError:
            raise CRMError(CampaignErrorCode.INVALID_EMAIL, f"Not a valid email address: {address!r}.",
                           "addresses") from None
        if address.strip() not in cleaned:
            cleaned.append(address.strip())
    return cleaned


def test_send(*, template: EmailTemplate | dict, addresses: list[str], channel: str, profile_id: int | None = None,
              from_name: str = "", from_email: str = "", reply_to: str = "") -> list[str]:
    """Send ``template`` as a "[Test] " mail to 1–10 ``addresses``; returns their Message-IDs.

    Rendered for customer ``profile_id`` (their real unsubscribe link in the
    List-Unsubscribe headers) or a sample customer, sent through the
    configured provider. Raises ``REQUIRED`` / ``TOO_MANY`` /
    ``INVALID_EMAIL`` (field ``addresses``), the template's errors, and
    ``SEND_FAILED`` with the provider's message.
    """
    recipients = _addresses(addresses)
    if from_email:
        try:
            validate_email(from_email)
        except CRMError:
            raise CRMError(CampaignErrorCode.INVALID_EMAIL, "Not a valid sender address.", "from_email") from None
    if reply_to:
        try:
            validate_email(reply_to)
        except CRMError:
            raise CRMError(CampaignErrorCode.INVALID_EMAIL, "Not a valid reply-to address.", "reply_to") from None
    rendered, variables = _render(template, channel, profile_id)
    rendered = mail.RenderedMail(subject=TEST_PREFIX + rendered.subject, html=rendered.html, text=rendered.text)
    from_header = mail.sender(from_name, from_email)
    messages, ids = [], []
    for address in recipients:
        message_id = mail.message_id("test", uuid.uuid4().hex, from_email=from_email)
        # The headers carry the sample link when there is no customer: the test mail looks like the real one.
        messages.append(mail.build_message(
            rendered, to=address, from_header=from_header, message_id=message_id, reply_to=reply_to,
            unsubscribe=variables["unsubscribe_url"] if variables["unsubscribe_url"] != "#" else None,
            metadata={"test": 1}, tags=["crm-test"]))
        ids.append(message_id)
    connection = providers.open_connection()
    try:
        connection.send_messages(messages)
    except Exception as error:  # any backend's failure (anymail's AnymailError, SMTP, socket), reported as is
        raise CRMError(CampaignErrorCode.SEND_FAILED, f"The provider refused the test mail: {error}",
                       "addresses") from error
    return ids


test_send.__test__ = False  # pytest must not collect the service when a test module imports it
