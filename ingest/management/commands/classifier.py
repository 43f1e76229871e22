import json

from archive.commands import RegistraturCommand
from ingest.classification.service import classifier_status, classifier_train


class Command(RegistraturCommand):
    help = ("The learned classifier: `train` learns from the post people filed or confirmed "
            "and prints the version and cross-validated figures; `status` shows what is in use "
            "and how many examples each type still needs.")

    def add_arguments(self, parser):
        parser.add_argument("action", choices=["train", "status"])
        parser.add_argument("--json", action="store_true", help="machine-readable output")
        parser.add_argument("--kind", default="logreg", choices=["logreg", "svc"],
                            help="the linear model (logreg was measured best, see "
                                 "docs/performance.md)")

    def handle(self, *args, **options):
        if options["action"] == "train":
            result = classifier_train(kind=options["kind"])
        else:
            result = classifier_status()
        if options["json"]:
            self.stdout.write(json.dumps(result, indent=1, ensure_ascii=False))
            return
        for key, value in result.items():
            if key == "needed":
                value = ", ".join(f"{k} {v['have']}/{v['need']}" for k, v in value.items())
            self.stdout.write(f"{key}: {value}")
