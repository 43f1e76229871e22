import sys

from archive.checkpoints import checkpoint_write, public_key_pem
from archive.commands import RegistraturCommand
from archive.errors import IntegrityFailure, InvalidInput
from archive.services.dbroles import app_role_restrict
from archive.services.events import events_verify
from archive.services.fixity import fixity_check
from archive.services.log_retention import trail_segments_remove


class Command(RegistraturCommand):
    help = ("Audit trail tools: `verify` checks the hash chain against the signed checkpoints; "
            "`checkpoint` signs the current chain head; `prune [--dry-run]` removes the "
            "trail's entries past their kind's retention period, in whole segments; "
            "`key --public` prints the public key to keep elsewhere and pin with "
            "REGISTRATUR_AUDIT_PUBLIC_KEY_FILE; `fixity` "
            "re-hashes every stored object; `restrict-role ROLE` makes the event log "
            "append-only for a PostgreSQL role.")

    def add_arguments(self, parser):
        parser.add_argument("action", choices=["verify", "checkpoint", "key", "fixity",
                                               "restrict-role", "prune"])
        parser.add_argument("role", nargs="?")
        parser.add_argument("--public", action="store_true",
                            help="with `key`: print the public key (PEM)")
        parser.add_argument("--dry-run", action="store_true",
                            help="with `prune`: only say what would be removed")
        parser.add_argument("--user", default="",
                            help="with `prune`: the data-protection officer acting "
                                 "(default: the operator)")

    def handle(self, *args, **options):
        action = options["action"]
        if action == "checkpoint":
            checkpoint = checkpoint_write()
            self.stdout.write(f"Checkpoint {checkpoint.number} at entry {checkpoint.seq}."
                              if checkpoint else "Nothing new to sign.")
        elif action == "key":
            if not options["public"]:
                raise InvalidInput("Nur `key --public`: der private Schlüssel bleibt in seiner "
                                   "Datei.", code="PRIVATE_KEY_NOT_SHOWN")
            self.stdout.write(public_key_pem(), ending="")
        elif action == "fixity":
            findings = fixity_check(actor=self.actor(required=False))
            for finding in findings:
                self.stderr.write(f"FIXITY {finding.problem}: {finding.sha256}")
            if findings:
                sys.exit(IntegrityFailure.exit_code)
            self.stdout.write("OK: every stored object matches its hash.")
        elif action == "prune":
            self._prune(options)
        elif action == "restrict-role":
            if not options["role"]:
                raise InvalidInput("restrict-role braucht den Namen der Rolle.",
                                   code="ROLE_REQUIRED")
            app_role_restrict(options["role"])
            self.stdout.write(f"{options['role']} may now only read and append the log.")
        else:
            self._verify()

    def _prune(self, options):
        removal = trail_segments_remove(
            actor=self.actor(options["user"], required=False), dry_run=options["dry_run"])
        kinds = ", ".join(f"{kind} {count}" for kind, count in sorted(removal.kinds.items()))
        verb = "would remove" if removal.dry_run else "removed"
        self.stdout.write(f"{verb} {removal.count} entries in {len(removal.segments)} "
                          f"segments{f' ({kinds})' if kinds else ''}.")

    def _verify(self):
        result = events_verify()
        if result.ok:
            stamped = (f" {result.timestamped} checkpoints carry a valid RFC 3161 timestamp."
                       if result.timestamped else "")
            self.stdout.write(f"OK: {result.checked} entries, chain intact.{stamped}")
            return
        where = (f"first bad entry is #{result.first_bad_seq}" if result.first_bad_seq
                 else "the checkpoints do not match")
        self.stderr.write(f"TAMPERED: {where}: {result.reason}")
        sys.exit(IntegrityFailure.exit_code)
