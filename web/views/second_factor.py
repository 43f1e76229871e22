"""The second factor's pages: entering the code after the password, and setting up a TOTP app
(QR code and secret, confirmed with a first code). The administration's reset is in
admin_identity.py."""
import base64

import segno
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST
from django_otp import login as otp_login

from archive.actors import actor_for_request
from archive.errors import InvalidInput
from identity.second_factor import (
    confirmed_device,
    second_factor_required,
    totp_confirm,
    totp_setup_device,
    totp_verify,
)


def _next(request) -> str:
    target = request.POST.get("next") or request.GET.get("next") or ""
    if url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()},
                                       require_https=request.is_secure()):
        return target
    return reverse("web:home")


@login_required
@require_GET
def otp_verify(request):
    if confirmed_device(request.user) is None:
        return redirect("web:otp_setup")
    return render(request, "web/otp_verify.html", {"next": _next(request)})


@login_required
@require_POST
def otp_verify_check(request):
    try:
        device = totp_verify(actor=actor_for_request(request), code=request.POST.get("code", ""))
    except InvalidInput as refused:
        return render(request, "web/otp_verify.html",
                      {"next": _next(request), "error": f"{refused.message} ({refused.code})"},
                      status=400)
    otp_login(request, device)
    return redirect(_next(request))


def _may_set_up(request) -> bool:
    """A new device replaces the old one only after the old one's code was given: otherwise
    the password alone would be enough to swap the second factor."""
    return confirmed_device(request.user) is None or request.user.is_verified()


def _setup_page(request, error: str = "", status: int = 200):
    device = totp_setup_device(actor=actor_for_request(request))
    secret = base64.b32encode(device.bin_key).decode()
    qr = segno.make(device.config_url, error="m")
    return render(request, "web/otp_setup.html", {
        "secret": " ".join(secret[i:i + 4] for i in range(0, len(secret), 4)),
        "qr": qr.svg_data_uri(scale=5, border=2), "error": error, "next": _next(request),
        "required": second_factor_required(request.user),
        "has_device": confirmed_device(request.user) is not None,
    }, status=status)


@login_required
@require_GET
def otp_setup(request):
    if not _may_set_up(request):
        return redirect("web:otp_verify")
    return _setup_page(request)


@login_required
@require_POST
def otp_confirm(request):
    if not _may_set_up(request):
        return redirect("web:otp_verify")
    try:
        device = totp_confirm(actor=actor_for_request(request), code=request.POST.get("code", ""))
    except InvalidInput as refused:
        return _setup_page(request, error=f"{refused.message} ({refused.code})", status=400)
    otp_login(request, device)
    messages.success(request, _("Der zweite Faktor ist eingerichtet."))
    return redirect(_next(request))
