import sys

from archive.checkpoints import checkpoint_write
from archive.commands import RegistraturCommand
from archive.errors import IntegrityFailure, InvalidInput
from archive.services.dbroles import app_role_restrict
from archive.services.events import events_verify
from archive.services.fixity import fixity_check


class Command(RegistraturCommand):
    help = ("Audit trail tools: `verify` checks the hash chain against the signed checkpoints; "
            "`checkpoint` signs the current chain head; `fixity` re-hashes every stored object; "
            "`restrict-role ROLE` makes the event log append-only for a PostgreSQL role.")

    def add_arguments(self, parser):
        parser.add_argument("action", choices=["verify", "checkpoint", "fixity", "restrict-role"])
        parser.add_argument("role", nargs="?")

    def handle(self, *args, **options):
        action = options["action"]
        if action == "checkpoint":
            checkpoint = checkpoint_write()
            self.stdout.write(f"Checkpoint at entry {checkpoint.seq}." if checkpoint
                              else "The log is empty; nothing to sign.")
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
            self.stdout.write(f"OK: {result.checked} entries, chain intact.")
            return
        where = f"#{result.first_bad_seq}" if result.first_bad_seq else "checkpoints"
        self.stderr.write(f"TAMPERED: first bad entry is {where}: {result.reason}")
        sys.exit(IntegrityFailure.exit_code)
