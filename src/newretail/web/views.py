"""Plain data for templates: the region tree with store counts, select options, table rows."""

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field

from newretail.org.schemas import RegionRead


@dataclass
class RegionNode:
    id: int
    parent_id: int | None
    code: str
    name: str
    kind: str
    own_stores: int = 0
    total_stores: int = 0
    depth: int = 0
    children: list["RegionNode"] = field(default_factory=list)


def region_tree(regions: Sequence[RegionRead], store_counts: Mapping[int, int]) -> list[RegionNode]:
    """Nest ``regions`` by parent. A region whose parent is not visible becomes a root.

    ``total_stores`` counts the stores of the region and of everything under it.
    """
    nodes = {
        r.id: RegionNode(
            id=r.id,
            parent_id=r.parent_id,
            code=r.code,
            name=r.name,
            kind=r.kind,
            own_stores=store_counts.get(r.id, 0),
        )
        for r in regions
    }
    roots: list[RegionNode] = []
    for node in nodes.values():
        parent = nodes.get(node.parent_id) if node.parent_id is not None else None
        (parent.children if parent is not None else roots).append(node)
    _finish(roots, depth=0)
    return roots


def _finish(nodes: list[RegionNode], depth: int) -> int:
    nodes.sort(key=lambda node: (node.code.lower(), node.id))
    total = 0
    for node in nodes:
        node.depth = depth
        node.total_stores = node.own_stores + _finish(node.children, depth + 1)
        total += node.total_stores
    return total


def flatten(tree: Iterable[RegionNode]) -> list[RegionNode]:
    """The tree in display order (parents before their children)."""
    ordered: list[RegionNode] = []
    stack = list(reversed(list(tree)))
    while stack:
        node = stack.pop()
        ordered.append(node)
        stack.extend(reversed(node.children))
    return ordered


def region_options(tree: Iterable[RegionNode]) -> list[tuple[int, str]]:
    """``(id, label)`` pairs for a select, indented by depth so the tree shows."""
    return [
        (node.id, "\u3000" * node.depth + f"{node.name} ({node.code})") for node in flatten(tree)
    ]
