"""Best coupon combination: the search's latency next to exhaustive search in the same run.

Each cart has 3 to 8 lines and 30 usable offers (a third automatic promotions, the rest
coupons of a member's wallet, some templates held twice), at most 5 applied; half the
members hold points (100 a yuan, at most half of what is left to pay), which every
combination may use. The search
prices every cart; exhaustive search (every subset, one by one) prices the first
``--exhaustive-carts`` of them, and the two answers (best, next two, left-out reasons)
must be equal. Prints one JSON line: the figure, the anchor, their ratio.
"""

import argparse
import json
import statistics
import time
from random import Random

from newretail.promotions import rules
from newretail.simulate.offers import CONTEXT, everyday_tail, large_problem


def percentile(samples: list[float], share: float) -> float:
    ordered = sorted(samples)
    return ordered[min(len(ordered) - 1, int(share * len(ordered)))]


def timed(samples: list[float]) -> dict[str, float]:
    return {
        "p50_ms": round(statistics.median(samples) * 1000, 2),
        "p99_ms": round(percentile(samples, 0.99) * 1000, 2),
        "mean_ms": round(statistics.fmean(samples) * 1000, 2),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--carts", type=int, default=300)
    parser.add_argument("--exhaustive-carts", type=int, default=12)
    parser.add_argument("--candidates", type=int, default=30)
    parser.add_argument("--applied", type=int, default=5)
    parser.add_argument("--seed", type=int, default=11)
    args = parser.parse_args()
    rng = Random(args.seed)
    problems = [
        (*large_problem(rng, args.candidates, args.applied), everyday_tail(rng))
        for _ in range(args.carts)
    ]
    for cart, offers, limits, held in problems[:10]:  # warm-up
        rules.quote(cart, offers, CONTEXT, limits, tail=held)
    search: list[float] = []
    quotes = []
    for cart, offers, limits, held in problems:
        started = time.perf_counter()
        quotes.append(rules.quote(cart, offers, CONTEXT, limits, tail=held))
        search.append(time.perf_counter() - started)
    exhaustive: list[float] = []
    equal = 0
    for (cart, offers, limits, held), found in zip(problems, quotes, strict=False):
        if len(exhaustive) == args.exhaustive_carts:
            break
        started = time.perf_counter()
        tried = rules.quote(
            cart, offers, CONTEXT, limits, search=rules.exhaustive_combinations, tail=held
        )
        exhaustive.append(time.perf_counter() - started)
        equal += found == tried
    figure, anchor = timed(search), timed(exhaustive)
    print(
        json.dumps(
            {
                "benchmark": "best_combination",
                "candidates": args.candidates,
                "max_applied": args.applied,
                "carts": args.carts,
                "with_points_share": round(sum(q.best.points > 0 for q in quotes) / len(quotes), 2),
                "search": figure,
                "exhaustive_anchor": {**anchor, "carts": len(exhaustive)},
                "equal_to_exhaustive_share": round(equal / max(1, len(exhaustive)), 4),
                "ratio_p50": round(anchor["p50_ms"] / figure["p50_ms"], 1),
                "ratio_p99": round(anchor["p99_ms"] / figure["p99_ms"], 1),
            }
        )
    )


if __name__ == "__main__":
    main()
