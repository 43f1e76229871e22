"""Request and response rules that hold for every page and endpoint."""
from django.http import JsonResponse
from django.shortcuts import render
from django.utils.cache import patch_cache_control
from django.utils.translation import gettext as _

from .api.errors import PROBLEM_TYPE, problem_body


def _has_nul(request) -> bool:
    if "\x00" in request.path:
        return True
    try:
        params = [request.GET, request.POST]
    except Exception:  # an unreadable body is for the view (and its parser) to refuse
        params = [request.GET]
    for given in params:
        for key, values in given.lists():
            if "\x00" in key or any("\x00" in value for value in values):
                return True
    return False


class InputGuardMiddleware:
    """A NUL character is never part of a name, reason or query, and PostgreSQL refuses it
    in text and JSON: such a request is refused up front, with the same answer everywhere."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if _has_nul(request):
            code = "INPUT_CONTROL_CHARACTER"
            message = _("Die Eingabe enthält ein unzulässiges Steuerzeichen.")
            if request.path.startswith("/api/"):
                return JsonResponse(problem_body(code=code, status=400, detail=str(message)),
                                    status=400, content_type=PROBLEM_TYPE)
            return render(request, "web/error.html", {"code": code, "message": message},
                          status=400)
        return self.get_response(request)


class NoStoreMiddleware:
    """Pages, PDFs, originals, exports and API answers carry social data (§ 35 SGB I): no
    browser or proxy may keep a copy. Set once here for every response, so that no view can
    forget it."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        patch_cache_control(response, no_store=True)
        response["Pragma"] = "no-cache"  # HTTP/1.0 caches
        return response


class HeadMiddleware:
    """A HEAD answer has headers only. waitress sends whatever body the application returns
    (a FileResponse through its file wrapper), so the next response on a kept-alive
    connection would begin with the PDF's bytes. The headers, Content-Length included, stay
    as GET would send them."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        if request.method == "HEAD":
            if response.streaming:
                # Also drops FileResponse.file_to_stream; the file is still closed with the
                # response.
                response.streaming_content = []
            else:
                response.content = b""
        return response
