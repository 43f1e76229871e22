from django.contrib.auth import views as auth_views
from django.urls import path

from .views import documents, home, mailroom, search

app_name = "web"
urlpatterns = [
    path("", home.home, name="home"),
    path("anmelden/", auth_views.LoginView.as_view(template_name="web/login.html"), name="login"),
    path("abmelden/", auth_views.LogoutView.as_view(), name="logout"),
    path("suche/", search.search_page, name="search"),
    path("dokumente/<int:document_id>/", documents.document_page, name="document"),
    path("dokumente/<int:document_id>/pdf", documents.document_rendition, name="rendition"),
    path("dokumente/<int:document_id>/original", documents.document_original, name="original"),
    path("posteingang/", mailroom.inbox_page, name="inbox"),
    path("quarantaene/", mailroom.quarantine_page, name="quarantine"),
]
