import json

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError

from archive.errors import RegistraturError
from search.indexing import index_rebuild
from search.services import documents_search

ADMIN_ACTIONS = {"rebuild"}


class Command(BaseCommand):
    help = ("Search exactly as a user would: `search QUERY --user NAME [--json]`. "
            "Without --user: `search rebuild` rebuilds the index from the database.")

    def add_arguments(self, parser):
        parser.add_argument("query", nargs="+")
        parser.add_argument("--user", help="search with this user's permissions")
        parser.add_argument("--json", action="store_true")
        parser.add_argument("--limit", type=int, default=20)
        parser.add_argument("--offset", type=int, default=0)

    def handle(self, *args, **options):
        query = " ".join(options["query"])
        if not options["user"]:
            if query in ADMIN_ACTIONS:
                return self._rebuild()
            raise CommandError("--user is required: a search runs with a user's permissions")
        try:
            user = get_user_model().objects.get(username=options["user"], is_active=True)
        except get_user_model().DoesNotExist:
            raise CommandError(f"No active user {options['user']!r}") from None
        try:
            page = documents_search(user=user, query=query, limit=options["limit"],
                                    offset=options["offset"])
        except RegistraturError as error:
            raise CommandError(f"{error.code}: {error.message}") from None
        results = [
            {"document": hit.document_id, "title": hit.title,
             "file_reference": hit.file_reference, "snippet": hit.snippet}
            for hit in page.hits
        ]
        if options["json"]:
            self.stdout.write(json.dumps({"count": page.count, "results": results},
                                         ensure_ascii=False))
            return
        self.stdout.write(f"{page.count} Treffer")
        for result in results:
            where = result["file_reference"] or "Posteingang"
            self.stdout.write(f"  [{result['document']}] {result['title']} ({where})")
            self.stdout.write(f"    {result['snippet']}")

    def _rebuild(self):
        def progress(done, total):
            self.stderr.write(f"\r  indexed {done}/{total}", ending="")

        count = index_rebuild(progress=progress)
        self.stderr.write("")
        self.stdout.write(f"Rebuilt the index: {count} documents.")
