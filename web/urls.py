from django.contrib.auth import views as auth_views
from django.urls import path

from .views import casefiles, dataprotection, documents, fileplan, home, intake, mailroom, search

app_name = "web"
urlpatterns = [
    path("", home.home, name="home"),
    path("anmelden/", auth_views.LoginView.as_view(template_name="web/login.html"), name="login"),
    path("abmelden/", auth_views.LogoutView.as_view(), name="logout"),
    path("suche/", search.search_page, name="search"),
    path("dokumente/<int:document_id>/", documents.document_page, name="document"),
    path("dokumente/<int:document_id>/pdf", documents.document_rendition, name="rendition"),
    path("dokumente/<int:document_id>/original", documents.document_original, name="original"),
    path("dokumente/<int:document_id>/verschieben", documents.document_move_action,
         name="document_move"),
    path("dokumente/<int:document_id>/angaben", documents.document_edit_action,
         name="document_edit"),
    path("akten/", casefiles.case_file_list, name="case_files"),
    path("akten/neu/", casefiles.case_file_new, name="case_file_new"),
    path("akten/<int:case_file_id>/", casefiles.case_file_page, name="case_file"),
    path("akten/<int:case_file_id>/export.zip", casefiles.case_file_export_download,
         name="case_file_export"),
    path("akten/<int:case_file_id>/<slug:action>", casefiles.case_file_action,
         name="case_file_action"),
    path("notfallzugriff/", casefiles.break_glass_page, name="break_glass"),
    path("aktenplan/", fileplan.file_plan_page, name="file_plan"),
    path("aktenplan/neu", fileplan.file_plan_create, name="file_plan_create"),
    path("aktenplan/<int:plan_unit_id>/status", fileplan.file_plan_toggle,
         name="file_plan_toggle"),
    path("datenschutz/", dataprotection.overview, name="data_protection"),
    path("datenschutz/notfallzugriffe/<int:opening_id>/pruefen", dataprotection.review,
         name="break_glass_review"),
    path("datenschutz/bericht/", dataprotection.report, name="report"),
    path("posteingang/", mailroom.inbox_page, name="inbox"),
    path("quarantaene/", mailroom.quarantine_page, name="quarantine"),
    # Intake (issue 3): upload, printable sheets, review of recognised post.
    path("posteingang/hochladen/", intake.upload_page, name="intake_upload"),
    path("posteingang/pruefen/", intake.review_page, name="intake_review"),
    path("posteingang/pruefen/<int:document_id>/", intake.review_file, name="intake_review_file"),
    path("posteingang/trennblatt.pdf", intake.separator_sheet, name="separator_sheet"),
    path("akten/<int:case_file_id>/deckblatt.pdf", intake.cover_sheet, name="cover_sheet"),
]
