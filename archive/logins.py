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


# The ways in other than the local password, named in the login event.
METHODS = {"web.directory.DirectoryBackend": "directory", "web.oidc.OIDCBackend": "oidc"}


def _method(user) -> dict:
    method = METHODS.get(getattr(user, "backend", "") or "")
    return {"method": method} if method else {}


def login_succeeded(sender, *, request, user, **_) -> None:
    event_append(action="login", object_type="session", object_id=user.pk,
                 actor=Actor(user=user, channel=_channel(request)),
                 data={**_client(request), **_method(user)})


def login_failed(sender, *, credentials, request=None, **_) -> None:
    # Only the name; Django hands over the credentials with the password masked, and even
    # the mask stays out of the trail.
    # The OIDC login has no user name in its credentials, only the one the provider named.
    attempted = str((credentials or {}).get("username")
                    or getattr(request, "login_attempted_username", "") or "")[:150]
    # Why the directory or OIDC login refused a person the directory or the provider vouched
    # for (no mapped group, a local account, a deactivated account).
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
