"""Where a page's time goes: `python -m bench.web.profile --documents 5000 [--cprofile PAGE]`.

Renders each page of the web benchmark in this process (Django's test client, no server) on
the instance that `python -m bench.web` built, as one caseworker and one person of the
mailroom, and prints per page the number of SQL queries, the milliseconds of the median of
five renderings, the Python function calls of one (steady when the machine is busy) and the
slowest queries; with --cprofile, the functions that took the time."""
import argparse
import cProfile
import pstats
import random
import statistics
import time
from pathlib import Path

from .dataset import CASEWORKERS, MAILROOM, dataset_build
from .run import CASEWORKER_MIX, MAILROOM_MIX, _path, _setup, _targets, static_collect


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--documents", type=int, default=100_000)
    parser.add_argument("--data-dir")
    parser.add_argument("--seed", type=int, default=20261121)
    parser.add_argument("--cprofile", help="profile this page (e.g. Dokument)")
    parser.add_argument("--sort", default="cumulative", help="cProfile order: cumulative, tottime")
    parser.add_argument("--only", help="cProfile: only functions whose path matches this")
    parser.add_argument("--sql", action="store_true", help="print every query of each page")
    args = parser.parse_args(argv)
    data_dir = Path(args.data_dir or f"bench-data/web-{args.documents}").resolve()
    env = _setup(data_dir)
    dataset_build(data_dir, args.documents, args.seed, env)  # built already: migrates only
    static_collect(env)
    from django.contrib.auth import get_user_model
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    targets = _targets(args.seed)
    rng = random.Random(args.seed)
    people = [(CASEWORKERS["U0"][0], "U0", CASEWORKER_MIX), (MAILROOM[0], None, MAILROOM_MIX)]
    for username, unit, mix in people:
        client = Client()
        client.force_login(get_user_model().objects.get(username=username))
        print(f"\n{username}")
        for page in dict.fromkeys(mix):
            paths = [_path(page, unit, targets, rng) for _ in range(6)]
            client.get(paths[0])  # warm
            timings, cpu = [], []
            for path in paths[1:]:
                connection.queries_log.clear()  # a full log would count no queries
                started, cpu_started = time.perf_counter(), time.process_time()
                with CaptureQueriesContext(connection) as queries:
                    response = client.get(path)
                timings.append((time.perf_counter() - started) * 1000)
                cpu.append((time.process_time() - cpu_started) * 1000)
            captured, count = queries.captured_queries, len(queries)
            slow = sorted(captured, key=lambda q: -float(q["time"]))[:3]
            # Python function calls of one rendering: a count the rest of a shared machine
            # cannot inflate (the CPU milliseconds it can).
            counter = cProfile.Profile()
            counter.enable()
            client.get(paths[1])
            counter.disable()
            calls = pstats.Stats(counter).total_calls
            print(f"  {page:<28} status {response.status_code}  {count} queries  "
                  f"{statistics.median(timings):.1f} ms ({statistics.median(cpu):.1f} ms CPU, "
                  f"{calls / 1000:.0f}k calls)  "
                  "slowest: "
                  + ", ".join(f"{float(q['time']) * 1000:.1f} ms" for q in slow))
            if args.sql:
                for query in captured:
                    print(f"      {float(query['time']) * 1000:6.1f} {query['sql'][:300]}")
            if args.cprofile == page:
                profiler = cProfile.Profile()
                profiler.enable()
                for path in paths[1:]:
                    client.get(path)
                profiler.disable()
                pstats.Stats(profiler).sort_stats(args.sort).print_stats(args.only or "", 45)


if __name__ == "__main__":
    main()
