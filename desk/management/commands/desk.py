import json

from archive.commands import RegistraturCommand

from ...services.reading import desk_read


class Command(RegistraturCommand):
    help = "The desk (Mein Arbeitsplatz) as that user sees it: `desk --user NAME [--json]`."

    def add_arguments(self, parser):
        parser.add_argument("--user", required=True)
        parser.add_argument("--json", action="store_true")

    def handle(self, *args, **options):
        desk = desk_read(actor=self.actor(options["user"]), visit=False)
        sections = [{"kind": section.kind, "shared": shared, "count": section.count,
                     "items": [{"key": item.entry.key, "title": item.entry.title,
                                "url": item.url, "detail": item.entry.detail,
                                "case_file": item.entry.case_file_id,
                                "document": item.entry.document_id,
                                "due": item.entry.due.isoformat() if item.entry.due else None,
                                "overdue": item.entry.overdue,
                                "deputising_for": item.deputising_for or None}
                               for item in section.items]}
                    for shared, group in ((False, desk.own), (True, desk.unit))
                    for section in group]
        if options["json"]:
            self.stdout.write(json.dumps({"count": desk.total, "sections": sections},
                                         ensure_ascii=False))
            return
        for section in sections:
            if section["count"]:
                where = " (Sachgebiet)" if section["shared"] else ""
                self.stdout.write(f"{section['kind']}{where}: {section['count']}")
                for item in section["items"]:
                    self.stdout.write(f"  {item['title']}  {item['url']}")
