import json

from archive.commands import RegistraturCommand
from webhooks.models import EVENTS, Subscription
from webhooks.selectors import deliveries_listed, subscriptions_listed
from webhooks.services import delivery_resend, subscription_create, subscription_deactivate


class Command(RegistraturCommand):
    help = ("Outgoing webhooks: `add NAME URL --event E --unit CODE` (prints the signing key "
            "once), `list`, `deactivate NAME`, `deliveries`, `resend ID`. Events: "
            + ", ".join(EVENTS) + ".")

    def add_arguments(self, parser):
        parser.add_argument("action", choices=["add", "list", "deactivate", "deliveries",
                                               "resend"])
        parser.add_argument("values", nargs="*", metavar="NAME URL | NAME | ID")
        parser.add_argument("--event", action="append", default=[])
        parser.add_argument("--unit", action="append", default=[])
        parser.add_argument("--user", default="")
        parser.add_argument("--json", action="store_true")

    def handle(self, *args, **o):
        action, rest = o["action"], o["values"]
        if action == "add":
            name, url = (rest + ["", ""])[:2]
            subscription, secret = subscription_create(
                actor=self.actor(o["user"], required=False), name=name, url=url, events=o["event"],
                unit_codes=o["unit"])
            self.stdout.write(json.dumps({"id": subscription.pk, "secret": secret})
                              if o["json"] else f"Webhook {subscription.name} angelegt. "
                              f"Signaturschlüssel (wird nur jetzt gezeigt): {secret}")
        elif action == "deactivate":
            subscription = Subscription.objects.filter(name=(rest or [""])[0]).first()
            subscription_deactivate(actor=self.actor(o["user"], required=False),
                                    subscription_id=subscription.pk if subscription else 0)
            self.stdout.write("Deaktiviert.")
        elif action == "resend":
            delivery = delivery_resend(actor=self.actor(o["user"], required=False),
                                       delivery_id=int((rest or ["0"])[0]))
            self.stdout.write(f"Zustellung {delivery.pk} wird erneut gesendet.")
        elif action == "list":
            rows = [{"name": s.name, "url": s.url, "events": s.events, "active": s.active,
                     "units": sorted(u.code for u in s.units.all()), "waiting": s.waiting,
                     "dead": s.dead} for s in subscriptions_listed()]
            self._rows(rows, o["json"])
        else:
            rows = [{"id": d.pk, "subscription": d.subscription.name, "event": d.event,
                     "state": d.state, "attempts": d.attempts, "last_status": d.last_status,
                     "last_error": d.last_error} for d in deliveries_listed()]
            self._rows(rows, o["json"])

    def _rows(self, rows, as_json):
        if as_json:
            self.stdout.write(json.dumps(rows, ensure_ascii=False))
            return
        for row in rows:
            self.stdout.write("  ".join(str(value) for value in row.values()))
