"""A login lockout (django-axes) is an event of the trail, not only a row in axes' tables:
who was tried, from where, and for how long further attempts are refused."""
from django.conf import settings

from archive.actors import Actor
from archive.services.events import event_append


def lockout_recorded(sender, *, request=None, username=None, ip_address=None, **_) -> None:
    path = getattr(request, "path", "") or ""
    attempted = str(username or "")[:150]
    cooloff = settings.AXES_COOLOFF_TIME
    event_append(action="login_locked", object_type="session", object_id=attempted or "-",
                 actor=Actor(user=None, channel="api" if path.startswith("/api/") else "web",
                             name="anonymous"),
                 data={"attempted_username": attempted, "remote_addr": ip_address or "",
                       "cooloff_minutes": cooloff.total_seconds() / 60 if cooloff else None})
