from django.urls import path

from jobs import views

urlpatterns = [
    path("job-results/<str:job_id>", views.JobResultView.as_view()),
]
