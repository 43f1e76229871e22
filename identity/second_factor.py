"""The second factor of local accounts: a TOTP device (django-otp) per person, set up by the
person and confirmed with a first code; required for the roles in OTP_REQUIRED_ROLES. An
administrator can reset another person's device (a lost phone); every step is an event."""
from django.conf import settings
from django.contrib.auth import get_user_model
from django.db import transaction
from django_otp.plugins.otp_totp.models import TOTPDevice

from archive.actors import Actor
from archive.errors import InvalidInput, NotFound
from archive.guards import require_admin_or_operator, require_person
from archive.permissions import user_role
from archive.services.events import event_append

DEVICE_NAME = "TOTP"


def second_factor_required(user) -> bool:
    return user_role(user) in set(settings.OTP_REQUIRED_ROLES)


def confirmed_device(user) -> TOTPDevice | None:
    return TOTPDevice.objects.filter(user=user, confirmed=True).first()


def totp_setup_device(*, actor: Actor) -> TOTPDevice:
    """The person's device awaiting confirmation, made once and shown until confirmed."""
    user = require_person(actor)
    device = TOTPDevice.objects.filter(user=user, confirmed=False).first()
    return device or TOTPDevice.objects.create(user=user, name=DEVICE_NAME, confirmed=False)


def totp_confirm(*, actor: Actor, code: str) -> TOTPDevice:
    user = require_person(actor)
    with transaction.atomic():
        device = TOTPDevice.objects.filter(user=user, confirmed=False).first()
        if device is None or not device.verify_token((code or "").strip()):
            raise InvalidInput("Der Code stimmt nicht. Bitte den aktuellen Code der App "
                               "eingeben.", code="OTP_CODE_INVALID")
        TOTPDevice.objects.filter(user=user).exclude(pk=device.pk).delete()
        device.confirmed = True
        device.save(update_fields=["confirmed"])
        event_append(action="second_factor_set_up", object_type="staff", object_id=user.pk,
                     actor=actor, data={"username": user.username})
    return device


def totp_verify(*, actor: Actor, code: str) -> TOTPDevice:
    """The code of the signing-in person's confirmed device; django-otp slows repeated
    failures down (each one doubles the wait)."""
    user = require_person(actor)
    device = confirmed_device(user)
    if device is None or not device.verify_token((code or "").strip()):
        event_append(action="second_factor_failed", object_type="session", object_id=user.pk,
                     actor=actor, data={"username": user.username})
        raise InvalidInput("Der Code stimmt nicht oder kam zu schnell nach einem falschen. "
                           "Bitte den aktuellen Code der App eingeben.",
                           code="OTP_CODE_INVALID")
    event_append(action="second_factor_verified", object_type="session", object_id=user.pk,
                 actor=actor, data={"username": user.username})
    return device


def second_factor_reset(*, actor: Actor, user_id: int) -> None:
    """Remove a person's devices; one whose role requires a second factor must set up a new
    one at the next sign-in."""
    require_admin_or_operator(actor, "Den zweiten Faktor setzt die Administration zurück.")
    user = get_user_model().objects.filter(pk=user_id).first()
    if user is None:
        raise NotFound()
    with transaction.atomic():
        removed, _ = TOTPDevice.objects.filter(user=user).delete()
        event_append(action="second_factor_reset", object_type="staff", object_id=user.pk,
                     actor=actor, data={"username": user.username, "devices_removed": removed})
