"""The one translation of domain errors for the command line. Every management command of
Registratur derives from `RegistraturCommand`: a refusal is printed as `CODE: message` on
stderr and the process exits with the error's own exit code (archive/errors.py), so scripts
can tell "not found" from "not permitted" from "invalid input" without parsing text."""
import sys
import uuid

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError

from .actors import Actor, actor_for_cli, channel_context
from .errors import InvalidInput, NotFound, RegistraturError


class RegistraturCommand(BaseCommand):
    """Also the command line's actor: every event written while a command runs records the
    channel "cli", the operating-system account and this run (see archive/actors.py)."""

    def execute(self, *args, **options):
        self.invocation = uuid.uuid4().hex
        try:
            with channel_context(actor_for_cli(None, invocation=self.invocation)):
                return super().execute(*args, **options)
        except RegistraturError as error:
            text = f"{error.code}: {error.message}"
            if getattr(self, "_called_from_command_line", False):
                self.stderr.write(text)
                sys.exit(error.exit_code)
            # call_command (tests, other commands): Django's own way, with the same code.
            raise CommandError(text, returncode=error.exit_code) from error


    def actor(self, username: str = "", *, required: bool = True) -> Actor:
        """The user this run acts as (--user), beside the OS account that runs it. Without a
        name (and not required) it is the machine's operator, which few services accept."""
        if not username and not required:
            return actor_for_cli(None, invocation=self.invocation)
        return actor_for_cli(user_by_name(username), invocation=self.invocation)


def user_by_name(name: str):
    """The active user a command acts as; unknown and inactive look alike."""
    if not name:
        raise InvalidInput("Bitte mit --user angeben, als wer gehandelt wird.",
                           code="USER_REQUIRED")
    user = get_user_model().objects.filter(username=name, is_active=True).first()
    if user is None:
        raise NotFound(f"Keine aktive Person {name!r}.", code="USER_UNKNOWN")
    return user
