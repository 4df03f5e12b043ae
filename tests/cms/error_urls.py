"""A test-only URLconf: views that fail in the view and after it (while the answer is
rendered), under the Content Management API and under ``/rest/``."""

from django.urls import path
from rest_framework.response import Response
from rest_framework.views import APIView

from record_api.views import RecordApiView


class Raises(APIView):
    authentication_classes: list = []
    permission_classes: list = []

    def get(self, request):
        raise RuntimeError("raised in a view")


class RendersBadly(APIView):
    """Returns normally; its answer fails as it is encoded (a lone surrogate is not UTF-8)."""

    authentication_classes: list = []
    permission_classes: list = []

    def get(self, request):
        return Response({"text": "\udfff"})


class RecordRaises(Raises, RecordApiView):
    pass


class RecordRendersBadly(RendersBadly, RecordApiView):
    pass


def plain_raises(request):
    raise RuntimeError("raised in a plain Django view")


urlpatterns = [
    path("raises", Raises.as_view()),
    path("renders-badly", RendersBadly.as_view()),
    path("plain-raises", plain_raises),
    path("rest/raises", RecordRaises.as_view()),
    path("rest/renders-badly", RecordRendersBadly.as_view()),
]

handler500 = "cms.api.fallback.server_error"
