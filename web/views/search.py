from urllib.parse import urlencode

from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_GET, require_POST

from archive.actors import actor_for_request
from archive.errors import InvalidInput
from archive.services.doctypes import document_type_choices, document_type_names
from search.backend import Filters
from search.saved import (
    saved_search_create,
    saved_search_delete,
    saved_search_of_or_404,
    saved_searches_of,
)
from search.services import documents_search, search_refused

from ..search_params import PAGE_NAMES, page_number, saved_parameters, search_params
from .actions import run_action

PAGE_SIZE = 20
SORT_LABELS = {"relevance": _("Relevanz"), "newest": _("Eingang, neueste zuerst"),
               "oldest": _("Eingang, älteste zuerst"), "letter_date": _("Datum des Schreibens"),
               "title": _("Titel (A–Z)")}
STATE_LABELS = {"": _("alle"), "open": _("laufende Akten"), "closed": _("zdA verfügte Akten"),
                "inbox": _("Posteingang")}
FACET_LABELS = {"document_type": (_("Dokumenttyp"), PAGE_NAMES["document_type"]),
                "unit": (_("Sachgebiet"), PAGE_NAMES["unit"]),
                "case_file": (_("Akte"), PAGE_NAMES["case_file"]),
                "sender": (_("Absender"), PAGE_NAMES["sender"]),
                "year": (_("Jahr des Eingangs"), PAGE_NAMES["year"])}
# Filters set by a facet link (no control of their own in the form) travel as hidden fields.
HIDDEN_FILTERS = (PAGE_NAMES["case_file"], PAGE_NAMES["unit"], PAGE_NAMES["year"])


def _facet_links(request, facets) -> list[dict]:
    """Each facet bucket as a link that adds its filter to the current search."""
    groups = []
    for name, buckets in facets.items():
        label, parameter = FACET_LABELS[name]
        links = []
        for bucket in buckets[:10]:
            params = request.GET.copy()
            params.pop("seite", None)
            chosen = bucket.value in params.getlist(parameter)
            if not chosen:
                params.appendlist(parameter, bucket.value)
            links.append({"label": bucket.label, "count": bucket.count, "chosen": chosen,
                          "url": "?" + params.urlencode()})
        groups.append({"label": label, "buckets": links})
    return groups


@login_required
@require_GET
def search_page(request):
    page, error, params, number = None, None, None, 1
    try:
        try:
            params = search_params(request.GET)
            number = max(1, page_number(request.GET, "seite", 1))
        except InvalidInput as refused:
            search_refused(user=request.user, query=request.GET.get("q", ""), refused=refused)
            raise
        if params.query or params.more_like or params.filters != Filters():
            page = documents_search(user=request.user, query=params.query,
                                    filters=params.filters, sort=params.sort, limit=PAGE_SIZE,
                                    offset=(number - 1) * PAGE_SIZE, facets=True,
                                    more_like=params.more_like, thumbnails=True)
    except InvalidInput as exc:
        error = exc.message
    pages = Paginator(range(page.count), PAGE_SIZE).get_page(number) if page else None
    paging = request.GET.copy()
    paging.pop("seite", None)
    return render(request, "web/search.html", {
        "query": request.GET.get("q", "").strip(), "page": page, "error": error,
        "pages": pages, "params": params, "get": request.GET, "paging": paging.urlencode(),
        "sorts": SORT_LABELS.items(), "states": STATE_LABELS.items(),
        "facets": _facet_links(request, page.facets) if page else [],
        "thumbnails": page.thumbnails if page else set(),
        "filtered": any(request.GET.getlist(p) for p in PAGE_NAMES.values() if p != "q"),
        "hidden_filters": [(name, value) for name in HIDDEN_FILTERS
                           for value in request.GET.getlist(name) if value.strip()],
        "saved_searches": [{"saved": saved, "url": _search_url(saved.parameters)}
                           for saved in saved_searches_of(request.user)],
        # What "save this search" keeps: the current search, if it is one that ran.
        "save_parameters": [(name, value) for name, values in _savable(request).items()
                            for value in values] if page else [],
        **_type_filter(request),
    })


def _search_url(parameters: dict) -> str:
    return reverse("web:search") + "?" + urlencode(parameters, doseq=True)


def _savable(request) -> dict:
    try:
        return saved_parameters(request.GET)
    except InvalidInput:
        return {}


@login_required
@require_POST
def saved_search_save(request):
    """Keep the current search (its parameters, sent along as hidden fields) under a name."""
    refused = None
    try:
        parameters = saved_parameters(request.POST)
    except InvalidInput as error:
        parameters, refused = {}, error

    def save():
        if refused is not None:
            raise refused
        saved_search_create(name=request.POST.get("name", ""), parameters=parameters,
                            actor=actor_for_request(request))

    # Back to the search itself, which keeps running after a refusal, too.
    back = _search_url(parameters) if parameters else reverse("web:search")
    return run_action(request, save, success=gettext("Die Suche wurde gespeichert."),
                      back=back)


@login_required
@require_GET
def saved_search_run(request, saved_search_id: int):
    """Run a saved search: its parameters, searched anew with today's rights."""
    saved = saved_search_of_or_404(request.user, saved_search_id)
    return redirect(_search_url(saved.parameters))


@login_required
@require_POST
def saved_search_remove(request, saved_search_id: int):
    return run_action(
        request, lambda: saved_search_delete(saved_search_id=saved_search_id,
                                             actor=actor_for_request(request)),
        success=gettext("Die gespeicherte Suche wurde gelöscht."), back=reverse("web:search"))


def _type_filter(request) -> dict:
    """The type filter as a choice of German names; a chosen value that is no active type's
    key (a retired type, a link from elsewhere) stays chosen."""
    choices = document_type_choices()
    chosen = request.GET.get(PAGE_NAMES["document_type"], "").strip()
    if chosen and chosen not in {key for key, _name in choices}:
        choices = [*choices, (chosen, document_type_names().get(chosen, chosen))]
    return {"type_choices": choices, "chosen_type": chosen}
