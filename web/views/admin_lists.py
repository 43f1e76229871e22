"""Sorting by a column and paging, for the administration's lists. The sort key and the page
come from the query string (`sortierung`, `seite`); anything unknown falls back to the
default, so a hand-edited address never fails."""
from dataclasses import dataclass
from urllib.parse import urlencode

from django.core.paginator import Paginator

from ..params import whole_number

PAGE_SIZE = 25


@dataclass(frozen=True)
class Column:
    label: str
    key: str = ""  # empty: not sortable
    order: tuple[str, ...] = ()  # the fields to order by; defaults to (key,)


@dataclass(frozen=True)
class Header:
    label: str
    url: str
    aria_sort: str  # "ascending" / "descending" on the sorted column, else ""


def sorted_page(request, queryset, columns: list[Column], default: str,
                page_size: int = PAGE_SIZE) -> dict:
    """The context a list template needs: `page` (a Django Page), `headers` and the links to
    the neighbouring pages, which keep the sort order."""
    sortable = {column.key: column for column in columns if column.key}
    wanted = request.GET.get("sortierung", "") or default
    descending = wanted.startswith("-")
    key = wanted.lstrip("-")
    if key not in sortable:
        key, descending = default.lstrip("-"), default.startswith("-")
    fields = sortable[key].order or (key,)
    # The primary key last, so that pages never overlap or skip a row.
    ordering = [f"-{field}" if descending else field for field in fields] + ["pk"]
    paginator = Paginator(queryset.order_by(*ordering), page_size)
    page = paginator.get_page(whole_number(request.GET.get("seite")) or 1)
    current = f"-{key}" if descending else key

    def link(sort: str, number: int | None = None) -> str:
        query = {"sortierung": sort}
        if number and number > 1:
            query["seite"] = number
        return f"?{urlencode(query)}"

    headers = []
    for column in columns:
        if not column.key:
            headers.append(Header(column.label, "", ""))
            continue
        is_current = column.key == key
        toggled = column.key if not (is_current and not descending) else f"-{column.key}"
        state = ("descending" if descending else "ascending") if is_current else ""
        headers.append(Header(column.label, link(toggled), state))
    return {
        "page": page,
        "headers": headers,
        "previous_url": link(current, page.previous_page_number())
        if page.has_previous() else "",
        "next_url": link(current, page.next_page_number()) if page.has_next() else "",
    }
