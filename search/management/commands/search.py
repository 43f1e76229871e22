import json
from datetime import date

from django.core.management.base import CommandError

from archive.commands import RegistraturCommand, user_by_name
from search.backend import SORTS, STATES, Filters
from search.indexing import index_check, index_rebuild
from search.services import documents_search

ADMIN_ACTIONS = {"rebuild", "check"}


def _date(value: str) -> date:
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise CommandError(f"not a date (YYYY-MM-DD): {value!r}") from None


class Command(RegistraturCommand):
    help = ("Search exactly as a user would: `search QUERY --user NAME [--json]` with optional "
            "filters. Without --user: `search rebuild` rebuilds the index from the database, "
            "`search check [--repair]` reports (and repairs) missing and stale entries.")

    def add_arguments(self, parser):
        parser.add_argument("query", nargs="*")
        parser.add_argument("--user", help="search with this user's permissions")
        parser.add_argument("--json", action="store_true")
        parser.add_argument("--limit", type=int, default=20)
        parser.add_argument("--offset", type=int, default=0)
        parser.add_argument("--sort", choices=SORTS, default="relevance")
        parser.add_argument("--type", action="append", default=[], help="document type")
        parser.add_argument("--sender", action="append", default=[])
        parser.add_argument("--unit", action="append", type=int, default=[], help="unit id")
        parser.add_argument("--case-file", action="append", type=int, default=[],
                            help="case file id: search within this case file")
        parser.add_argument("--state", action="append", default=[], choices=STATES,
                            help="open or closed case files, or the inbox")
        parser.add_argument("--letter-from", type=_date)
        parser.add_argument("--letter-to", type=_date)
        parser.add_argument("--received-from", type=_date)
        parser.add_argument("--received-to", type=_date)
        parser.add_argument("--year", action="append", type=int, default=[],
                            help="year received (local time)")
        parser.add_argument("--facets", action="store_true", help="include facet counts")
        parser.add_argument("--like", type=int, help="documents like this document id")
        parser.add_argument("--repair", action="store_true", help="with `check`: repair")

    def handle(self, *args, **options):
        query = " ".join(options["query"])
        if not options["user"]:
            if query == "rebuild":
                return self._rebuild()
            if query == "check":
                return self._check(options["repair"], options["json"])
            raise CommandError("--user is required: a search runs with a user's permissions")
        user = user_by_name(options["user"])
        filters = Filters(
            document_types=tuple(options["type"]), senders=tuple(options["sender"]),
            unit_ids=tuple(options["unit"]), case_file_ids=tuple(options["case_file"]),
            states=tuple(options["state"]), years=tuple(options["year"]),
            letter_date_from=options["letter_from"], letter_date_to=options["letter_to"],
            received_from=options["received_from"], received_to=options["received_to"])
        page = documents_search(user=user, query=query, filters=filters,
                                sort=options["sort"], limit=options["limit"],
                                offset=options["offset"], facets=options["facets"],
                                more_like=options["like"])
        results = [
            {"document": hit.document_id, "title": hit.title,
             "file_reference": hit.file_reference, "snippet": hit.snippet}
            for hit in page.hits
        ]
        if options["json"]:
            payload = {"count": page.count, "count_exact": page.count_exact,
                       "count_text": page.count_text, "results": results}
            if options["facets"]:
                payload["facets"] = {name: [{"value": b.value, "label": b.label,
                                             "count": b.count} for b in buckets]
                                     for name, buckets in page.facets.items()}
            self.stdout.write(json.dumps(payload, ensure_ascii=False))
            return
        self.stdout.write(f"{page.count_text} Treffer")
        for result in results:
            where = result["file_reference"] or "Posteingang"
            self.stdout.write(f"  [{result['document']}] {result['title']} ({where})")
            self.stdout.write(f"    {result['snippet']}")
        for name, buckets in page.facets.items():
            self.stdout.write(f"{name}: " + ", ".join(f"{b.label} ({b.count})" for b in buckets))

    def _rebuild(self):
        def progress(done, total):
            self.stderr.write(f"\r  indexed {done}/{total}", ending="")

        count = index_rebuild(progress=progress)
        self.stderr.write("")
        self.stdout.write(f"Rebuilt the index: {count} documents.")

    def _check(self, repair: bool, as_json: bool):
        report = index_check(repair=repair)
        if as_json:
            self.stdout.write(json.dumps({
                "checked": report.checked, "missing": report.missing, "stale": report.stale,
                "orphaned": report.orphaned, "repaired": report.repaired}))
        else:
            self.stdout.write(
                f"Checked {report.checked} documents: {len(report.missing)} missing, "
                f"{len(report.stale)} stale, {len(report.orphaned)} orphaned entries."
                + (" Repaired." if report.repaired else ""))
            for label, ids in (("missing", report.missing), ("stale", report.stale),
                               ("orphaned", report.orphaned)):
                if ids:
                    self.stdout.write(f"  {label}: {', '.join(map(str, ids[:50]))}")
        if not report.ok and not report.repaired:
            raise CommandError("The search index is not in step with the database; "
                               "run `registratur search check --repair`.")
