"""Logins and logouts are events of the trail: who got in, when and through which channel, and
every failed attempt with the user name it tried (never the password). Connected to Django's
authentication signals in ArchiveConfig.ready."""
from .actors import Actor
from .services.events import event_append


def _channel(request) -> str:
    path = getattr(request, "path", "") or ""
    return "api" if path.startswith("/api/") else "web"


def _client(request) -> dict:
    meta = getattr(request, "META", {}) or {}
    return {"remote_addr": meta.get("REMOTE_ADDR", "")} if meta.get("REMOTE_ADDR") else {}


def login_succeeded(sender, *, request, user, **_) -> None:
    event_append(action="login", object_type="session", object_id=user.pk,
                 actor=Actor(user=user, channel=_channel(request)), data=_client(request))


def login_failed(sender, *, credentials, request=None, **_) -> None:
    # Only the name; Django hands over the credentials with the password masked, and even
    # the mask stays out of the trail.
    attempted = str((credentials or {}).get("username", ""))[:150]
    # Why the directory login refused a right password (no mapped group, a local account).
    refusal = getattr(request, "directory_refusal", None)
    reason = {"code": refusal.code} if refusal is not None else {}
    event_append(action="login_failed", object_type="session", object_id=attempted or "-",
                 actor=Actor(user=None, channel=_channel(request), name="anonymous"),
                 data={"attempted_username": attempted, **_client(request), **reason})


def logged_out(sender, *, request, user, **_) -> None:
    if user is None:  # a logout without a session
        return
    event_append(action="logout", object_type="session", object_id=user.pk,
                 actor=Actor(user=user, channel=_channel(request)), data=_client(request))
