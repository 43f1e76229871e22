"""Who acts: the person (or the system), through which channel, and from which operating-system
account. Services take an Actor instead of a bare user so that they can decide themselves who
may do what, and so that every event records the procedure by which it came about (§ 79
Abs. 4 SGB X asks for it): the web, the API, the command line (with the OS account beside the
user it acts as), the scheduler, the ingest pipeline or the system itself."""
import getpass
import os
import uuid
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass, field
from functools import cached_property

from .permissions import user_principals

CHANNELS = frozenset({"web", "api", "cli", "scheduler", "system", "ingest"})
# Channels on which nobody in particular acts: internal runs that no request started.
SYSTEM_CHANNELS = frozenset({"scheduler", "system", "ingest"})


@dataclass(frozen=True)
class Actor:
    user: object = None  # the person acted for; None for the system or the CLI operator
    channel: str = "system"
    os_user: str = ""  # the operating-system account (command line)
    client: str = ""  # the API client, where one is named
    name: str = ""  # who, when there is no user ("scheduler", "demo", ...)
    # One run of one command: two halves of a four-eyes decision never share it.
    invocation: str = field(default="", compare=False)

    def __post_init__(self):
        if self.channel not in CHANNELS:
            raise ValueError(f"unknown channel {self.channel!r}")
        if self.user is None and not self.name:
            object.__setattr__(self, "name", self.channel)

    @cached_property
    def principals(self) -> frozenset[str]:
        return user_principals(self.user) if self.user is not None else frozenset()

    @property
    def label(self) -> str:
        """What the event's actor field says: the user name, or the system's name."""
        return self.user.username if self.user is not None else self.name

    @property
    def is_system(self) -> bool:
        """An internal run (scheduler, pipeline, setup) that nobody started by a request."""
        return self.user is None and self.channel in SYSTEM_CHANNELS

    @property
    def is_operator(self) -> bool:
        """The command line without --user: whoever holds the machine's shell, recorded by
        their OS account. Only what already needs that access (staff, import) allows it."""
        return self.user is None and self.channel == "cli"

    def trail(self) -> dict:
        """The procedure, as recorded in every event (inside the hashed data, key "via")."""
        via = {"channel": self.channel}
        for key in ("os_user", "client", "invocation"):
            if getattr(self, key):
                via[key] = getattr(self, key)
        return via


def os_account() -> str:
    try:
        return getpass.getuser()
    except (KeyError, OSError):
        try:
            return os.getlogin()
        except OSError:
            return f"uid:{os.getuid()}"


def actor_for_user(user, channel: str = "web", **extra) -> Actor:
    return Actor(user=user, channel=channel, **extra)


def actor_for_request(request, channel: str = "web") -> Actor:
    user = request.user if getattr(request.user, "is_authenticated", False) else None
    client = ""
    if channel == "api":
        # A token or session names the caller; a client may say which program it is.
        # A service token is named by the administration; otherwise the client's own word.
        client = (getattr(getattr(request, "auth", None), "client_name", "")
                  or request.headers.get("X-Registratur-Client", "")[:100])
    return Actor(user=user, channel=channel, client=client,
                 name="" if user else "anonymous")


def actor_for_cli(user=None, *, os_user: str | None = None, invocation: str = "") -> Actor:
    """The command line acts as `user` (a User, or None for the operator) and always records
    the operating-system account that ran it."""
    return Actor(user=user, channel="cli", os_user=os_user or os_account(),
                 invocation=invocation or uuid.uuid4().hex, name="" if user else "cli")


def system_actor(channel: str = "system", name: str = "") -> Actor:
    return Actor(user=None, channel=channel, name=name or channel)


# The channel of code that still hands event_append a plain name (reads through selectors,
# the pipeline's bookkeeping): set once where a request, command or task begins.
_current: ContextVar[dict | None] = ContextVar("registratur_channel", default=None)


@contextmanager
def channel_context(actor: Actor):
    token = _current.set(actor.trail())
    try:
        yield
    finally:
        _current.reset(token)


def channel_set(actor: Actor) -> None:
    """Name the caller for the rest of the request, once it is known (an API token is checked
    inside the view, after the middleware opened the request's channel_context, which resets
    it at the end)."""
    _current.set(actor.trail())


def current_trail() -> dict:
    return dict(_current.get() or {"channel": "system"})
