"""Multi-host mode for real (issue 17.8), as the README describes it: PostgreSQL, Redis as the
broker, `registratur serve`, two `registratur worker` processes, `registratur beat` and
`registratur watch` as separate processes, each "host" with its own data directory, the blobs
and the checkpoints on directories they share, the signing key copied to every host.

Forty documents arrive at once, half through the hot folder, half through the API (a service
account's token); some are German scans that go through real OCR. One worker is killed with
SIGKILL while it runs a job. Then: the job it had is taken up again within 60 s (not after
its lease of the job's time limit), every document is filed exactly once, the index matches
the database (`search check`) and the trail verifies (`audit verify`) with checkpoints signed
on one host and verified on another.

Runs on the PostgreSQL pass only (REGISTRATUR_TEST_DATABASE_URL), with the Redis server on
127.0.0.1:6379 (`scripts/ensure-system-packages --test` installs it; `.ci/run` starts it)."""

import hashlib
import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.request
import uuid
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

from archive.models import Document, Version
from ingest.models import IngestJob, JobState
from tests.conftest import registratur_env, wait_for
from tests.fixtures.born_digital import born_digital_pdf
from tests.fixtures.letters import Letter, render_letter

REDIS = ("127.0.0.1", 6379)
# A Redis database of its own: other test runs on this machine use 0 and their own numbers.
REDIS_DB = 11
DOCUMENTS = 40
SCANS = 4  # of them real scans through OCR; the others born-digital (OCR skips their text)
TAKEOVER_SECONDS = 60


def _redis_up() -> bool:
    try:
        with socket.create_connection(REDIS, timeout=1) as sock:
            sock.sendall(b"PING\r\n")
            return sock.recv(16).startswith(b"+PONG")
    except OSError:
        return False


pytestmark = [
    pytest.mark.e2e,
    pytest.mark.skipif(
        not os.environ.get("REGISTRATUR_TEST_DATABASE_URL"),
        reason="multi-host needs PostgreSQL: runs on the PostgreSQL pass",
    ),
    pytest.mark.skipif(not _redis_up(), reason="no Redis server on 127.0.0.1:6379"),
]


def _redis_flush() -> None:
    import redis

    redis.Redis(host=REDIS[0], port=REDIS[1], db=REDIS_DB).flushdb()


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class Hosts:
    """Separate processes, each with the environment of the host it would run on."""

    def __init__(self, root: Path):
        self.root = root
        self.shared = root / "shared"
        self.port = _free_port()
        self.processes: dict[str, subprocess.Popen] = {}
        self.envs: dict[str, dict] = {}
        secret = uuid.uuid4().hex * 2
        key = root / "key-master" / "audit.pem"
        for host in ("web", "worker-1", "worker-2"):
            env = registratur_env()
            env.update(
                {
                    "REGISTRATUR_DATA_DIR": str(root / host / "data"),
                    "REGISTRATUR_BROKER_URL": f"redis://{REDIS[0]}:{REDIS[1]}/{REDIS_DB}",
                    "REGISTRATUR_SEARCH_BACKEND": "postgres",
                    "REGISTRATUR_SECRET_KEY": secret,
                    "REGISTRATUR_BLOB_DIR": str(self.shared / "blobs"),
                    "REGISTRATUR_CHECKPOINT_DIR": str(self.shared / "checkpoints"),
                    # Each host its own copy of the one signing key (see README, multi-host).
                    "REGISTRATUR_AUDIT_KEY_FILE": str(root / host / "keys" / "audit.pem"),
                    "REGISTRATUR_PORT": str(self.port),
                    "REGISTRATUR_OCR_JOBS": "1",
                    "OMP_THREAD_LIMIT": "1",
                    "REGISTRATUR_WATCH_SETTLE_SECONDS": "1",
                }
            )
            env.pop("REGISTRATUR_AUDIT_PUBLIC_KEY_FILE", None)
            self.envs[host] = env
        # The operator creates the key once and copies it to every host.
        created = self.run("web", "audit", "key", "--public", env_key=key)
        assert created.returncode == 0, created.stderr
        for host in self.envs:
            target = Path(self.envs[host]["REGISTRATUR_AUDIT_KEY_FILE"])
            target.parent.mkdir(parents=True, mode=0o700)
            shutil.copy2(key, target)
            shutil.copy2(key.with_suffix(".pub"), target.with_suffix(".pub"))

    def run(self, host: str, *args: str, env_key: Path | None = None, timeout: float = 300):
        env = dict(self.envs[host])
        if env_key is not None:
            env["REGISTRATUR_AUDIT_KEY_FILE"] = str(env_key)
        return subprocess.run(
            [sys.executable, "-m", "config.cli", *args],
            env=env,
            capture_output=True,
            text=True,
            timeout=timeout,
        )

    def start(self, name: str, host: str, *args: str) -> subprocess.Popen:
        log = open(self.root / f"{name}.log", "w")
        process = subprocess.Popen(
            [sys.executable, "-m", "config.cli", *args],
            env=self.envs[host],
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        self.processes[name] = process
        return process

    def log(self, name: str) -> str:
        return (self.root / f"{name}.log").read_text(errors="replace")[-4000:]

    def logs(self) -> str:
        return "\n".join(f"--- {name}\n{self.log(name)}" for name in self.processes)

    def stop(self) -> None:
        for process in self.processes.values():
            if process.poll() is None:
                try:
                    os.killpg(process.pid, signal.SIGTERM)
                except ProcessLookupError:
                    pass
        for process in self.processes.values():
            try:
                process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                os.killpg(process.pid, signal.SIGKILL)
                process.wait(timeout=10)


def _multipart(path: Path) -> tuple[bytes, str]:
    boundary = uuid.uuid4().hex
    body = (
        f'--{boundary}\r\nContent-Disposition: form-data; name="file"; '
        f'filename="{path.name}"\r\nContent-Type: application/pdf\r\n\r\n'
    ).encode()
    body += path.read_bytes() + f"\r\n--{boundary}--\r\n".encode()
    return body, f"multipart/form-data; boundary={boundary}"


def _upload(port: int, token: str, path: Path) -> int:
    body, content_type = _multipart(path)
    request = urllib.request.Request(
        f"http://127.0.0.1:{port}/api/ingest/",
        data=body,
        method="POST",
        headers={"Authorization": f"Bearer {token}", "Content-Type": content_type},
    )
    with urllib.request.urlopen(request, timeout=60) as response:
        return response.status


def _documents(folder: Path, references: list[str]) -> list[Path]:
    """Forty different letters, each quoting a case file's reference; the first few scanned."""
    folder.mkdir()
    files = []
    for number in range(DOCUMENTS):
        reference = references[number % len(references)]
        path = folder / f"post-{number:02d}.pdf"
        if number < SCANS:
            letter = Letter(
                file_reference=reference,
                subject=f"Widerspruch Nummer {number}",
                paragraphs=Letter().paragraphs[:2],
            )
            render_letter(path, letter, seed=number, noise=0.04)
        else:
            born_digital_pdf(
                path,
                [
                    "Stadtwerke Musterstadt",
                    "Postfach 1234",
                    f"Aktenzeichen: {reference}",
                    f"Betreff: Abschlagsrechnung Nummer {number}",
                    "Sehr geehrte Damen und Herren,",
                    f"die Abschlagszahlung betraegt {number + 17},00 Euro.",
                ],
            )
        files.append(path)
    return files


def _pid_parent(pid: int) -> int:
    try:
        with open(f"/proc/{pid}/stat") as handle:
            return int(handle.read().rsplit(")", 1)[1].split()[1])
    except (OSError, ValueError, IndexError):
        return 0


def _jobs_of(worker_pid: int):
    """Running jobs whose pool process is a child of this worker's main process."""
    running = IngestJob.objects.filter(state=JobState.RUNNING, parent__isnull=True)
    return [
        job
        for job in running
        if job.worker.rsplit(":", 1)[-1].isdigit()
        and _pid_parent(int(job.worker.rsplit(":", 1)[-1])) == worker_pid
    ]


@pytest.fixture
def hosts(tmp_path):
    _redis_flush()
    running = Hosts(tmp_path)
    yield running
    running.stop()
    _redis_flush()


def test_multi_host_survives_a_killed_worker(demo_tx, hosts, tmp_path):
    references = [demo_tx["A"].file_reference, demo_tx["B"].file_reference]
    files = _documents(tmp_path / "post", references)
    sha = {path.name: hashlib.sha256(path.read_bytes()).hexdigest() for path in files}
    token = hosts.run(
        "web",
        "token",
        "create",
        "fachverfahren-post",
        "--account",
        "poststelle",
        "--units",
        "A,B",
        "--actions",
        "ingest",
        "--json",
    )
    assert token.returncode == 0, token.stderr
    token = json.loads(token.stdout)["token"]

    hosts.start("serve", "web", "serve")
    hosts.start("beat", "web", "beat")
    hosts.start("watch", "web", "watch")
    # Two hosts would have two names; on this one machine they are told apart by hand.
    victim = hosts.start(
        "worker-1", "worker-1", "worker", "--concurrency", "1", "--hostname", "registratur-1@%h"
    )
    hosts.start(
        "worker-2", "worker-2", "worker", "--concurrency", "1", "--hostname", "registratur-2@%h"
    )
    wait_for(
        lambda: _redis_up() and hosts.run("web", "watch", "--check").returncode == 0,
        timeout=90,
        what="the watcher",
    )

    def served():
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{hosts.port}/healthz", timeout=5):
                return True
        except OSError:
            return False

    wait_for(served, timeout=90, what="the web server")

    # At once: half into the hot folder (written under a temporary name, then renamed, as a
    # scanner does), half through the API in parallel.
    consume = Path(hosts.envs["web"]["REGISTRATUR_DATA_DIR"]) / "consume"
    consume.mkdir(parents=True, exist_ok=True)
    by_folder, by_api = files[0::2], files[1::2]
    with ThreadPoolExecutor(max_workers=4) as pool:
        uploads = [pool.submit(_upload, hosts.port, token, path) for path in by_api]
        for path in by_folder:
            shutil.copy(path, consume / f".{path.name}.part")
            os.rename(consume / f".{path.name}.part", consume / path.name)
        assert [upload.result() for upload in uploads] == [201] * len(by_api)

    def victim_busy():
        done = IngestJob.objects.filter(parent__isnull=True, state=JobState.FILED).count()
        return done >= 4 and [
            job for job in _jobs_of(victim.pid) if job.step in ("triage", "prepare", "split", "ocr")
        ]

    busy = wait_for(
        victim_busy,
        timeout=240,
        interval=0.2,
        what="worker 1 to be in the middle of a job: " + hosts.logs(),
    )
    os.kill(victim.pid, signal.SIGKILL)  # the main process; its pool dies with it
    killed_at = time.monotonic()
    victim.wait(timeout=10)
    lost_ids = {job.pk: job.attempts for job in busy}
    assert IngestJob.objects.filter(pk__in=lost_ids, state=JobState.RUNNING).exists(), (
        "the job finished before the kill"
    )

    def taken_up_again():
        jobs = IngestJob.objects.filter(pk__in=lost_ids)
        return all(job.attempts > lost_ids[job.pk] or job.is_terminal for job in jobs)

    wait_for(
        taken_up_again,
        timeout=TAKEOVER_SECONDS + 30,
        interval=0.5,
        what="the killed worker's job to be taken up again",
    )
    took = time.monotonic() - killed_at
    assert took <= TAKEOVER_SECONDS, f"taken up again only after {took:.0f} s"
    print(f"the killed worker's job was taken up again after {took:.1f} s")
    # The host comes back: its worker starts again and helps with the rest.
    hosts.start(
        "worker-1-again",
        "worker-1",
        "worker",
        "--concurrency",
        "1",
        "--hostname",
        "registratur-1@%h",
    )

    def all_done():
        roots = IngestJob.objects.filter(parent__isnull=True)
        return roots.count() == DOCUMENTS and all(job.is_terminal for job in roots)

    wait_for(all_done, timeout=600, interval=1, what="all forty jobs: " + hosts.logs())

    # Every document filed exactly once, into the case file it quotes.
    roots = list(IngestJob.objects.filter(parent__isnull=True))
    assert sorted(job.original_sha256 for job in roots) == sorted(sha.values())
    assert {job.state for job in roots} == {JobState.FILED}, [
        (job.original_name, job.state, job.code, job.message)
        for job in roots
        if job.state != JobState.FILED
    ]
    assert Document.objects.count() == DOCUMENTS
    for name, digest in sha.items():
        versions = Version.objects.filter(original_sha256=digest)
        assert versions.count() == 1, name
        number = int(name[5:7])
        document = versions.get().document
        assert document.case_file.file_reference == references[number % len(references)]
        if number < SCANS:  # real OCR read the scan (its subject line)
            assert "Widerspruch" in versions.get().text, name
    retried = IngestJob.objects.filter(pk__in=lost_ids)
    assert all(job.state == JobState.FILED and job.attempts >= 2 for job in retried)
    # The blobs are on the shared directory, nowhere else.
    assert not (tmp_path / "worker-2" / "data" / "blobs").exists()

    # The index (PostgreSQL) matches the database; the trail verifies with checkpoints
    # signed on one host and on another, and verified on a third.
    # The index queue may still hold the last few entries when the jobs are done.
    checks = []

    def index_in_step():
        checks.append(hosts.run("worker-2", "search", "check", "--json"))
        return checks[-1].returncode == 0

    try:
        wait_for(index_in_step, timeout=60, interval=2, what="the index to be in step")
    except AssertionError as timeout:
        raise AssertionError(checks[-1].stdout + checks[-1].stderr) from timeout
    assert json.loads(checks[-1].stdout)["checked"] == DOCUMENTS
    for host in ("worker-1", "web"):
        signed = hosts.run(host, "audit", "checkpoint")
        assert signed.returncode == 0, signed.stderr
        # A search from yet another host: a `searched` entry for the next checkpoint to sign.
        found = hosts.run(
            "worker-2", "search", "Abschlagsrechnung", "--user", "sachbearbeitung-a", "--json"
        )
        assert found.returncode == 0, found.stderr
        assert json.loads(found.stdout)["count"] == (DOCUMENTS - SCANS) // 2
    verified = hosts.run("worker-2", "audit", "verify")
    assert verified.returncode == 0, verified.stdout + verified.stderr
    lines = (tmp_path / "shared" / "checkpoints" / "chain-checkpoints.jsonl").read_text()
    assert len(lines.splitlines()) == 2
