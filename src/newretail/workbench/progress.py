"""A task's live progress: overall, by store and rolled up the region tree.

Counts only the assignees the caller sees, so a region manager's roll-up covers their
subtree and a store manager's their stores.
"""

from collections import defaultdict
from dataclasses import dataclass

from sqlalchemy.orm import Session

from newretail.kernel.scope import Scope
from newretail.workbench import queries, rules, tasks
from newretail.workbench.models import Task
from newretail.workbench.rules import State, Tally


@dataclass(frozen=True)
class StoreProgress:
    store_id: int
    name: str
    region_id: int
    tally: Tally


@dataclass(frozen=True)
class RegionProgress:
    region_id: int
    name: str
    parent_id: int | None
    depth: int
    tally: Tally


@dataclass(frozen=True)
class TaskProgress:
    task: Task
    overall: Tally
    regions: list[RegionProgress]
    stores: list[StoreProgress]


def task_progress(*, session: Session, scope: Scope, task_id: int) -> TaskProgress:
    task = tasks.get_task(session=session, scope=scope, task_id=task_id)
    seen = tasks.assignments(session=session, scope=scope, task_id=task_id)
    by_store: dict[int, list[State]] = defaultdict(list)
    for assignment in seen:
        by_store[assignment.store_id].append(State(assignment.state))
    store_rows = queries.stores(session=session, store_ids=by_store)
    store_tallies = {store: rules.tally(states) for store, states in by_store.items()}
    own: dict[int, Tally] = defaultdict(Tally)
    for store, counts in store_tallies.items():
        own[store_rows[store][1]] += counts
    tree = queries.regions(session=session, brand_id=task.brand_id)
    parent_of = {region: parent for region, parent, _ in tree}
    rolled = rules.roll_up(own, parent_of)
    depth = _depths(parent_of)
    return TaskProgress(
        task=task,
        overall=rules.tally(State(a.state) for a in seen),
        regions=[
            RegionProgress(region, name, parent, depth[region], rolled[region])
            for region, parent, name in _tree_order(tree)
            if rolled[region].total
        ],
        stores=sorted(
            (
                StoreProgress(store, store_rows[store][0], store_rows[store][1], counts)
                for store, counts in store_tallies.items()
            ),
            key=lambda row: (row.tally.percent_done, row.name),
        ),
    )


def _depths(parent_of: dict[int, int | None]) -> dict[int, int]:
    depth: dict[int, int] = {}
    for region in parent_of:
        steps, node, seen = 0, parent_of.get(region), {region}
        while node is not None and node not in seen:
            seen.add(node)
            steps += 1
            node = parent_of.get(node)
        depth[region] = steps
    return depth


def _tree_order(
    tree: list[tuple[int, int | None, str]],
) -> list[tuple[int, int | None, str]]:
    """Regions depth first, each parent before its children."""
    children: dict[int | None, list[tuple[int, int | None, str]]] = defaultdict(list)
    ids = {region for region, _, _ in tree}
    for row in tree:
        children[row[1] if row[1] in ids else None].append(row)
    ordered: list[tuple[int, int | None, str]] = []
    stack = list(reversed(children[None]))
    while stack:
        row = stack.pop()
        ordered.append(row)
        stack.extend(reversed(children.get(row[0], [])))
    return ordered
