from django.urls import include, path, re_path
from drf_spectacular.views import SpectacularAPIView

from . import ingest_views, schema, views  # noqa: F401  (schema: the token's scheme)
from .index import api_docs, api_index, api_not_found

app_name = "api"
urlpatterns = [
    path("", api_index, name="index"),
    path("schema/", SpectacularAPIView.as_view(), name="schema"),
    path("docs/", api_docs, name="docs"),
    path("v1/", include("web.api.v1.urls")),
    # The unversioned endpoints of before v1: kept working, marked deprecated in the schema.
    path("search/", views.search, name="search"),
    path("search/suggestions/", views.search_suggest, name="search_suggestions"),
    path("documents/<int:document_id>/", views.document_detail, name="document"),
    path("disposals/<int:disposal_id>/execute/", views.disposal_execute,
         name="disposal_execute"),
    path("ingest/", ingest_views.ingest_upload, name="ingest"),
    path("jobs/<str:job_id>/", ingest_views.job_detail, name="job"),
    # Anything else under /api/ is a problem document, not the pages' HTML 404 (unnamed: it
    # serves nothing, so the permission matrix has no row for it).
    re_path(r"^.*$", api_not_found),
]
