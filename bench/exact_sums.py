"""What exact sums cost: the aggregation queries of another checkout against this one's, same data,
same process, run alternately (bench/aggregations.py's data and views).

    git worktree add /tmp/before <commit before the change>
    .venv/bin/python bench/exact_sums.py --before /tmp/before --scale 0.1 --repeat 11

Each checkout compiles its SQL in a subprocess with it first on the path; this process then
loads the events once and times both versions of each query in turn, so that load elsewhere on
the machine falls on both alike.
"""

from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parents[1]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--before", type=Path, required=True,
                        help="a checkout of the version to compare with")
    parser.add_argument("--scale", type=float, default=0.1)
    parser.add_argument("--repeat", type=int, default=11)
    parser.add_argument("--print-sql", type=Path, help=argparse.SUPPRESS)  # the subprocess's job
    args = parser.parse_args()
    if args.print_sql is not None:
        print(json.dumps(compiled(args.scale)))
        return
    before, after = sql_of(args.before, args.scale), sql_of(HERE, args.scale)
    compare(before, after, args.scale, args.repeat)


def sql_of(root: Path, scale: float) -> dict:
    # this script, with ``root``'s virtualfs and bench first on the path
    command = [sys.executable, __file__, "--before", str(root), "--scale", str(scale),
               "--print-sql", str(root)]
    done = subprocess.run(command, capture_output=True, text=True, check=True, cwd=root,
                          env={"PYTHONPATH": str(root), "PATH": "/usr/bin:/bin"})
    return json.loads(done.stdout)


def compiled(scale: float) -> dict:
    """Every case's compiled and naive SQL, from the virtualfs first on the path."""
    import duckdb

    from bench.aggregations import ENTITIES_SQL, FUNCTIONS, WINDOWS, YEAR_US, view_for
    from virtualfs.compile.aggregate import (
        AggregateColumn,
        AggregateRequest,
        RangeJoin,
        build_aggregate_select,
        choose_formulation,
    )
    from virtualfs.compile.request import EntityRelation
    from virtualfs.dialects.identifiers import temp_table
    from virtualfs.dialects.render import to_sql

    rows, keys = int(100_000 * scale), max(1, int(2000 * scale))
    sql = (ENTITIES_SQL.replace("$keys", str(keys)).replace("$span", str(YEAR_US * 11 // 12))
           .replace("$rows", str(rows)))
    entities = duckdb.connect().execute(sql).to_arrow_table()
    keys_of = (("customer_id", "customer_id"),)
    relation = EntityRelation(temp_table("_vfs_entities"), "event_timestamp", keys_of, (), rows=entities)
    cases = [(label, [window]) for label, window in WINDOWS.items()] + [("all four", list(WINDOWS.values()))]
    found = {}
    for rule in ("event", "known"):
        for label, windows in cases:
            view = view_for(windows)
            dtypes = [dtype for _ in windows for _, _, dtype in FUNCTIONS]
            typed = zip(view.aggregations, dtypes, strict=True)
            columns = tuple(AggregateColumn(a, a.name, d) for a, d in typed)
            request = AggregateRequest(view, columns, relation, rule)
            formulations = {"compiled": choose_formulation("duckdb"), "naive": RangeJoin()}
            found[f"{rule} {label}"] = {
                name: to_sql(build_aggregate_select(request, "duckdb", form), "duckdb")
                for name, form in formulations.items()}
    return found


def compare(before: dict, after: dict, scale: float, repeat: int) -> None:
    sys.path.insert(0, str(HERE))
    from bench.aggregations import load
    from virtualfs.warehouses.duckdb import DuckDBWarehouse

    warehouse = DuckDBWarehouse()
    warehouse.connection.execute("SET threads = 2")
    events, rows = int(10_000_000 * scale), int(100_000 * scale)
    load(warehouse, events, rows, max(1, int(2000 * scale)))
    print(f"{events:,} events, {rows:,} entity rows; best / median of {repeat}, before and after in turn\n")
    print("| case | formulation | before (s) | after (s) | after / before |")
    print("| --- | --- | ---: | ---: | ---: |")
    for case in before:
        for form in ("compiled", "naive"):
            times: dict[str, list[float]] = {"before": [], "after": []}
            for _ in range(repeat):
                for which, queries in (("before", before), ("after", after)):
                    began = time.perf_counter()
                    warehouse.connection.execute(queries[case][form]).to_arrow_table()
                    times[which].append(time.perf_counter() - began)
            (b, mb), (a, ma) = ((min(t), statistics.median(t)) for t in (times["before"], times["after"]))
            ratios = f"{a / b:.2f} / {ma / mb:.2f}"
            print(f"| {case} | {form} | {b:.3f} / {mb:.3f} | {a:.3f} / {ma:.3f} | {ratios} |", flush=True)


if __name__ == "__main__":
    main()
