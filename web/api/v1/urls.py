"""API v1 (`/api/v1/`). Names start with "v1-"; web/api/tokens.py names the token action
each needs, and the permission matrix test has a row for each."""

from django.urls import path

from ..index import api_v1_index
from . import views

urlpatterns = [
    path("", api_v1_index, name="v1-index"),
    path("file-plan/", views.FilePlanList.as_view(), name="v1-file-plan"),
    path("units/", views.UnitList.as_view(), name="v1-units"),
    path("document-types/", views.DocumentTypeList.as_view(), name="v1-document-types"),
    path("correspondents/", views.CorrespondentList.as_view(), name="v1-correspondents"),
    path("case-files/", views.CaseFileList.as_view(), name="v1-case-files"),
    path("case-files/<int:case_file_id>/", views.CaseFileDetail.as_view(), name="v1-case-file"),
    path(
        "case-files/<int:case_file_id>/close/",
        views.CaseFileClose.as_view(),
        name="v1-case-file-close",
    ),
    path(
        "case-files/<int:case_file_id>/reopen/",
        views.CaseFileReopen.as_view(),
        name="v1-case-file-reopen",
    ),
    path(
        "case-files/<int:case_file_id>/processes/",
        views.CaseFileProcesses.as_view(),
        name="v1-case-file-processes",
    ),
    path(
        "case-files/<int:case_file_id>/documents/",
        views.CaseFileDocuments.as_view(),
        name="v1-case-file-documents",
    ),
    path(
        "case-files/<int:case_file_id>/follow-ups/",
        views.CaseFileFollowUps.as_view(),
        name="v1-case-file-follow-ups",
    ),
    path(
        "case-files/<int:case_file_id>/processes/<int:process_id>/close/",
        views.ProcessClose.as_view(),
        name="v1-process-close",
    ),
    path(
        "case-files/<int:case_file_id>/processes/<int:process_id>/reopen/",
        views.ProcessReopen.as_view(),
        name="v1-process-reopen",
    ),
    path(
        "case-files/<int:case_file_id>/file-notes/",
        views.CaseFileFileNotes.as_view(),
        name="v1-case-file-file-notes",
    ),
    path(
        "documents/<int:document_id>/follow-ups/",
        views.DocumentFollowUps.as_view(),
        name="v1-document-follow-ups",
    ),
    path(
        "file-notes/<int:document_id>/corrections/",
        views.FileNoteCorrect.as_view(),
        name="v1-file-note-correct",
    ),
    path(
        "follow-ups/<int:follow_up_id>/move/",
        views.FollowUpMove.as_view(),
        name="v1-follow-up-move",
    ),
    path(
        "follow-ups/<int:follow_up_id>/close/",
        views.FollowUpClose.as_view(),
        name="v1-follow-up-close",
    ),
    path("search/", views.Search.as_view(), name="v1-search"),
    path("documents/", views.DocumentUpload.as_view(), name="v1-documents"),
    path("documents/<int:document_id>/", views.DocumentDetail.as_view(), name="v1-document"),
    path(
        "documents/<int:document_id>/versions/",
        views.DocumentVersions.as_view(),
        name="v1-document-versions",
    ),
    path(
        "documents/<int:document_id>/versions/<int:number>/",
        views.VersionDetail.as_view(),
        name="v1-version",
    ),
    path(
        "documents/<int:document_id>/versions/<int:number>/original/",
        views.VersionOriginal.as_view(),
        name="v1-version-original",
    ),
    path(
        "documents/<int:document_id>/versions/<int:number>/pdf/",
        views.VersionPdf.as_view(),
        name="v1-version-pdf",
    ),
    path("holds/", views.HoldList.as_view(), name="v1-holds"),
    path("jobs/<str:job_id>/", views.JobDetail.as_view(), name="v1-job"),
]
