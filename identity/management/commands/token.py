"""`registratur token create|list|revoke`: service accounts' API tokens."""
import json
from datetime import datetime, time

from django.utils import timezone

from archive.commands import RegistraturCommand
from archive.errors import InvalidInput
from identity.tokens import token_create, token_list, token_revoke


def _list(value):
    return [item.strip() for item in value.split(",") if item.strip()] if value else []


def _expiry(value: str):
    """A date (valid through that local day) or an ISO time; none: no expiry."""
    if not value:
        return None
    try:
        moment = datetime.fromisoformat(value)
    except ValueError:
        raise InvalidInput("--expires: ein Datum (JJJJ-MM-TT) oder ein ISO-Zeitpunkt.",
                           code="TOKEN_EXPIRY_INVALID") from None
    if len(value) == 10:
        moment = datetime.combine(moment.date(), time.max)
    return timezone.make_aware(moment) if timezone.is_naive(moment) else moment


def _row(token) -> dict:
    return {"id": token.pk, "name": token.name, "user": token.user.username,
            "units": sorted(unit.code for unit in token.units.all()),
            "actions": list(token.actions), "prefix": token.prefix,
            "created_at": token.created_at.isoformat(),
            "expires_at": token.expires_at.isoformat() if token.expires_at else None,
            "revoked_at": token.revoked_at.isoformat() if token.revoked_at else None,
            "last_used_at": token.last_used_at.isoformat() if token.last_used_at else None}


class Command(RegistraturCommand):
    help = ("API tokens of service accounts: `token create NAME --account USER --units A,B "
            "--actions search,read,ingest [--expires 2027-12-31]` (prints the token once), "
            "`token list`, `token revoke NAME`. --json for machine-readable output.")

    def add_arguments(self, parser):
        parser.add_argument("action", choices=["create", "list", "revoke"])
        parser.add_argument("name", nargs="?")
        parser.add_argument("--account", help="the service account's user name")
        parser.add_argument("--units", help="unit codes, comma-separated")
        parser.add_argument("--actions", help="search, read, ingest, correct, dispose")
        parser.add_argument("--expires", default="")
        parser.add_argument("--json", action="store_true")
        parser.add_argument("--user", dest="by", default="",
                            help="the administrator acting (default: the OS account alone)")

    def handle(self, *args, **o):
        actor = self.actor(o["by"], required=False)
        if o["action"] == "list":
            rows = [_row(token) for token in token_list(actor=actor)]
            if o["json"]:
                self.stdout.write(json.dumps(rows, ensure_ascii=False))
                return
            for row in rows:
                state = "revoked" if row["revoked_at"] else f"expires={row['expires_at'] or '-'}"
                self.stdout.write(f"{row['name']:<24} {row['user']:<20} "
                                  f"{','.join(row['units']) or '-':<8} "
                                  f"{','.join(row['actions']):<24} {state}")
            return
        if not o["name"]:
            raise InvalidInput("Bitte den Namen des Tokens angeben.", code="TOKEN_NAME_INVALID")
        if o["action"] == "revoke":
            token = token_revoke(actor=actor, name=o["name"])
            self.stdout.write(json.dumps(_row(token), ensure_ascii=False) if o["json"]
                              else f"{token.name} revoked.")
            return
        token, raw = token_create(actor=actor, name=o["name"], username=o["account"] or "",
                                  units=_list(o["units"]), actions=_list(o["actions"]),
                                  expires_at=_expiry(o["expires"]))
        if o["json"]:
            self.stdout.write(json.dumps({**_row(token), "token": raw}, ensure_ascii=False))
        else:
            self.stdout.write(f"{raw}\n(shown once: store it in the client's configuration)")
