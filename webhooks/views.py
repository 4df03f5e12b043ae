"""``/webhooks`` and ``/webhook_calls`` (SPEC-2 §8). Thin: parse, call a service, render."""

from django.http import HttpResponse
from rest_framework.response import Response
from rest_framework.views import APIView

from cms.api.parsing import parse_resource
from cms.api.query import nested_params, refuse_unknown
from webhooks import selectors, services
from webhooks.models import Webhook
from webhooks.resources import call_resource, webhook_resource

#: Webhooks and their calls hold secrets: only roles that manage webhooks read them.
MANAGERS = "can_manage_webhooks"


class WebhookListView(APIView):
    read_flag = write_flag = MANAGERS  # answers hold basic-auth passwords and custom headers

    def get(self, request):
        refuse_unknown(nested_params(request.query_params), set())
        return Response({"data": [webhook_resource(w) for w in Webhook.objects.all()]})

    def post(self, request):
        refuse_unknown(nested_params(request.query_params), set())
        document = parse_resource(request.data, "webhook")
        return Response({"data": webhook_resource(services.webhook_create(document=document))}, 201)


class WebhookDetailView(APIView):
    read_flag = write_flag = MANAGERS  # answers hold basic-auth passwords and custom headers

    def get(self, request, webhook_id):
        return Response({"data": webhook_resource(services.find_webhook(webhook_id))})

    def put(self, request, webhook_id):
        webhook = services.find_webhook(webhook_id)
        document = parse_resource(request.data, "webhook")
        webhook = services.webhook_update(webhook=webhook, document=document)
        return Response({"data": webhook_resource(webhook)})

    def delete(self, request, webhook_id):
        webhook = services.find_webhook(webhook_id)
        answer = webhook_resource(webhook)
        services.webhook_destroy(webhook=webhook)
        return Response({"data": answer})


def _included(calls) -> list[dict]:
    hooks = Webhook.objects.in_bulk({call.webhook_id for call in calls})
    return [webhook_resource(hook) for hook in hooks.values()]


class WebhookCallListView(APIView):
    read_flag = write_flag = MANAGERS  # answers hold basic-auth passwords and custom headers

    def get(self, request):
        calls, total = selectors.calls(nested_params(request.query_params))
        return Response(
            {
                "data": [call_resource(call) for call in calls],
                "meta": {"total_count": total},
                "included": _included(calls),
            }
        )


class WebhookCallDetailView(APIView):
    read_flag = write_flag = MANAGERS  # answers hold basic-auth passwords and custom headers

    def get(self, request, call_id):
        call = services.find_call(call_id)
        return Response({"data": call_resource(call), "included": _included([call])})


class WebhookCallResendView(APIView):
    read_flag = write_flag = MANAGERS  # answers hold basic-auth passwords and custom headers

    def post(self, request, call_id):
        services.call_resend(call=services.find_call(call_id))
        # The client doesn't read a 204's body; the type says JSON as every answer does.
        return HttpResponse(status=204, content_type="application/json; charset=utf-8")
