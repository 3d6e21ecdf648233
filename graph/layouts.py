"""Map layouts that show structure: a left-to-right pathway view and the whole system in clusters.

Both are pure functions of a view's graph (node attributes ``label``, ``name``,
``radius`` and, for clusters, ``importance``) and give positions in the map's own
units, where a label is drawn 13 units high (Arial, the map's font) and centred
under its record. Labels are wrapped here (:func:`wrap_label`) with widths a little
wider than Arial's, so the browser draws exactly the lines the layout made room for.

- :func:`pathway_layout`: columns left to right, publics → intermediaries → user
  groups → producers → statistics (then topics, engagements, needs), ordered by
  barycentre sweeps (Sugiyama-style) keeping the order with the fewest crossings, and
  spaced by each record's label so that no two labels overlap.
- :func:`cluster_layout`: communities found by Louvain modularity (networkx), each
  laid out as a sunflower with its best-connected records in the middle, and the
  clusters packed apart.
- :func:`bundle_edges`: in a pathway view, lines running side by side between the same two
  columns drawn as curves through one shared middle, so that they merge visibly.
- :func:`crossings`: how many pairs of straight lines cross, the measure both are judged by
  (:func:`drawn_crossings` for the lines as drawn, bundled ones curved).
"""
from __future__ import annotations

import math
from dataclasses import dataclass, field

import networkx as nx

FONT_SIZE = 13.0
LINE_HEIGHT = 16.0  # the map draws a label's lines this far apart
LABEL_MAX_WIDTH = 190.0  # a label wraps at this width
LABEL_GAP = 4.0  # between a record's shape and its label
MAX_LABEL_CHARS = 90

# Advance widths of Arial (units per 1,000 of the font size), rounded up; anything else as 'M'.
_NARROW = dict.fromkeys("ijl'|!.,:;", 280) | dict.fromkeys("ft ()[]-/", 340) | {"r": 340, "I": 290}
_WIDE = {"m": 840, "w": 730, "M": 840, "W": 950, "@": 1020, "%": 900, "&": 670, "—": 1000, "…": 1000}


def char_width(ch: str, size: float = FONT_SIZE) -> float:
    """A character's width in Arial at ``size``, never less than the real one for common text.

    >>> char_width("i") < char_width("a") < char_width("W")
    True
    """
    if ch in _NARROW:
        units = _NARROW[ch]
    elif ch in _WIDE:
        units = _WIDE[ch]
    elif ch.isupper():
        units = 730
    elif ch.isdigit() or ch.islower():
        units = 560
    else:
        units = 840
    return units * size / 1000.0


_WIDTHS: dict[str, float] = {}  # char_width at FONT_SIZE, by character, filled as met


def text_width(text: str, size: float = FONT_SIZE) -> float:
    """
    >>> round(text_width("ONS"), 1)
    28.5
    """
    if size != FONT_SIZE:
        return sum(char_width(c, size) for c in text)
    widths = _WIDTHS
    total = 0.0
    for c in text:
        w = widths.get(c)
        if w is None:
            w = widths[c] = char_width(c)
        total += w
    return total


def wrap_label(text: str, max_width: float = LABEL_MAX_WIDTH, max_lines: int = 3) -> list[str]:
    """A label as the lines the map draws: words wrapped at ``max_width``, at most ``max_lines``
    (the last ending in an ellipsis when the name is longer), a too-long word cut.

    >>> wrap_label("Office for National Statistics")
    ['Office for National Statistics']
    >>> wrap_label("Department for Levelling Up, Housing and Communities", 120)
    ['Department for', 'Levelling Up,', 'Housing and…']
    >>> wrap_label("a " * 200, 60, 2)[-1].endswith("…")
    True
    """
    words = " ".join(str(text).split())[:MAX_LABEL_CHARS * max_lines].split(" ")
    lines: list[str] = []
    current = ""
    for word in words:
        while text_width(word) > max_width:  # a word wider than a line: cut it
            cut = len(word)
            while cut > 1 and text_width(word[:cut] + "-") > max_width:
                cut -= 1
            if current:
                lines.append(current)
                current = ""
            lines.append(word[:cut] + "-")
            word = word[cut:]
        candidate = f"{current} {word}" if current else word
        if text_width(candidate) <= max_width or not current:
            current = candidate
        else:
            lines.append(current)
            current = word
    if current:
        lines.append(current)
    if len(lines) > max_lines:
        last = lines[max_lines - 1]
        while last and text_width(last + "…") > max_width:
            last = last[:-1]
        lines = lines[:max_lines - 1] + [last.rstrip() + "…"]
    return lines or [""]


def label_box(lines: list[str]) -> tuple[float, float]:
    """(width, height) of a wrapped label as the map draws it.

    >>> label_box(["ONS"]) == (text_width("ONS"), LINE_HEIGHT)
    True
    """
    return max(text_width(line) for line in lines), LINE_HEIGHT * len(lines)


# ---------------------------------------------------------------------------------------------
# The pathway view

# Engagements and needs are about publics, so they sit beside them: measured on the seed registry and
# on generated systems, this order crosses about a third as many lines as putting them last.
PATHWAY_COLUMNS = ("Public", "Engagement", "Need", "Intermediary", "UserGroup", "Producer", "Statistic", "Topic")
COLUMN_GAP = 48.0  # between the widest labels of two columns
ROW_GAP = 10.0  # between one record's label and the next record's shape
MAX_ROWS = 10_000  # a column taller than this is split into side-by-side columns


@dataclass
class Placed:
    x: float
    y: float
    lines: list[str]


def _radius(graph: nx.Graph, n) -> float:
    return float(graph.nodes[n].get("radius") or 10.0)


def _lines(graph: nx.Graph, n) -> list[str]:
    return wrap_label(graph.nodes[n].get("name") or str(n))


def pathway_layout(graph: nx.Graph, sweeps: int = 8, columns_order: tuple = ()) -> dict:
    """Positions ``{id: Placed(x, y, lines)}`` for a pathway view, left to right by kind of record.

    Columns follow :data:`PATHWAY_COLUMNS` (any other kind last). A node's ``reserve`` (a list
    of lines) is room kept under its label for lines the map adds there. Records in a column are
    ordered by the mean height of their neighbours in other columns, sweeping right and then
    left, and the order with the fewest crossing lines is kept. A column is as wide as its
    widest label and each record is given its shape's and label's height, so no label
    overlaps another. Deterministic (ties by id).

    >>> g = nx.Graph([("carers", "carers-uk"), ("carers-uk", "ons"), ("ons", "wellbeing"),
    ...               ("victims", "vs"), ("vs", "ons"), ("ons", "crime")])
    >>> nx.set_node_attributes(g, {"carers": "Public", "victims": "Public", "carers-uk": "Intermediary",
    ...     "vs": "Intermediary", "ons": "Producer", "wellbeing": "Statistic", "crime": "Statistic"}, "label")
    >>> pos = pathway_layout(g)
    >>> pos["carers"].x < pos["carers-uk"].x < pos["ons"].x < pos["wellbeing"].x
    True
    >>> (pos["carers"].y < pos["victims"].y) == (pos["carers-uk"].y < pos["vs"].y)  # no crossing
    True
    >>> label_overlaps({n: (p.x, p.y, p.lines, 10.0) for n, p in pos.items()})
    []
    """
    if not len(graph):
        return {}
    rank = {label: i for i, label in enumerate(columns_order or PATHWAY_COLUMNS)}
    columns: dict[int, list] = {}
    for n in graph.nodes:
        columns.setdefault(rank.get(graph.nodes[n].get("label"), len(PATHWAY_COLUMNS)), []).append(n)
    # a tall column becomes several, side by side, keeping one kind together
    order: list[list] = []
    for key in sorted(columns):
        members = sorted(columns[key], key=lambda n: (-graph.degree(n), str(n)))
        parts = math.ceil(len(members) / MAX_ROWS)
        size = math.ceil(len(members) / parts)
        order.extend(members[i:i + size] for i in range(0, len(members), size))
    lines = {n: _lines(graph, n) for n in graph.nodes}
    # room for lines the map adds under a name (a public's burden status), given as ``reserve``
    boxes = {n: label_box(lines[n] + list(graph.nodes[n].get("reserve") or ())) for n in graph.nodes}
    radius = {n: _radius(graph, n) for n in graph.nodes}
    height = {n: 2 * radius[n] + LABEL_GAP + boxes[n][1] + ROW_GAP for n in graph.nodes}
    half_width = {n: max(radius[n], boxes[n][0] / 2) for n in graph.nodes}
    xs = []
    x = 0.0
    for i, members in enumerate(order):
        widest = max(half_width[n] for n in members)
        if i:
            x += widest
        xs.append(x)
        x += widest + COLUMN_GAP
    column_of = {n: i for i, members in enumerate(order) for n in members}
    y: dict = {}

    def place(i: int) -> None:
        total = sum(height[n] for n in order[i])
        top = -total / 2
        for n in order[i]:
            y[n] = top + radius[n]
            top += height[n]

    for i in range(len(order)):
        place(i)
    neighbours = {n: sorted((m for m in graph.neighbors(n) if column_of[m] != column_of[n]), key=str)
                  for n in graph.nodes}
    edges = [(u, v) for u, v in graph.edges() if u != v]

    def score() -> int:
        return crossings({n: (xs[column_of[n]], y[n]) for n in graph.nodes}, edges)

    best = ([list(m) for m in order], score() if len(edges) <= 400 else 0)
    for sweep in range(sweeps if len(edges) <= 400 else 2):
        for i in (range(len(order)) if sweep % 2 == 0 else reversed(range(len(order)))):
            def barycentre(n):
                near = neighbours[n]
                return (sum(y[m] for m in near) / len(near) if near else y[n], str(n))
            order[i].sort(key=barycentre)
            place(i)
        if len(edges) <= 400:
            now = score()
            if now < best[1]:
                best = ([list(m) for m in order], now)
    order = best[0]
    for i in range(len(order)):
        place(i)
    return {n: Placed(round(xs[column_of[n]], 1), round(y[n], 1), lines[n]) for n in graph.nodes}


# ---------------------------------------------------------------------------------------------
# The whole system in clusters

SPACING = 44.0  # between neighbouring records inside a cluster
CLUSTER_GAP = 160.0  # between two clusters' edges
MIN_CLUSTER = 3  # smaller communities are gathered into one cluster of loosely connected records
GOLDEN_ANGLE = math.pi * (3 - math.sqrt(5))


@dataclass
class Cluster:
    id: str
    name: str
    members: list
    x: float = 0.0
    y: float = 0.0
    radius: float = 0.0

    def as_dict(self) -> dict:
        count = len(self.members)
        return {"id": self.id, "name": self.name, "count": count, "x": round(self.x, 1),
                "y": round(self.y, 1), "radius": round(self.radius, 1),
                "lines": wrap_label(self.name, 140, 2) + [f"{count} record{'' if count == 1 else 's'}"]}


def communities(graph: nx.Graph, seed: int = 7) -> list[list]:
    """Communities found by Louvain modularity, largest first, members best connected first;
    communities smaller than :data:`MIN_CLUSTER` are gathered into one, last.

    >>> g = nx.Graph([("a", "b"), ("b", "c"), ("a", "c"), ("x", "y"), ("y", "z"), ("x", "z"), ("c", "x")])
    >>> g.add_node("lonely")
    >>> communities(g)
    [['c', 'a', 'b'], ['x', 'y', 'z'], ['lonely']]
    """
    simple = nx.Graph()  # in one order, so that the communities do not depend on the order given
    simple.add_nodes_from(sorted(graph.nodes, key=str))
    simple.add_edges_from(sorted((tuple(sorted((u, v), key=str)) for u, v in graph.edges() if u != v), key=str))
    found = nx.community.louvain_communities(simple, seed=seed, threshold=1e-3) if simple.number_of_edges() else \
        [{n} for n in simple.nodes]
    big, small = [], []
    for group in found:
        members = sorted(group, key=lambda n: (-simple.degree(n), str(n)))
        (big if len(members) >= MIN_CLUSTER else small).append(members)
    big.sort(key=lambda m: (-len(m), str(m[0])))
    rest = sorted((n for m in small for n in m), key=lambda n: (-simple.degree(n), str(n)))
    return big + ([rest] if rest else [])


def restrict(groups: list[list], graph: nx.Graph) -> list[list]:
    """Communities found once for the whole registry (:func:`communities`), narrowed to the records
    of a view: members not in ``graph`` dropped, records of the view in no community added to the
    last group, and groups left smaller than :data:`MIN_CLUSTER` gathered into one, last. A filtered
    view keeps the whole registry's clusters, so the same record is in the same cluster however the
    map is filtered, and Louvain runs once per registry revision, not once per filter.

    >>> g = nx.Graph([("a", "b"), ("b", "c"), ("x", "y")]); g.add_node("new")
    >>> restrict([["c", "a", "b", "gone"], ["x", "y", "z"]], g)
    [['c', 'a', 'b'], ['x', 'y', 'new']]
    """
    big, small = [], []
    seen = set()
    for group in groups:
        members = [n for n in group if n in graph]
        seen.update(members)
        (big if len(members) >= MIN_CLUSTER else small).append(members)
    big.sort(key=lambda m: (-len(m), str(m[0])))
    rest = [n for m in small for n in m] + [n for n in graph.nodes if n not in seen]
    rest.sort(key=lambda n: (-graph.degree(n), str(n)))
    return big + ([rest] if rest else [])


def _is_loose(graph: nx.Graph, members: list) -> bool:
    """Whether a cluster is the gathering of small communities (no member has a neighbour
    outside a group smaller than :data:`MIN_CLUSTER`): its members are not one community."""
    return len(members) < MIN_CLUSTER or not nx.is_connected(graph.subgraph(members).to_undirected()) \
        if len(members) else False


def cluster_name(graph: nx.Graph, members: list) -> str:
    """A cluster is named after its best-connected topic, else its best-connected record.

    >>> g = nx.Graph([("s", "t")]); nx.set_node_attributes(g, {"s": {"name": "Census", "label": "Statistic"},
    ...     "t": {"name": "Population", "label": "Topic"}})
    >>> cluster_name(g, ["s", "t"])
    'Population'
    """
    topics = [n for n in members if graph.nodes[n].get("label") == "Topic"]
    best = (topics or members)[0] if len(topics) <= 1 else max(topics, key=lambda n: (graph.degree(n), str(n)))
    return str(graph.nodes[best].get("name") or best)


def _pack(radii: list[float]) -> list[tuple[float, float]]:
    """Centres for circles of ``radii`` (largest first), none within :data:`CLUSTER_GAP` of
    another: each placed at the first free point on a spiral out from the middle."""
    placed: list[tuple[float, float, float]] = []
    for r in radii:
        if not placed:
            placed.append((0.0, 0.0, r))
            continue
        step = 0
        while True:
            angle = step * 0.5
            dist = 6.0 * step
            cx, cy = dist * math.cos(angle), dist * math.sin(angle) * 0.75  # wider than tall, like a screen
            if all(math.dist((cx, cy), (px, py)) >= r + pr + CLUSTER_GAP for px, py, pr in placed):
                placed.append((cx, cy, r))
                break
            step += 1
    return [(x, y) for x, y, _ in placed]


def cluster_layout(graph: nx.Graph, groups: list[list] | None = None) -> tuple[dict, list[Cluster]]:
    """Positions ``{id: Placed}`` and the clusters, for the whole system.

    ``groups`` are communities found beforehand (the app finds them once per registry revision
    over the whole registry and narrows them with :func:`restrict`); by default they are found
    in ``graph`` itself.

    Each community is a sunflower: its best-connected record in the middle, the others
    outwards by how connected they are, :data:`SPACING` apart, so the records whose labels
    the map shows first sit in the middle with room around them. Clusters are packed apart.

    >>> g = nx.Graph([("a", "b"), ("b", "c"), ("a", "c"), ("x", "y"), ("y", "z"), ("x", "z"), ("c", "x")])
    >>> pos, clusters = cluster_layout(g)
    >>> [c.members for c in clusters]
    [['c', 'a', 'b'], ['x', 'y', 'z']]
    >>> math.dist((clusters[0].x, clusters[0].y), (clusters[1].x, clusters[1].y)) >= CLUSTER_GAP
    True
    """
    groups = communities(graph) if groups is None else restrict(groups, graph)
    loose_at = len(groups) - 1 if groups and len(groups[-1]) and _is_loose(graph, groups[-1]) else None
    clusters = []
    offsets: dict = {}
    for i, members in enumerate(groups):
        spacing = max(SPACING, 2 * max(_radius(graph, n) for n in members) + 8)
        for k, n in enumerate(members):
            # points of a sunflower at sqrt(k + 1/2) are at least 1.54 apart: records ``spacing`` apart
            r = spacing / 1.5 * math.sqrt(k + 0.5)
            offsets[n] = (r * math.cos(k * GOLDEN_ANGLE), r * math.sin(k * GOLDEN_ANGLE))
        extent = spacing / 1.5 * math.sqrt(len(members) + 0.5) + spacing
        name = "Loosely connected records" if i == loose_at else cluster_name(graph, members)
        clusters.append(Cluster(f"c{i + 1}", name, members, radius=extent))
    for c, (cx, cy) in zip(clusters, _pack([c.radius for c in clusters])):
        c.x, c.y = cx, cy
    positions = {}
    for c in clusters:
        for n in c.members:
            dx, dy = offsets[n]
            positions[n] = Placed(round(c.x + dx, 1), round(c.y + dy, 1), _lines(graph, n))
    return positions, clusters


# ---------------------------------------------------------------------------------------------
# Measures

def crossings(positions: dict, edges) -> int:
    """Pairs of straight lines that cross (lines sharing a record never count).

    >>> crossings({"a": (0, 0), "b": (10, 10), "c": (0, 10), "d": (10, 0)}, [("a", "b"), ("c", "d")])
    1
    >>> crossings({"a": (0, 0), "b": (10, 0), "c": (0, 10), "d": (10, 10)}, [("a", "b"), ("c", "d")])
    0
    """
    return drawn_crossings(positions, edges)


# ---------------------------------------------------------------------------------------------
# Bundled lines (the pathway view)

BUNDLE_SPAN = 120.0  # the middles of the lines in one bundle lie within this height
MIN_BUNDLE = 3  # fewer lines side by side are left straight
CURVE_STEPS = 8  # a bundled line is measured as this many straight pieces


@dataclass
class Bundles:
    """Lines drawn through a shared middle: ``points[k]`` is bundle k's middle, ``of[(u, v)]`` the
    bundle of the line between u and v (either order), for lines in a bundle only."""

    points: list = field(default_factory=list)
    of: dict = field(default_factory=dict)

    def bundle(self, u, v):
        return self.of.get((u, v), self.of.get((v, u)))


def bend(a: tuple, b: tuple, middle: tuple) -> tuple[float, float]:
    """The control point of the quadratic curve from a to b whose middle (t = ½) is ``middle``.

    >>> bend((0, 0), (10, 0), (5, 4))
    (5.0, 8.0)
    >>> curve_point((0, 0), bend((0, 0), (10, 0), (5, 4)), (10, 0), 0.5)
    (5.0, 4.0)
    """
    return (2 * middle[0] - (a[0] + b[0]) / 2, 2 * middle[1] - (a[1] + b[1]) / 2)


def curve_point(a: tuple, control: tuple, b: tuple, t: float) -> tuple[float, float]:
    """The point at ``t`` (0 to 1) on the quadratic curve from a to b bent towards ``control``."""
    u = 1 - t
    return (u * u * a[0] + 2 * u * t * control[0] + t * t * b[0], u * u * a[1] + 2 * u * t * control[1] + t * t * b[1])


def bundle_edges(positions: dict, edges, check: int = 600) -> Bundles:
    """Lines that run side by side between the same two columns, gathered to pass through one middle.

    Lines between the same two columns (the same x at each end) are sorted by the height of their
    middle; neighbours within :data:`BUNDLE_SPAN` of the first form a bundle, drawn as curves whose
    middles are the bundle's mean middle, so parallel lines visibly merge there. Groups of fewer than
    :data:`MIN_BUNDLE` stay straight. With at most ``check`` lines, a column pair is bundled only when
    that crosses no more lines than leaving it straight (:func:`drawn_crossings`).

    >>> pos = {"a": (0, 0), "b": (0, 30), "c": (0, 60), "x": (200, 10), "y": (200, 40), "z": (200, 70)}
    >>> found = bundle_edges(pos, [("a", "x"), ("b", "y"), ("c", "z")])
    >>> found.points, found.bundle("y", "b")
    ([(100.0, 35.0)], 0)
    >>> drawn_crossings(pos, [("a", "x"), ("b", "y"), ("c", "z")], found)
    0
    """
    groups: dict = {}
    for u, v in edges:
        if u == v or u not in positions or v not in positions:
            continue
        (ax, ay), (bx, by) = positions[u], positions[v]
        if ax == bx:
            continue
        if ax > bx:
            u, v, ax, ay, bx, by = v, u, bx, by, ax, ay
        groups.setdefault((ax, bx), []).append(((ay + by) / 2, str(u), str(v), u, v))
    edge_list = [(u, v) for u, v in edges]
    found = Bundles()
    current = drawn_crossings(positions, edge_list, found) if len(edge_list) <= check else None
    for (ax, bx), members in sorted(groups.items()):
        members.sort()
        trial = Bundles(list(found.points), dict(found.of))
        run: list = []

        def close(run):
            if len(run) >= MIN_BUNDLE:
                k = len(trial.points)
                trial.points.append(((ax + bx) / 2, round(sum(m[0] for m in run) / len(run), 1)))
                for m in run:
                    trial.of[(m[3], m[4])] = k
        for m in members:
            if run and m[0] - run[0][0] > BUNDLE_SPAN:
                close(run)
                run = []
            run.append(m)
        close(run)
        if len(trial.points) == len(found.points):
            continue
        if current is not None:
            now = drawn_crossings(positions, edge_list, trial)
            if now > current:
                continue
            current = now
        found = trial
    return found


def _drawn_pieces(positions: dict, u, v, bundles: Bundles | None) -> list[tuple]:
    a, b = positions[u], positions[v]
    k = bundles.bundle(u, v) if bundles else None
    if k is None:
        return [(a, b)]
    control = bend(a, b, bundles.points[k])
    points = [curve_point(a, control, b, i / CURVE_STEPS) for i in range(CURVE_STEPS + 1)]
    return list(zip(points, points[1:]))


def drawn_crossings(positions: dict, edges, bundles: Bundles | None = None) -> int:
    """Pairs of lines that cross as the map draws them: straight, or curved through their bundle's
    middle (each curve measured as :data:`CURVE_STEPS` straight pieces). Two lines of one bundle
    meet at its middle; they count as crossing only when they change sides there (their ends are
    in opposite orders). Lines sharing a record never count.

    >>> pos = {"a": (0, 0), "b": (0, 30), "x": (100, 30), "y": (100, 0)}
    >>> drawn_crossings(pos, [("a", "x"), ("b", "y")]), crossings(pos, [("a", "x"), ("b", "y")])
    (1, 1)
    """
    lines = []
    for u, v in edges:
        if u == v or u not in positions or v not in positions:
            continue
        pieces = _drawn_pieces(positions, u, v, bundles)
        xs = [p[0] for piece in pieces for p in piece]
        ys = [p[1] for piece in pieces for p in piece]
        lines.append((min(xs), max(xs), min(ys), max(ys), pieces, u, v,
                      bundles.bundle(u, v) if bundles else None))
    lines.sort(key=lambda line: line[0])

    def orient(p, q, r):
        d = (q[0] - p[0]) * (r[1] - p[1]) - (q[1] - p[1]) * (r[0] - p[0])
        return (d > 0) - (d < 0)

    def cross(s, t):
        return orient(s[0], s[1], t[0]) * orient(s[0], s[1], t[1]) < 0 and orient(t[0], t[1], s[0]) * orient(t[0], t[1], s[1]) < 0
    total = 0
    for i, a in enumerate(lines):
        for b in lines[i + 1:]:
            if b[0] > a[1]:
                break
            if b[2] > a[3] or a[2] > b[3] or {a[5], a[6]} & {b[5], b[6]}:
                continue
            if a[7] is not None and a[7] == b[7]:
                total += cross((positions[a[5]], positions[a[6]]), (positions[b[5]], positions[b[6]]))
            elif any(cross(s, t) for s in a[4] for t in b[4]):
                total += 1
    return total


def label_rect(x: float, y: float, lines: list[str], radius: float) -> tuple[float, float, float, float]:
    """(left, top, right, bottom) of a label drawn centred under a record at (x, y)."""
    width, height = label_box(lines)
    top = y + radius + LABEL_GAP
    return (x - width / 2, top, x + width / 2, top + height)


def label_overlaps(labels: dict) -> list[tuple]:
    """Pairs of labels that overlap, from ``{id: (x, y, lines, radius)}``.

    >>> label_overlaps({"a": (0, 0, ["Long name here"], 5), "b": (20, 0, ["Other"], 5), "c": (0, 100, ["x"], 5)})
    [('a', 'b')]
    """
    rects = sorted(((label_rect(*v), k) for k, v in labels.items()), key=lambda r: r[0][0])
    found = []
    for i, (a, ka) in enumerate(rects):
        for b, kb in rects[i + 1:]:
            if b[0] >= a[2]:
                break
            if b[1] < a[3] and a[1] < b[3]:
                found.append(tuple(sorted((str(ka), str(kb)))))
    return sorted(found)
