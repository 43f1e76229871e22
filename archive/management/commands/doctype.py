import json

from archive.commands import RegistraturCommand
from archive.errors import InvalidInput
from archive.services.doctypes import document_type_add, document_type_list


def _as_dict(document_type) -> dict:
    return {"key": document_type.key, "name": document_type.name,
            "process_name": document_type.process_name, "rule": document_type.rule,
            "rule_is_regex": document_type.rule_is_regex, "priority": document_type.priority,
            "active": document_type.active}


class Command(RegistraturCommand):
    help = "Document types: list, add (as an administrator, --user)."

    def add_arguments(self, parser):
        parser.add_argument("action", choices=["list", "add"])
        parser.add_argument("key", nargs="?")
        parser.add_argument("name", nargs="?")
        parser.add_argument("--process", default="", help="default process name")
        parser.add_argument("--rule", default="",
                            help="comma-separated words, or with --regex a regular expression")
        parser.add_argument("--regex", action="store_true", help="the rule is a regex")
        parser.add_argument("--priority", type=int, default=0,
                            help="wins over types of lower priority when the rules tie")
        parser.add_argument("--inactive", action="store_true")
        parser.add_argument("--json", action="store_true")
        parser.add_argument("--user", default="admin")

    def handle(self, *args, **o):
        actor = self.actor(o["user"])
        if o["action"] == "list":
            types = document_type_list(actor=actor)
            if o["json"]:
                self.stdout.write(json.dumps([_as_dict(t) for t in types], ensure_ascii=False))
            else:
                for t in types:
                    state = "" if t.active else "  (deaktiviert)"
                    self.stdout.write(f"{t.key:<22} {t.name}{state}")
            return
        if not o["key"] or not o["name"]:
            raise InvalidInput('KEY und Name sind nötig: doctype add KEY "Name"',
                               code="ARGUMENTS_MISSING")
        added = document_type_add(
            actor=actor, key=o["key"], name=o["name"], process_name=o["process"],
            rule=o["rule"], rule_is_regex=o["regex"], priority=o["priority"],
            active=not o["inactive"])
        self.stdout.write(json.dumps(_as_dict(added), ensure_ascii=False))
