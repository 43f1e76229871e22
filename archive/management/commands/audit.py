import sys

from archive.checkpoints import checkpoint_write, public_key_pem
from archive.commands import RegistraturCommand
from archive.errors import IntegrityFailure, InvalidInput
from archive.services.dbroles import app_role_restrict
from archive.services.events import events_verify
from archive.services.fixity import fixity_check


class Command(RegistraturCommand):
    help = ("Audit trail tools: `verify` checks the hash chain against the signed checkpoints; "
            "`checkpoint` signs the current chain head; `key --public` prints the public key "
            "to keep elsewhere and pin with REGISTRATUR_AUDIT_PUBLIC_KEY_FILE; `fixity` "
            "re-hashes every stored object; `restrict-role ROLE` makes the event log "
            "append-only for a PostgreSQL role.")

    def add_arguments(self, parser):
        parser.add_argument("action", choices=["verify", "checkpoint", "key", "fixity",
                                               "restrict-role"])
        parser.add_argument("role", nargs="?")
        parser.add_argument("--public", action="store_true",
                            help="with `key`: print the public key (PEM)")

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
        elif action == "restrict-role":
            if not options["role"]:
                raise InvalidInput("restrict-role braucht den Namen der Rolle.",
                                   code="ROLE_REQUIRED")
            app_role_restrict(options["role"])
            self.stdout.write(f"{options['role']} may now only read and append the log.")
        else:
            self._verify()

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
