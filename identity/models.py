"""A service account's API token: only its hash is kept; the token itself is shown once."""
from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from archive.models import Unit

# What a token may be scoped to; each API view names the one it needs (web/api/tokens.py).
# "manage": create, close and reopen case files and their processes (API v1).
TOKEN_ACTIONS = ("search", "read", "ingest", "correct", "manage", "dispose")


class ApiToken(models.Model):
    name = models.CharField(_("Name"), max_length=100, unique=True)
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT,
                             related_name="api_tokens", verbose_name=_("Dienstkonto"))
    # The first characters of the token find the row; the SHA-256 of the whole proves it.
    prefix = models.CharField(max_length=12, unique=True)
    key_hash = models.CharField(max_length=64)
    units = models.ManyToManyField(Unit, blank=True, related_name="+",
                                   verbose_name=_("Organisationseinheiten"))
    actions = models.JSONField(default=list)
    created_at = models.DateTimeField(auto_now_add=True)
    created_by = models.CharField(max_length=150, blank=True)
    expires_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)
    last_used_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["name"]

    def __str__(self):
        return self.name

    @property
    def client_name(self) -> str:
        """How the trail names the API client (archive.actors.actor_for_request)."""
        return self.name
