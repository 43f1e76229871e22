import re
from datetime import date, datetime

from django import template
from django.utils import timezone
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


@register.filter
def own_history(events) -> list:
    """`{% for entry in events|own_history %}`: an object's own history (when, who, what, why),
    without naming the object in every row, so nothing but the people is looked up."""
    return trail_entries(events, objects=False)


@register.simple_tag
def document_history(document, limit: int = 100) -> list:
    """`{% document_history document as history %}`: the document's own trail entries, newest
    first, as people read them. Shown on the page of a document the user may read (like the
    case file's history on its page); presenting them reads no content and logs nothing."""
    return trail_entries(events_for_object("document", document.pk).order_by("-seq")[:limit],
                         objects=False)


ISO_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
ISO_MOMENT = re.compile(r"^\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}")


@register.filter
def german_moment(value) -> str:
    """A date or moment, also as ISO text (residual records, JSON), in local time and German
    form: "31.12.2026" or "31.12.2026 23:30"; anything else unchanged. Lists and mappings
    (a residual's approval) are shown item by item."""
    if isinstance(value, dict):
        return "; ".join(f"{labels.residual_label(key)}: {german_moment(item)}"
                         for key, item in value.items() if item not in (None, ""))
    if isinstance(value, (list, tuple)):
        return ", ".join(german_moment(item) for item in value)
    if isinstance(value, str) and ISO_MOMENT.match(value):
        try:
            value = datetime.fromisoformat(value)
        except ValueError:
            return value
    elif isinstance(value, str) and ISO_DATE.match(value):
        try:
            value = date.fromisoformat(value)
        except ValueError:
            return value
    if isinstance(value, datetime):
        if timezone.is_aware(value):
            value = timezone.localtime(value)
        return f"{value:%d.%m.%Y %H:%M}"
    if isinstance(value, date):
        return f"{value:%d.%m.%Y}"
    return "–" if value in (None, "") else str(value)


@register.filter
def residual_label(field: str) -> str:
    return labels.residual_label(field)
