"""/environments and /maintenance-mode: project-wide, so X-Environment is ignored here.
Reads for every token; forks, renames and deletes for roles that manage environments,
promotes and maintenance mode for roles that promote them (access/permissions.py).
Thin: parse, call a service, render."""

from django.db import transaction
from rest_framework.response import Response
from rest_framework.views import APIView

import jobs
from cms.api.parsing import parse_resource
from cms.api.query import flag, nested_params, refuse_unknown
from environments import forking, services
from environments.models import MaintenanceMode
from environments.resources import environment_resource, maintenance_mode_resource


class ProjectWideView(APIView):
    project_wide = True
    scope = "schema"


class EnvironmentListView(ProjectWideView):
    def get(self, request):
        return Response({"data": [environment_resource(e) for e in services.listed()]})


class EnvironmentDetailView(ProjectWideView):
    write_flag = "can_manage_environments"

    def get(self, request, name):
        return Response({"data": environment_resource(services.find(name))})

    def delete(self, request, name):
        """A job: the environment turns ``destroying`` now; the drop runs in a worker."""
        with transaction.atomic():
            environment = forking.start_destroy(name)
            resource = environment_resource(environment)
            job = jobs.submit(
                "environments.destroy", {"environment": environment.pk, "resource": resource}
            )
        return jobs.accepted(job)


class ForkView(ProjectWideView):
    """A job copying the environment (SPEC-2 §1.3); ``immediate_return=true`` answers the
    new environment at once, ``creating``, and the copy goes on in a worker."""

    write_flag = "can_manage_environments"

    def post(self, request, name):
        params = nested_params(request.query_params)
        refuse_unknown(params, {"immediate_return", "fast", "force"})
        immediate = flag(params, "immediate_return")
        fast = flag(params, "fast")
        flag(params, "force")  # checked; nothing to force (no editing sessions)
        parse_resource(request.data, "environment")
        with transaction.atomic():
            environment = forking.start_fork(name, request.data["data"].get("id"), fast=fast)
            job = jobs.submit("environments.fork", {"environment": environment.pk, "fast": fast})
        if immediate:
            return Response({"data": environment_resource(environment)}, status=201)
        return jobs.accepted(job)


class PromoteView(ProjectWideView):
    write_flag = "can_promote_environments"

    def put(self, request, name):
        return Response({"data": environment_resource(services.promote(name))})


class RenameView(ProjectWideView):
    write_flag = "can_manage_environments"

    def put(self, request, name):
        parse_resource(request.data, "environment")
        renamed = services.rename(name, request.data["data"].get("id"))
        return Response({"data": environment_resource(renamed)})


class MaintenanceModeView(ProjectWideView):
    def get(self, request):
        return Response({"data": maintenance_mode_resource(MaintenanceMode.load())})


class ActivateMaintenanceModeView(ProjectWideView):
    write_flag = "can_promote_environments"

    def put(self, request):
        params = nested_params(request.query_params)
        refuse_unknown(params, {"force"})
        flag(params, "force")  # checked; nothing to force (no editing sessions)
        return Response({"data": maintenance_mode_resource(services.set_maintenance_mode(True))})


class DeactivateMaintenanceModeView(ProjectWideView):
    write_flag = "can_promote_environments"

    def put(self, request):
        refuse_unknown(nested_params(request.query_params), set())
        return Response({"data": maintenance_mode_resource(services.set_maintenance_mode(False))})
