from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.shortcuts import render

from archive.errors import InvalidInput
from search.services import documents_search

PAGE_SIZE = 20


@login_required
def search_page(request):
    query = request.GET.get("q", "").strip()
    raw_page = request.GET.get("seite", "1")
    page_number = max(1, int(raw_page)) if raw_page.isdigit() else 1
    page, error = None, None
    if query:
        try:
            page = documents_search(user=request.user, query=query, limit=PAGE_SIZE,
                                    offset=(page_number - 1) * PAGE_SIZE)
        except InvalidInput as exc:
            error = exc.message
    pages = Paginator(range(page.count), PAGE_SIZE).get_page(page_number) if page else None
    return render(request, "web/search.html",
                  {"query": query, "page": page, "error": error, "pages": pages})
