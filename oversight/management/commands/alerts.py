import json

from django.utils import timezone

from archive.commands import RegistraturCommand
from oversight.pseudonyms import pseudonym
from oversight.rules import rules_current
from oversight.services import alert_rule_set, alerts_for_officer, alerts_scan


class Command(RegistraturCommand):
    help = (
        "Misuse alerts for the data-protection officer: `scan` runs every active rule "
        "now (as the scheduler, or --user OFFICER); `list --user OFFICER [--state open] "
        "[--json]` lists the alerts with the reader as a pseudonym; `rules --user OFFICER` "
        "shows the rules' settings; `rule KEY --user OFFICER [--threshold N] "
        "[--window-hours H] [--on|--off] [--param NAME=VALUE]` changes one."
    )

    def add_arguments(self, parser):
        parser.add_argument("action", choices=["scan", "list", "rules", "rule"])
        parser.add_argument("key", nargs="?")
        parser.add_argument("--user", default="")
        parser.add_argument("--state", default="")
        parser.add_argument("--json", action="store_true")
        parser.add_argument("--threshold", type=int)
        parser.add_argument("--window-hours", type=int)
        parser.add_argument("--on", action="store_const", const=True, dest="active")
        parser.add_argument("--off", action="store_const", const=False, dest="active")
        parser.add_argument("--param", action="append", default=[])

    def handle(self, *args, **o):
        action = o["action"]
        if action == "scan":
            raised = alerts_scan(actor=self.actor(o["user"], required=False))
            self.stdout.write(f"{len(raised)} new alert(s).")
        elif action == "list":
            actor = self.actor(o["user"])
            for alert in alerts_for_officer(actor=actor, state=o["state"])[:500]:
                record = {
                    "id": alert.pk,
                    "rule": alert.rule,
                    "reader": pseudonym(alert.username),
                    "state": alert.state,
                    "entries": len(alert.seqs),
                    "first": timezone.localtime(alert.first_at).isoformat(),
                    "last": timezone.localtime(alert.last_at).isoformat(),
                }
                if o["json"]:
                    self.stdout.write(json.dumps(record, ensure_ascii=False))
                else:
                    self.stdout.write(
                        f"#{record['id']:<5} {record['state']:<10} "
                        f"{record['reader']}  {alert.get_rule_display()} "
                        f"({record['entries']} Einträge, bis "
                        f"{timezone.localtime(alert.last_at):%d.%m.%Y %H:%M})"
                    )
        elif action == "rules":
            alerts_for_officer(actor=self.actor(o["user"]))  # the officer's alone
            for rule in rules_current():
                self.stdout.write(json.dumps(rule.__dict__, ensure_ascii=False))
        else:
            params = dict(item.split("=", 1) for item in o["param"] if "=" in item)
            params = {name: _number(value) for name, value in params.items()}
            rule = alert_rule_set(
                actor=self.actor(o["user"]),
                key=o["key"] or "",
                threshold=o["threshold"],
                window_hours=o["window_hours"],
                active=o["active"],
                params=params,
            )
            self.stdout.write(
                f"{rule.key}: threshold {rule.threshold}, window "
                f"{rule.window_hours} h, {'on' if rule.active else 'off'}, "
                f"{json.dumps(rule.params, ensure_ascii=False)}"
            )


def _number(value: str):
    try:
        return float(value) if "." in value else int(value)
    except ValueError:
        return value
