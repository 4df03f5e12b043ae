"""``/build-triggers`` (SPEC-2 §9) and the CI's report on ``webhook_url``. Thin: parse,
call a service, render.

Project-wide (``X-Environment`` is ignored). Triggers hold the CI's secrets (headers of
``adapter_settings``, ``webhook_token``): only admin tokens read and write them; editors
may also trigger and abort builds (content work), given a trigger's id.
"""

import orjson
from django.http import HttpResponse
from rest_framework.response import Response
from rest_framework.views import APIView

from access.permissions import grants, refused
from build_triggers import services
from build_triggers.models import BuildTrigger
from build_triggers.resources import build_trigger_resource
from cms.api.body_limit import BodyLimit, refuse_large_body
from cms.api.errors import ApiError, invalid_field
from cms.api.parsing import parse_resource
from cms.api.query import nested_params, refuse_unknown

RESULTS = ("success", "error")
MAX_RESULT_BODY = 16 * 1024


def no_content() -> HttpResponse:
    # The client doesn't read a 204's body; the type says JSON as every answer does.
    return HttpResponse(status=204, content_type="application/json; charset=utf-8")


class BuildTriggerListView(BodyLimit, APIView):
    scope = "schema"
    read_flag = write_flag = "can_manage_build_triggers"  # answers hold the CI's secrets
    project_wide = True

    def get(self, request):
        refuse_unknown(nested_params(request.query_params), set())
        triggers = BuildTrigger.objects.all()
        return Response({"data": [build_trigger_resource(t, request) for t in triggers]})

    def post(self, request):
        refuse_unknown(nested_params(request.query_params), set())
        document = parse_resource(request.data, "build_trigger")
        trigger = services.trigger_create(document=document)
        return Response({"data": build_trigger_resource(trigger, request)}, 201)


class BuildTriggerDetailView(BodyLimit, APIView):
    scope = "schema"
    read_flag = write_flag = "can_manage_build_triggers"  # answers hold the CI's secrets
    project_wide = True

    def get(self, request, trigger_id):
        trigger = services.find_trigger(trigger_id)
        return Response({"data": build_trigger_resource(trigger, request)})

    def put(self, request, trigger_id):
        trigger = services.find_trigger(trigger_id)
        document = parse_resource(request.data, "build_trigger")
        trigger = services.trigger_update(trigger=trigger, document=document)
        return Response({"data": build_trigger_resource(trigger, request)})

    def delete(self, request, trigger_id):
        trigger = services.find_trigger(trigger_id)
        answer = build_trigger_resource(trigger, request)
        services.trigger_destroy(trigger=trigger)
        return Response({"data": answer})


class BuildActionView(APIView):
    """trigger, abort and the Site Search actions: for roles whose build-trigger entries
    name the trigger (Admin's and Editor's name them all)."""

    scope = "content"
    project_wide = True
    action = ""

    def _act(self, trigger_id):
        trigger = services.find_trigger(trigger_id)
        if not grants(self.request).may_fire_build(trigger.pk):
            raise refused(action=self.action, build_trigger=trigger.pk)
        if self.action == "trigger":
            services.trigger_build(trigger=trigger)
        elif self.action == "abort":
            services.abort(trigger=trigger)
        # abort_indexing, reindex: there is no Site Search spider here; accepted, no effect.
        return no_content()

    def post(self, request, trigger_id):
        return self._act(trigger_id)

    put = delete = post


class DeployResultsView(APIView):
    """``POST <webhook_url>``: the CI reports how the build ended, ``{"status": "success"}``
    or ``{"status": "error"}``. The token in the path is the credential (no API token);
    any other body is 422 and changes nothing."""

    authentication_classes = []
    permission_classes = []
    project_wide = True

    def post(self, request, token):
        refuse_large_body(request._request, MAX_RESULT_BODY)
        try:
            body = orjson.loads(request.body)
        except orjson.JSONDecodeError:
            raise ApiError(
                "INVALID_FORMAT", 422, message='A JSON body: {"status": "success" | "error"}.'
            ) from None
        status = body.get("status") if isinstance(body, dict) else None
        if not isinstance(status, str) or status not in RESULTS:
            raise invalid_field("status", "VALIDATION_INCLUSION", allowed=list(RESULTS))
        services.report(token=token, status=status)
        return no_content()
