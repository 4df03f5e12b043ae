"""Writing webhooks, and resending a call. Each webhook write rewrites the webhooks'
version (webhooks/config.py) in its transaction."""

from django.db import IntegrityError, transaction

import jobs
from cms.api.errors import ApiError, found, invalid_field
from cms.api.parsing import ResourceDocument
from webhooks import batch_events, config, validation
from webhooks.models import Webhook, WebhookCall


def find_webhook(webhook_id: str) -> Webhook:
    return found(Webhook.objects.filter(pk=webhook_id).first(), webhook=webhook_id)


def find_call(call_id: str) -> WebhookCall:
    call = None
    if call_id.isdigit() and len(call_id) < 19:
        batch_events.write_deferred()
        call = WebhookCall.objects.filter(pk=int(call_id)).first()
    return found(call, webhook_call=call_id)


def webhook_create(*, document: ResourceDocument) -> Webhook:
    attributes = validation.clean(document.attributes, creating=True)
    webhook = Webhook(**attributes)
    _save(webhook, create=True)
    return webhook


def webhook_update(*, webhook: Webhook, document: ResourceDocument) -> Webhook:
    attributes = validation.clean(document.attributes, creating=False)
    for name, value in attributes.items():
        setattr(webhook, name, value)
    _save(webhook, create=False)
    return webhook


def _save(webhook: Webhook, *, create: bool) -> None:
    try:
        with transaction.atomic():
            if Webhook.objects.filter(name=webhook.name).exclude(pk=webhook.pk).exists():
                raise invalid_field("name", "VALIDATION_UNIQUENESS")
            webhook.save(force_insert=create)
            config.bump()
    except IntegrityError:  # a concurrent create with the same name
        raise invalid_field("name", "VALIDATION_UNIQUENESS") from None


def webhook_destroy(*, webhook: Webhook) -> None:
    with transaction.atomic():
        webhook.delete()
        config.bump()


def call_resend(*, call: WebhookCall) -> None:
    """Send the call again, now, on a worker (never on the request's thread)."""
    if not Webhook.objects.filter(pk=call.webhook_id).exists():
        raise ApiError("NOT_FOUND", 404, webhook=call.webhook_id)
    jobs.submit("webhooks.resend", {"call": call.pk})
