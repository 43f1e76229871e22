"""Sorting and paging of a list page from its query string (`sortierung`, `seite`).

A list page names the columns it can be sorted by; the query string picks one (a leading
"-" sorts descending) and a page. Anything else in the query string (filters) is kept in the
links this helper builds, so that sorting keeps the filter and paging keeps both. Paging is
Django's Paginator over a queryset: one COUNT and one slice, however long the list is."""
from dataclasses import dataclass, field
from urllib.parse import urlencode

from django.conf import settings
from django.core.paginator import Page, Paginator

from .params import whole_number

SORT_PARAM = "sortierung"
PAGE_PARAM = "seite"
DEFAULT_PAGE_SIZE = 50


def page_size() -> int:
    return max(1, int(getattr(settings, "WEB_LIST_PAGE_SIZE", DEFAULT_PAGE_SIZE)))


@dataclass(frozen=True)
class Column:
    """A sortable column: its key in the query string, its label and the ordering it means
    (ascending; descending reverses every field)."""

    key: str
    label: str
    order_by: tuple[str, ...]


def _reverse(field_name: str) -> str:
    return field_name[1:] if field_name.startswith("-") else f"-{field_name}"


@dataclass
class Listing:
    page: Page
    sort: str  # e.g. "eingang" or "-eingang"
    columns: dict[str, Column]
    query: dict = field(default_factory=dict)  # the other parameters (filters), kept in links

    @property
    def sort_key(self) -> str:
        return self.sort.lstrip("-")

    @property
    def descending(self) -> bool:
        return self.sort.startswith("-")

    def url(self, **changes) -> str:
        """The query string of this list with some parameters changed (None drops one)."""
        params = {**self.query, SORT_PARAM: self.sort,
                  PAGE_PARAM: self.page.number if self.page.number > 1 else None, **changes}
        return "?" + urlencode({key: value for key, value in params.items()
                                if value not in (None, "")}, doseq=True)

    @property
    def headers(self) -> list[dict]:
        """Per column: its label, the link that sorts by it (the current column flips its
        direction; paging starts again) and aria-sort for the one sorted by."""
        result = []
        for key, column in self.columns.items():
            current = key == self.sort_key
            target = f"-{key}" if current and not self.descending else key
            result.append({
                "key": key, "label": column.label, "current": current,
                "url": self.url(**{SORT_PARAM: target, PAGE_PARAM: None}),
                "aria_sort": ("descending" if self.descending else "ascending") if current
                else None,
            })
        return result

    def page_url(self, number: int) -> str:
        return self.url(**{PAGE_PARAM: number if number > 1 else None})

    @property
    def previous_url(self) -> str | None:
        return self.page_url(self.page.previous_page_number()) if self.page.has_previous() \
            else None

    @property
    def next_url(self) -> str | None:
        return self.page_url(self.page.next_page_number()) if self.page.has_next() else None


def order_for(sort: str, columns: dict[str, Column]) -> list[str]:
    column = columns[sort.lstrip("-")]
    fields = list(column.order_by)
    if sort.startswith("-"):
        fields = [_reverse(name) for name in fields]
    return [*fields, "-pk" if sort.startswith("-") else "pk"]  # a stable order across pages


def listing(request, queryset, *, columns: list[Column], default_sort: str,
            keep: tuple[str, ...] = (), per_page: int | None = None) -> Listing:
    """Sort and page `queryset` by the request. An unknown sort key falls back to the
    default, a page number out of range to the nearest page; neither is an error a user
    could do anything about. `keep` names the filter parameters kept in every link."""
    by_key = {column.key: column for column in columns}
    sort = request.GET.get(SORT_PARAM, "") or default_sort
    if sort.lstrip("-") not in by_key:
        sort = default_sort
    paginator = Paginator(queryset.order_by(*order_for(sort, by_key)),
                          per_page or page_size())
    number = whole_number(request.GET.get(PAGE_PARAM)) or 1
    page = paginator.get_page(number)
    query = {name: request.GET.get(name) for name in keep if request.GET.get(name)}
    return Listing(page=page, sort=sort, columns=by_key, query=query)


def _sort_value(item, path: str):
    value = item
    for part in path.split("__"):
        value = getattr(value, part, None)
    # None sorts first in ascending order, whatever the type of the others.
    return (value is not None, value if value is not None else 0)


def listing_rows(request, rows: list, *, columns: list[Column], default_sort: str,
                 keep: tuple[str, ...] = (), per_page: int | None = None) -> Listing:
    """Like `listing`, for rows computed in Python rather than queried (the due list, which
    asks the holds and recomputes ends): the same query string, the same links. `order_by`
    names attributes, with "__" to follow one to the next."""
    by_key = {column.key: column for column in columns}
    sort = request.GET.get(SORT_PARAM, "") or default_sort
    if sort.lstrip("-") not in by_key:
        sort = default_sort
    fields = by_key[sort.lstrip("-")].order_by
    ordered = sorted(rows, key=lambda row: tuple(_sort_value(row, name) for name in fields),
                     reverse=sort.startswith("-"))
    paginator = Paginator(ordered, per_page or page_size())
    page = paginator.get_page(whole_number(request.GET.get(PAGE_PARAM)) or 1)
    query = {name: request.GET.get(name) for name in keep if request.GET.get(name)}
    return Listing(page=page, sort=sort, columns=by_key, query=query)
