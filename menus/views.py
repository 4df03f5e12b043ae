"""/menu-items and /schema-menu-items (SPEC-2 §3). Thin: parse, call a service, render.
Menu items need can_manage_menu to write, schema menu items can_edit_schema."""

from rest_framework.response import Response
from rest_framework.views import APIView

import jobs
from cms.api.errors import ApiError
from cms.api.parsing import parse_resource
from cms.api.query import comma_list, nested_params, refuse_unknown
from environments.scoped_jobs import submit_here
from menus import reordering, services
from menus.kinds import Menu
from menus.selectors import find, menu_resource, menu_resources


class MenuView(APIView):
    menu: Menu = None
    scope = "schema"
    write_flag = None  # per menu (menus/urls.py)


def _ids_filter(query_params) -> list[str] | None:
    """``filter[ids]=a,b`` (or ``filter[ids][]=a&...``), the one list parameter."""
    params = nested_params(query_params)
    refuse_unknown(params, {"filter"})
    if "filter" not in params:
        return None
    filters = params["filter"]
    ids = filters.get("ids") if isinstance(filters, dict) else None
    if set(filters) != {"ids"} or not isinstance(ids, str | list):
        raise ApiError("INVALID_QUERY_PARAMETERS", 422, parameter="filter", allowed=["filter[ids]"])
    return comma_list(ids)


class MenuListView(MenuView):
    def get(self, request):
        return Response({"data": menu_resources(self.menu, _ids_filter(request.query_params))})

    def post(self, request):
        document = parse_resource(request.data, self.menu.type, allow_id=True)
        item = services.menu_create(self.menu, document=document)
        return Response({"data": menu_resource(self.menu, item)}, status=201)


class MenuDetailView(MenuView):
    def get(self, request, item_id):
        return Response({"data": menu_resource(self.menu, find(self.menu, item_id))})

    def put(self, request, item_id):
        item = find(self.menu, item_id)
        document = parse_resource(request.data, self.menu.type)
        item = services.menu_update(self.menu, item=item, document=document)
        return Response({"data": menu_resource(self.menu, item)})

    def delete(self, request, item_id):
        item = find(self.menu, item_id)
        answer = menu_resource(self.menu, item)
        services.menu_destroy(self.menu, item=item)
        return Response({"data": answer})


class MenuReorderView(MenuView):
    """A job (SPEC-2 §3): the 202 names it; its result is the items moved."""

    job_kind = "menus.reorder"  # its handler runs menus.tasks.run_reorder

    def post(self, request):
        data = reordering.check_reorder(self.menu, request.data)
        job = submit_here(self.job_kind, {"menu": self.menu.type, "data": data})
        return jobs.accepted(job)
