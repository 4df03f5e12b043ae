from django.urls import path

from schedules.kinds import PUBLICATION, UNPUBLISHING
from schedules.views import ScheduleView

urlpatterns = [
    path("items/<str:item_id>/scheduled-publication", ScheduleView.as_view(kind=PUBLICATION)),
    path("items/<str:item_id>/scheduled-unpublishing", ScheduleView.as_view(kind=UNPUBLISHING)),
]
