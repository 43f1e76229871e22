from django import template
from django.utils.html import escape
from django.utils.safestring import mark_safe

from archive import labels
from archive.selectors import events_for_object
from archive.services.trail import trail_entries

register = template.Library()


@register.filter
def highlight(snippet: str) -> str:
    """Escape first, then turn the search service's [[...]] marks into <mark>."""
    escaped = escape(snippet)
    return mark_safe(escaped.replace("[[", "<mark>").replace("]]", "</mark>"))


@register.filter
def event_label(action: str) -> str:
    """`{{ event.action|event_label }}`: "angesehen" rather than "viewed"."""
    return labels.event_label(action)


@register.filter
def error_label(code: str) -> str:
    """`{{ job.code|error_label }}`: "zu viele Seiten" rather than "TOO_MANY_PAGES"."""
    return labels.error_label(code) if code else ""


@register.filter
def object_type_label(object_type: str) -> str:
    return labels.object_type_label(object_type)


@register.filter
def channel_label(channel: str) -> str:
    return labels.channel_label(channel)


@register.filter
def trail(events) -> list:
    """`{% for entry in history|trail %}`: entries of the trail with local times, German
    labels and objects by name (archive.services.trail). One lookup per kind of object."""
    return trail_entries(events)


@register.simple_tag
def document_history(document, limit: int = 100) -> list:
    """`{% document_history document as history %}`: the document's own trail entries, newest
    first, as people read them. Shown on the page of a document the user may read (like the
    case file's history on its page); presenting them reads no content and logs nothing."""
    return trail_entries(events_for_object("document", document.pk).order_by("-seq")[:limit])
