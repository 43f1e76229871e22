"""The optional e-mail digest: counts per section and a link, nothing else. No name, title or
file reference goes out by mail. Sent through Django's mail backend (SMTP in production); a
server that fails or cannot be reached is logged and tried again at the next run, and never
stops the other recipients or the desk."""
import logging
import smtplib
from datetime import timedelta

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.mail import EmailMessage, get_connection
from django.core.validators import validate_email
from django.db import transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from archive.actors import Actor
from archive.errors import InvalidInput
from archive.guards import require_person
from archive.services.events import event_append

from ..models import DeskPreference
from ..selectors import SECTIONS, desk_collect

log = logging.getLogger(__name__)


def digest_set(*, actor: Actor, enabled: bool, email: str) -> DeskPreference:
    user = require_person(actor)
    email = (email or "").strip()
    if enabled:
        try:
            validate_email(email)
        except ValidationError:
            raise InvalidInput("Bitte eine gültige E-Mail-Adresse angeben.",
                               code="EMAIL_INVALID") from None
    with transaction.atomic():
        preference, _created = DeskPreference.objects.get_or_create(user=user)
        if (preference.digest_enabled, preference.digest_email) != (enabled, email):
            preference.digest_enabled, preference.digest_email = enabled, email
            preference.save(update_fields=["digest_enabled", "digest_email"])
            event_append(action="digest_changed", object_type="staff", object_id=user.pk,
                         actor=actor, data={"enabled": enabled})
    return preference


def digest_text(counts: dict[str, dict[str, int]]) -> str:
    """Only numbers and the desk's address."""
    lines = [_("Guten Tag,"), "", _("auf Ihrem Arbeitsplatz in der Registratur warten:"), ""]
    for kind, label in SECTIONS.items():
        own, unit = counts["own"].get(kind, 0), counts["unit"].get(kind, 0)
        if own or unit:
            lines.append(f"- {label}: {own}" + (
                _(" (Sachgebiet, ohne Bearbeitung: %(n)s)") % {"n": unit} if unit else ""))
    lines += ["", _("Zum Arbeitsplatz: %(url)s") % {
        "url": settings.SITE_URL.rstrip("/") + "/arbeitsplatz/"}, "",
        _("Diese Nachricht enthält bewusst keine Namen und keine Aktenzeichen.")]
    return "\n".join(lines)


def digests_send(*, now=None) -> dict[str, int]:
    """One run of the periodic task: every opted-in person whose last digest is older than
    DESK_DIGEST_HOURS and whose desk holds something gets one mail."""
    now = now or timezone.now()
    due_before = now - timedelta(hours=settings.DESK_DIGEST_HOURS)
    result = {"sent": 0, "failed": 0, "empty": 0}
    preferences = (DeskPreference.objects.filter(digest_enabled=True, user__is_active=True)
                   .exclude(digest_email="").select_related("user"))
    due = [p for p in preferences if p.digest_sent_at is None or p.digest_sent_at <= due_before]
    if not due:
        return result
    connection = get_connection(fail_silently=False, timeout=settings.EMAIL_TIMEOUT)
    try:
        _send_each(due, connection, now, result)
    finally:
        try:
            connection.close()
        except (OSError, smtplib.SMTPException):
            pass
    return result


def _send_each(due, connection, now, result) -> None:
    with translation.override(settings.LANGUAGE_CODE):
        for preference in due:
            counts = desk_collect(preference.user, timezone.localdate(now)).counts()
            if not any(n for section in counts.values() for n in section.values()):
                result["empty"] += 1
                continue
            message = EmailMessage(subject=_("Registratur: Ihr Arbeitsplatz"),
                                   body=digest_text(counts),
                                   from_email=settings.DEFAULT_FROM_EMAIL,
                                   to=[preference.digest_email], connection=connection)
            try:
                message.send()
            except (OSError, smtplib.SMTPException) as error:
                # Logged without the address; the next run tries again.
                log.warning("desk digest for user %s not sent: %s", preference.user_id,
                            type(error).__name__)
                result["failed"] += 1
                continue
            DeskPreference.objects.filter(pk=preference.pk).update(digest_sent_at=now)
            result["sent"] += 1
