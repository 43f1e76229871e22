from django import template
from django.utils.html import escape
from django.utils.safestring import mark_safe

register = template.Library()


@register.filter
def highlight(snippet: str) -> str:
    """Escape first, then turn the search service's [[...]] marks into <mark>."""
    escaped = escape(snippet)
    return mark_safe(escaped.replace("[[", "<mark>").replace("]]", "</mark>"))
