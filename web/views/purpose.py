"""Asking for the purpose of a read outside one's own unit (archive.errors.PurposeRequired):
the page answers with a small form that sends the same request again with the purpose
(`zweck`), which the access function records in the read's event. Nothing of the file is
shown before; the reader may read it, so the question is no oracle."""
from functools import wraps

from django.shortcuts import render

from archive.errors import PurposeRequired
from archive.services.access import MIN_PURPOSE_CHARS


def asks_purpose(view):
    @wraps(view)
    def wrapped(request, *args, **kwargs):
        try:
            return view(request, *args, **kwargs)
        except PurposeRequired as question:
            kept = [(name, value) for name in request.GET if name != "zweck"
                    for value in request.GET.getlist(name)]
            return render(request, "web/purpose.html", {
                "message": question.message, "kept": kept, "action": request.path,
                "given": request.GET.get("zweck", ""), "min_chars": MIN_PURPOSE_CHARS})
    return wrapped
