"""Coupon package assembly: the optimiser over 200 candidate benefits, and next to exhaustive
search on small instances in the same run.

Each large problem has ``--candidates`` benefits over ``--brands`` brands, with segments,
named conflicts and a budget that lets roughly a quarter of the brands in
(``simulate/packages.py``). The optimiser assembles each one twice: the search alone, and
the full proposal (a margin for every pick: the best package without it, found again).
Exhaustive search (every subset) and the optimiser then solve ``--small`` problems of
``--small-candidates`` benefits; their answers must be equal, and the ratio of their
times is the anchor. Prints one JSON line.
"""

import argparse
import json
import statistics
import time
from collections.abc import Callable
from random import Random
from typing import Any

from newretail.promotions.packages import rules
from newretail.simulate.packages import problem


def percentile(samples: list[float], share: float) -> float:
    ordered = sorted(samples)
    return ordered[min(len(ordered) - 1, int(share * len(ordered)))]


def timed(samples: list[float]) -> dict[str, float]:
    return {
        "p50_ms": round(statistics.median(samples) * 1000, 3),
        "p99_ms": round(percentile(samples, 0.99) * 1000, 3),
        "max_ms": round(max(samples) * 1000, 3),
    }


def clock(work: Callable[[], Any]) -> tuple[float, Any]:
    started = time.perf_counter()
    result = work()
    return time.perf_counter() - started, result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--problems", type=int, default=40)
    parser.add_argument("--candidates", type=int, default=200)
    parser.add_argument("--brands", type=int, default=40)
    parser.add_argument("--small", type=int, default=20)
    parser.add_argument("--small-candidates", type=int, default=16)
    parser.add_argument("--seed", type=int, default=12)
    args = parser.parse_args()
    rng = Random(args.seed)
    large = [problem(rng, args.candidates, args.brands) for _ in range(args.problems)]
    search, proposal, nodes = [], [], []
    for drawn in large:
        elapsed, (_, visited) = clock(lambda drawn=drawn: rules.best_package(drawn))
        search.append(elapsed)
        nodes.append(visited)
        proposal.append(clock(lambda drawn=drawn: rules.assemble(drawn))[0])
    small = [problem(rng, args.small_candidates, 8) for _ in range(args.small)]
    optimiser, exhaustive, equal = [], [], 0
    for drawn in small:
        elapsed, (found, _) = clock(lambda drawn=drawn: rules.best_package(drawn))
        optimiser.append(elapsed)
        elapsed, tried = clock(lambda drawn=drawn: rules.exhaustive(drawn))
        exhaustive.append(elapsed)
        equal += found == tried
    figure, anchor = timed(optimiser), timed(exhaustive)
    print(
        json.dumps(
            {
                "benchmark": "coupon_packages",
                "candidates": args.candidates,
                "brands": args.brands,
                "problems": args.problems,
                "search": timed(search),
                "proposal_with_reasons": timed(proposal),
                "nodes_p50": int(statistics.median(nodes)),
                "nodes_max": max(nodes),
                "small_instance": {
                    "candidates": args.small_candidates,
                    "problems": args.small,
                    "optimiser": figure,
                    "exhaustive_anchor": anchor,
                    "equal_to_exhaustive_share": round(equal / max(1, len(small)), 4),
                    "ratio_p50": round(anchor["p50_ms"] / max(figure["p50_ms"], 0.001), 1),
                },
            }
        )
    )


if __name__ == "__main__":
    main()
