"""In-process profile of the API benchmark's endpoints: `python -m bench.api.profile
--documents 100000`. Asks each endpoint as one token holder through Django's test client
(no server, no other clients) and prints the database queries and the median CPU and wall
milliseconds per endpoint; `--sql NAME` lists the queries of that endpoint's last request.
Every request is a real, logged read on the benchmark's instance (which must be built:
`python -m bench.api` builds it). Not a test."""

import argparse
import random
import statistics
import time
from pathlib import Path

from bench.web.run import _setup


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--documents", type=int, default=2000)
    parser.add_argument("--data-dir", help="default: ./bench-data/web-<documents>")
    parser.add_argument("--repeat", type=int, default=15)
    parser.add_argument("--sql", metavar="ENDPOINT", default="")
    parser.add_argument("--seed", type=int, default=20261121)
    args = parser.parse_args(argv)
    _setup(Path(args.data_dir or f"bench-data/web-{args.documents}").resolve())
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    from .run import _endpoints, _search_path, _targets, _tokens

    raw, unit = _tokens(1)[0]
    targets = _targets(args.seed)
    mine = {**targets, **targets[unit]}
    client = Client(HTTP_AUTHORIZATION=f"Bearer {raw}", SERVER_NAME="localhost")
    rng = random.Random(args.seed)
    print(f"{'endpoint':<24} {'queries':>7} {'CPU ms':>7} {'wall ms':>8}")
    for name, path_of in _endpoints(_search_path()).items():
        cpu, wall, queries = [], [], []
        for _ in range(args.repeat):
            path = path_of(mine, rng)
            with CaptureQueriesContext(connection) as captured:
                started, started_cpu = time.perf_counter(), time.process_time()
                answer = client.get(path)
                cpu.append((time.process_time() - started_cpu) * 1000)
                wall.append((time.perf_counter() - started) * 1000)
            if answer.status_code != 200:
                raise SystemExit(f"{path}: {answer.status_code} {answer.content[:300]!r}")
            queries = captured.captured_queries
        print(
            f"{name:<24} {len(queries):>7} {statistics.median(cpu):>7.1f} "
            f"{statistics.median(wall):>8.1f}"
        )
        if name == args.sql:
            for query in queries:
                print("   ", query["sql"][:400])


if __name__ == "__main__":
    main()
