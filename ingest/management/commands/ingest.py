import json
import sys
import time
from pathlib import Path

from celery import current_app
from django.core.management.base import CommandError

from archive.commands import RegistraturCommand
from ingest.confirmed import confirmed_delivery
from ingest.heartbeat import worker_alive
from ingest.jobs import job_receive, step_listeners
from ingest.models import IngestJob, JobState
from ingest.reporting import job_outcomes

EXIT_SOME_REFUSED = 3


def _expand(paths: list[str]) -> list[Path]:
    files: list[Path] = []
    for raw in paths:
        path = Path(raw)
        if path.is_dir():
            files += sorted(p for p in path.rglob("*")
                            if p.is_file() and not p.name.startswith("."))
        elif path.is_file():
            files.append(path)
        else:
            raise CommandError(f"No such file or folder: {raw}")
    return files


class Command(RegistraturCommand):
    help = "Ingest files and folders; with --wait, report each outcome (--json: one line each)."

    def add_arguments(self, parser):
        parser.add_argument("paths", nargs="+")
        parser.add_argument("--wait", action="store_true", help="wait for every outcome")
        parser.add_argument("--json", action="store_true", help="one JSON object per line")
        parser.add_argument("--user", default="", help="who submits (recorded in the log)")
        parser.add_argument("--timeout", type=float, default=3600.0)
        parser.add_argument("--password", default="", help="password of an encrypted PDF")
        parser.add_argument("--device", default="", help="scan provenance: scanner")
        parser.add_argument("--profile", default="", help="scan provenance: scan profile")
        parser.add_argument("--pages-declared", type=int, default=None,
                            help="pages the operator counted; a mismatch flags the batch")
        parser.add_argument("--document-type", default="",
                            help="file as confirmed: the document type's key (with "
                                 "--file-reference); becomes training data")
        parser.add_argument("--file-reference", default="",
                            help="file as confirmed: into this case file (with "
                                 "--document-type)")

    def handle(self, *args, **options):
        # Progress goes to stderr in both modes: with --json, stdout carries only JSON lines.
        self._shown: set = set()
        if options["wait"] and not worker_alive():
            # Nobody would pick the jobs up: run them here, one after another (OCR still
            # runs in a child process).
            current_app.conf.task_always_eager = True
            from ingest import tasks  # noqa: F401 - registers the task the job store names
            self.stderr.write("No worker is running; processing in this process.")
            step_listeners.append(self._progress)
        try:
            self._handle(options)
        finally:
            if self._progress in step_listeners:
                step_listeners.remove(self._progress)

    def _progress(self, job, step: str, name: str = "") -> None:
        if step and (job.pk, step) not in self._shown:
            self._shown.add((job.pk, step))
            self.stderr.write(f"{name or job.original_name}: {step}")

    def _handle(self, options):
        jobs: dict = {}
        confirmed = {}
        if options["document_type"] or options["file_reference"]:
            # checked before anything is received: a typo must not become an inbox document
            confirmed = confirmed_delivery(document_type=options["document_type"],
                                           file_reference=options["file_reference"],
                                           username=options["user"])
        for path in _expand(options["paths"]):
            scan = {key: options[key] for key in ("device", "profile") if options[key]}
            if options["pages_declared"] is not None:
                scan["pages_declared"] = options["pages_declared"]
            if options["user"]:
                scan["operator"] = options["user"]
            job = job_receive(path=path, original_name=path.name, source="cli",
                              submitted_by=options["user"], password=options["password"],
                              provenance={**({"scan": scan} if scan else {}), **confirmed})
            jobs[job.pk] = str(path)
            self.stderr.write(f"received {path} as job {job.pk}")
        if not options["wait"]:
            for job_id, path in jobs.items():
                self._emit(options, {"file": path, "status": "queued", "job": str(job_id)})
            return
        outcomes = self._wait(jobs, options)
        if any(o["status"] in ("refused", "failed") for o in outcomes):
            sys.exit(EXIT_SOME_REFUSED)

    def _wait(self, jobs: dict, options) -> list[dict]:
        pending = dict(jobs)
        outcomes = []
        deadline = time.monotonic() + options["timeout"]
        while pending:
            for job in IngestJob.objects.filter(pk__in=list(pending)):
                # Per-step progress for the operator, also of steps done between two polls.
                for step in [*job.steps_done, job.step]:
                    self._progress(job, step, pending[job.pk])
                if job.is_terminal:
                    file = pending.pop(job.pk)
                    # Parts of a split batch and a mail's attachments are reported each.
                    for child in job.children.all():
                        pending[child.pk] = f"{file}#{child.original_name}"
                    if job.state == JobState.SPLIT:
                        continue
                    for outcome in job_outcomes(job, file=file):
                        outcomes.append(outcome)
                        self._emit(options, outcome)
            if pending:
                if time.monotonic() > deadline:
                    raise CommandError(f"timed out waiting for {len(pending)} job(s)")
                time.sleep(0.5)
        return outcomes

    def _emit(self, options, outcome: dict) -> None:
        if options["json"]:
            self.stdout.write(json.dumps(outcome, ensure_ascii=False))
        else:
            where = outcome.get("file_reference") or outcome.get("code") or ""
            self.stdout.write(f"{outcome['status']:<10} {outcome['file']}  {where}")
