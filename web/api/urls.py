from django.urls import path
from drf_spectacular.views import SpectacularAPIView

from . import ingest_views, views

app_name = "api"
urlpatterns = [
    path("schema/", SpectacularAPIView.as_view(), name="schema"),
    path("search/", views.search, name="search"),
    path("search/suggestions/", views.search_suggest, name="search_suggestions"),
    path("documents/<int:document_id>/", views.document_detail, name="document"),
    path("disposals/<int:disposal_id>/execute/", views.disposal_execute,
         name="disposal_execute"),
    path("ingest/", ingest_views.ingest_upload, name="ingest"),
    path("jobs/<str:job_id>/", ingest_views.job_detail, name="job"),
]
