"""Random candidate benefits for coupon packages: the optimiser's tests' and benchmark's workload.

Brands offer a few benefits each (face values from ¥5 to ¥300, a share of them used from
2% to 60%); some share a segment (competing brands), a few pairs conflict by name, and
the budget lets roughly a quarter of the brands in. Everything is drawn from a
``random.Random``.
"""

from random import Random

from newretail.promotions.packages.rules import Benefit, Problem

SEGMENTS = ("bedding", "sofas", "lighting", "kitchen", "prams", "toys", "dining", "cinema")


def benefit(r: Random, key: str, brand: int, segments: int) -> Benefit:
    face = r.randint(5, 300) * 100
    used = r.randint(20, 600)  # per mille
    segment = r.choice(SEGMENTS[:segments]) if segments and r.random() < 0.5 else None
    return Benefit(key, brand, face * used // 1000, face, segment)


def problem(r: Random, benefits: int, brands: int, *, segments: int = 4) -> Problem:
    """``benefits`` candidates over ``brands`` brands, with conflicts and a budget."""
    rows = tuple(
        benefit(r, f"template:{n + 1}", r.randint(1, brands), segments) for n in range(benefits)
    )
    pairs = {
        frozenset({a.key, b.key})
        for a, b in (r.sample(rows, 2) for _ in range(benefits // 6))
        if a.key != b.key
    }
    budget = max(1, sum(b.cost for b in rows) * r.randint(10, 40) // (100 * max(1, brands // 4)))
    most = r.choice([None, None, r.randint(1, max(1, brands))])
    return Problem(rows, min(budget, sum(b.cost for b in rows)), frozenset(pairs), most)
