"""Cursor pagination for every list of API v1: stable under inserts (a new document does not
shift the next page), opaque cursors, `limit` up to 100. The page is cut first and then handed
to the access function, which checks it again and logs exactly what is shown."""

from rest_framework.pagination import CursorPagination


class Cursor(CursorPagination):
    ordering = "-id"  # newest first; ids never repeat, so the cursor is exact
    page_size = 20
    page_size_query_param = "limit"
    max_page_size = 100


class CursorAscending(Cursor):
    ordering = "id"
