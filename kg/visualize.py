"""Interactive network page of a built graph: one self-contained HTML file drawn by vis-network (from pyvis).

The page needs no network: vis-network 9.1.2, the copy pyvis 0.3.2 inlines with
``cdn_resources='in_line'``, is inlined in our own template (pyvis' template loads
Bootstrap from a CDN), and no ``src`` or ``href`` points outside the file. Nodes
and edges are the items pyvis' ``Node`` and ``Edge`` would make, built directly:
``Network.add_edge`` checks its ends in a list (seconds at 5,000 nodes) and pyvis'
package imports IPython. The layout is computed here, so the browser only draws.

>>> html = render_html(_example_graph())
>>> html.startswith("<!doctype html>"), re.findall(r"(?:src|href)=.?https?:", html)
(True, [])
>>> sorted(n["label"] for n in _page_data(html)["nodes"])
['中国', '德国', '苏州工业园区', '西门子']
"""

from __future__ import annotations

import difflib
import functools
import html as _html
import importlib.util
import itertools
import json
import math
import re
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Any

from rdflib import OWL, RDF, RDFS, SKOS, Graph, Literal, URIRef
from rdflib.namespace import PROV
from rdflib.term import Node

from kg.errors import AmbiguousEntity, QueryError
from kg.export import ONTOLOGY_DIR, _local
from kg.tables import FIELDS
from kg.namespaces import KG, SCHEMA

DEFAULT_TITLE = "中外产业合作知识图谱 · Sino-foreign industrial cooperation"

# type key -> (rdf class, Chinese, English, colour, vis-network shape); the order is the legend's
TYPES: dict[str, tuple[URIRef | None, str, str, str, str]] = {
    "Park": (KG.Park, "园区", "Park", "#009E73", "dot"),
    "Company": (KG.Company, "企业", "Company", "#0072B2", "diamond"),
    "Institution": (KG.Institution, "机构", "Institution", "#CC79A7", "triangle"),
    "Country": (KG.Country, "国家/地区", "Country or region", "#E69F00", "star"),
    "Agreement": (KG.Agreement, "协议", "Agreement", "#D55E00", "square"),
    "JointPlatform": (KG.JointPlatform, "合作平台", "Joint platform", "#56B4E9", "hexagon"),
    "Other": (None, "其他", "Other", "#999999", "dot"),
}
# edge kind -> (Chinese, English, colour, dashed, arrow)
EDGE_KINDS: dict[str, tuple[str, str, str, bool, bool]] = {
    "investment": ("投资", "Investment", "#0072B2", False, True),
    "outbound": ("对外投资", "Outbound investment", "#E69F00", False, True),
    "cooperation": ("合作", "Cooperation", "#CC79A7", True, False),
    "part_of": ("属于", "Part of", "#8C8C8C", True, True),
}
_QUALIFIER_PREFIX = {"over": "超", "about": "约", "under": "不足"}
_EDGE_LENGTH = 150.0  # pixels between neighbours in the precomputed layout
_SPACING = 40.0  # and at least this much between most nodes
_MAX_SIZE = 40.0  # node radius in pixels, growing with degree up to this
_FONT = ('"WenQuanYi Zen Hei", "Noto Sans CJK SC", "Source Han Sans SC", "PingFang SC", "Microsoft YaHei", '
         'sans-serif')
_LABEL_MAX = 18
_EDGE_LABEL_LIMIT = 2000  # above this many edges, labels show only around the selection
_RADIUS = 1.5  # force layout: exact repulsion within this many ideal edge lengths, a grid beyond
_CHARGE = 1.0  # repulsion grows with the square root of the degree
_FAR = 1.0  # weight of the far-field (grid) repulsion
_ITER = 60  # passes for components over 1,000 nodes
_ITER_SMALL = 150
_VIS_DIR = "vis-9.1.2"


# ---------------------------------------------------------------- reading the graph

# rdflib resolves namespace attributes on every access; these run in loops over every node and fact
_TYPE, _PREF, _ALT, _LABEL, _NOTATION = RDF.type, SKOS.prefLabel, SKOS.altLabel, RDFS.label, SKOS.notation
_PARK, _JOINT, _OUTBOUND = KG.Park, KG.JointPlatform, KG.OutboundInvestment


@dataclass
class _Entity:
    iri: str
    type: str
    zh: str
    en: str
    names: set[str]
    country: str = ""
    wikidata: str = ""
    kind: str = ""
    sectors: tuple[str, ...] = ()
    sector_names: tuple[str, ...] = ()
    parents: tuple[str, ...] = ()


@dataclass
class _Fact:
    """An edge: an investment, outbound investment, cooperation (one per pair of parties) or sub-park link."""

    kind: str
    source: str
    target: str
    label: str
    iri: str = ""
    rows: list[tuple[str, str]] = field(default_factory=list)
    countries: set[str] = field(default_factory=set)
    sectors: set[str] = field(default_factory=set)
    evidence: list[tuple[str, str]] = field(default_factory=list)

    def key(self) -> tuple[str, str, str, str, str]:
        return self.kind, self.source, self.target, self.iri, self.label


class _Index:
    """The statements the page needs, read once per predicate (``Graph.value`` per node is far slower)."""

    PREDICATES = (_TYPE, _PREF, _ALT, _LABEL, _NOTATION, KG.isoCode, KG.country, OWL.sameAs,
                  SCHEMA.containedInPlace, KG.parkKind, KG.institutionKind, KG.sector, KG.investor, KG.host,
                  KG.amount, SCHEMA.value, SCHEMA.currency, KG.qualifier, KG.amountUSD, KG.rateSource, KG.activity,
                  KG.date, KG.status, KG.projects, KG.via, KG.party, KG.cooperationKind, KG.agreement,
                  PROV.qualifiedDerivation, PROV.entity, KG.fileName, KG.quote)

    def __init__(self, g: Graph) -> None:
        self.by: dict[URIRef, dict[Node, list[Node]]] = {}
        for p in self.PREDICATES:
            table: dict[Node, list[Node]] = defaultdict(list)
            for s, o in g.subject_objects(p):
                table[s].append(o)
            for values in table.values():
                values.sort(key=lambda o: (str(o), getattr(o, "language", None) or ""))
            self.by[p] = dict(table)

    def all(self, s: Node | None, p: URIRef) -> list[Node]:
        return self.by[p].get(s, []) if s is not None else []

    def one(self, s: Node | None, p: URIRef) -> Node | None:
        values = self.all(s, p)
        return values[0] if values else None

    def text(self, s: Node | None, p: URIRef) -> str:
        v = self.one(s, p)
        return "" if v is None else str(v)

    def label(self, s: Node | None, lang: str) -> str:
        """The preferred label (or ``rdfs:label``) in exactly ``lang``, or ``""``."""
        for p in (_PREF, _LABEL):
            for o in self.all(s, p):
                if isinstance(o, Literal) and (o.language or "").lower() == lang.lower():
                    return str(o)
        return ""

    def name(self, s: Node | None) -> str:
        """Chinese label, else any preferred label or ``rdfs:label`` (as ``kg.export`` names things)."""
        return self.label(s, "zh-Hans") or self.text(s, _PREF) or self.text(s, _LABEL)

    def term(self, t: Node | None, lang: int = 0) -> str:
        """Label of a vocabulary term (0: Chinese, 1: English), from the graph or else the ontology."""
        if t is None:
            return ""
        own = self.label(t, "zh-Hans" if lang == 0 else "en")
        return own or _vocabulary_labels().get(str(t), ("", ""))[lang] or _local(t)


@functools.lru_cache(maxsize=1)
def _vocabulary_labels() -> dict[str, tuple[str, str]]:
    """Chinese and English labels of the ontology's kinds, qualifiers and statuses (``ontology/kg.ttl``)."""
    path = ONTOLOGY_DIR / "kg.ttl"
    if not path.is_file():
        return {}
    onto = Graph()
    onto.parse(path, format="turtle")
    idx = _Index(onto)
    return {str(s): (idx.label(s, "zh-Hans"), idx.label(s, "en")) for s in idx.by[_LABEL]}


def _type_of(idx: _Index, s: Node) -> str:
    classes = set(idx.all(s, _TYPE))
    if _JOINT in classes:
        return "JointPlatform"
    return next((key for key, (cls, *_r) in TYPES.items() if cls in classes), "Other")


def _entity(idx: _Index, s: Node) -> _Entity:
    kind_term = idx.one(s, KG.parkKind) or idx.one(s, KG.institutionKind)
    country = idx.one(s, KG.country)
    code = idx.text(country, KG.isoCode) if country is not None else idx.text(s, KG.isoCode)
    qids = [m.group(1) for o in idx.all(s, OWL.sameAs)
            if (m := re.fullmatch(r"https?://www\.wikidata\.org/entity/(Q\d+)", str(o)))]
    names = {str(s), str(s).split("/id/", 1)[-1]}
    for p in (_PREF, _ALT, _LABEL, _NOTATION, KG.isoCode):
        names.update(str(o) for o in idx.all(s, p))
    parents = [str(p) for p in idx.all(s, SCHEMA.containedInPlace)
               if isinstance(p, URIRef) and p != s and _PARK in idx.all(p, _TYPE)]
    return _Entity(
        iri=str(s), type=_type_of(idx, s), zh=idx.name(s), en=idx.label(s, "en"), names=names, country=code,
        wikidata=qids[0] if qids else "", kind=idx.term(kind_term) if kind_term is not None else "",
        sectors=tuple(_local(x) for x in idx.all(s, KG.sector)),
        sector_names=tuple(f"{idx.name(x)} {idx.label(x, 'en')}".strip() for x in idx.all(s, KG.sector)),
        parents=tuple(parents),
    )


def _entities(g: Graph, idx: _Index) -> dict[str, _Entity]:
    subjects = {s for key, (cls, *_r) in TYPES.items() if cls is not None for s in g.subjects(_TYPE, cls)}
    return {str(s): _entity(idx, s) for s in sorted(subjects, key=str) if isinstance(s, URIRef)}


def _short_amount(value: str, currency: str, qualifier: str) -> str:
    """``"超10亿 USD"`` for 1e9 USD stated as 'over'; ``""`` without a value.

    >>> _short_amount("475000000.0", "USD", "exact"), _short_amount("9775000", "USD", "agreed")
    ('4.75亿 USD', '977.5万 USD')
    """
    try:
        v = Decimal(value)
    except (InvalidOperation, ValueError):
        return ""
    for unit, name in ((Decimal(10) ** 12, "万亿"), (Decimal(10) ** 8, "亿"), (Decimal(10) ** 4, "万")):
        if abs(v) >= unit:
            v, suffix = v / unit, name
            break
    else:
        suffix = ""
    num = f"{v.quantize(Decimal('0.01')):f}".rstrip("0").rstrip(".")
    return f"{_QUALIFIER_PREFIX.get(qualifier, '')}{num}{suffix} {currency}".strip()


def _amount_rows(idx: _Index, fact: Node) -> tuple[str, list[tuple[str, str]]]:
    amt = idx.one(fact, KG.amount)
    if amt is None:
        return "", []
    value, currency = idx.text(amt, SCHEMA.value), idx.text(amt, SCHEMA.currency)
    qual = idx.one(amt, KG.qualifier)
    short = _short_amount(value, currency, _local(qual) if qual is not None else "")
    rows = [("金额 Amount", f"{short} ({value} {currency})" if short else f"{value} {currency}".strip())]
    if qual is not None:
        rows.append(("表述 Stated as", f"{idx.term(qual)} {idx.term(qual, 1)}"))
    usd, rate = idx.text(amt, KG.amountUSD), idx.text(amt, KG.rateSource)
    if usd:
        rows.append(("折合美元 USD", f"{usd} ({rate})" if rate else usd))
    return short, rows


def _common_rows(idx: _Index, fact: Node) -> list[tuple[str, str]]:
    rows = []
    secs = idx.all(fact, KG.sector)
    if secs:
        rows.append(("行业 Sector", "; ".join(f"{idx.name(s)} {idx.label(s, 'en')}".strip() for s in secs)))
    for label, prop in (("业务 Activity", KG.activity), ("日期 Date", KG.date)):
        v = idx.text(fact, prop)
        if v:
            rows.append((label, v))
    status = idx.one(fact, KG.status)
    if status is not None:
        rows.append(("状态 Status", f"{idx.term(status)} {idx.term(status, 1)}"))
    projects = idx.text(fact, KG.projects)
    if projects:
        rows.append(("项目数 Projects", projects))
    via = idx.one(fact, KG.via)
    if via is not None:
        rows.append(("经由 Via", idx.name(via)))
    return rows


def _quotes(idx: _Index, fact: Node) -> list[tuple[str, str]]:
    """(sentence, article file name) of each derivation, lines joined as ``kg.export`` shows them."""
    out = []
    for d in idx.all(fact, PROV.qualifiedDerivation):
        quote = idx.text(d, KG.quote)
        quote = "".join(line.strip() for line in quote.splitlines()) if "\n" in quote else quote
        name = idx.text(idx.one(d, PROV.entity), KG.fileName)
        if quote or name:
            out.append((quote, name))
    return out


def _facts(g: Graph, idx: _Index, ents: dict[str, _Entity]) -> list[_Fact]:
    """Every investment, outbound investment and cooperation of the graph as edges, in a stable order."""
    out: list[_Fact] = []
    for s in sorted(set(g.subjects(RDF.type, KG.Investment)), key=str):
        inv, host = idx.one(s, KG.investor), idx.one(s, KG.host)
        if not isinstance(s, URIRef) or inv is None or host is None:
            continue
        kind = "outbound" if _OUTBOUND in idx.all(s, _TYPE) else "investment"
        short, rows = _amount_rows(idx, s)
        label = f"{EDGE_KINDS[kind][0]} {short}".strip()
        out.append(_Fact(kind, str(inv), str(host), label, str(s), rows + _common_rows(idx, s), set(),
                         {_local(x) for x in idx.all(s, KG.sector)}, _quotes(idx, s)))
    for s in sorted(set(g.subjects(RDF.type, KG.Cooperation)), key=str):
        if not isinstance(s, URIRef):
            continue
        parties = sorted({str(p) for p in idx.all(s, KG.party)})
        ckind = idx.one(s, KG.cooperationKind)
        label = idx.term(ckind) if ckind is not None else EDGE_KINDS["cooperation"][0]
        rows = [("合作类型 Kind", f"{label} {idx.term(ckind, 1)}" if ckind is not None else label)]
        agr = idx.one(s, KG.agreement)
        if agr is not None:
            rows.append(("协议或平台 Agreement", idx.name(agr)))
        rows += _common_rows(idx, s)
        sectors, quotes = {_local(x) for x in idx.all(s, KG.sector)}, _quotes(idx, s)
        for a, b in itertools.combinations(parties, 2):
            out.append(_Fact("cooperation", a, b, label, str(s), rows, set(), set(sectors), quotes))
    for f in out:
        for end in (f.source, f.target):
            e = ents.get(end)
            if e is not None and e.country:
                f.countries.add(e.country)
        if not f.sectors:
            f.sectors = {sec for end in (f.source, f.target) if end in ents for sec in ents[end].sectors}
    out.sort(key=_Fact.key)
    return out


def _ensure_entities(idx: _Index, ents: dict[str, _Entity], facts: Iterable[_Fact]) -> None:
    """Endpoints of facts that carry none of the entity classes still get a node (type ``Other``)."""
    for f in facts:
        for end in (f.source, f.target):
            if end not in ents:
                ents[end] = _entity(idx, URIRef(end))


# ---------------------------------------------------------------- choosing what to show


def _match(ents: dict[str, _Entity], name: str, what: str) -> str:
    """The IRI of the one entity whose IRI, key, label, alias or code is ``name`` (case-insensitive)."""
    wanted = name.strip().casefold()
    index: dict[str, set[str]] = defaultdict(set)
    spelled: dict[str, str] = {}
    for iri, e in ents.items():
        for n in e.names:
            index[n.casefold()].add(iri)
            spelled.setdefault(n.casefold(), n)
    hits = index.get(wanted, set())
    if len(hits) > 1:
        pref = {h for h in hits if wanted in (ents[h].zh.casefold(), ents[h].en.casefold())}
        hits = pref or hits
    if len(hits) == 1:
        return next(iter(hits))
    if hits:
        listed = "; ".join(f"{ents[h].zh or ents[h].en} <{h}>" for h in sorted(hits))
        raise AmbiguousEntity(f"{what} {name!r} matches {len(hits)} entities: {listed}; pass the IRI instead")
    labels = sorted(n for n in index if "://" not in n)
    close = [n for n in labels if wanted and wanted in n][:5] or difflib.get_close_matches(wanted, labels, n=5,
                                                                                          cutoff=0.4)
    hint = (f"; close matches: {', '.join(spelled[n] for n in close)}" if close
            else f"; none of the {len(labels)} known names is close")
    raise QueryError(f"no {what} matches {name!r}{hint}")


def _country_code(g: Graph, ents: dict[str, _Entity], country: str) -> str:
    codes = sorted(({str(c).upper() for c in g.objects(None, KG.isoCode)} | {e.country for e in ents.values()})
                   - {""})
    if country.strip().upper() in codes:
        return country.strip().upper()
    countries = {k: e for k, e in ents.items() if e.type == "Country"}
    try:
        return countries[_match(countries, country, "country")].country
    except QueryError as err:
        raise QueryError(f"{err}; ISO codes in the graph: {', '.join(codes)}") from err


def _below(g: Graph, top: URIRef) -> set[str]:
    """Keys of a sector and every sector below it (``skos:broader``, transitively)."""
    out, todo = {top}, [top]
    while todo:
        for s in g.subjects(SKOS.broader, todo.pop()):
            if isinstance(s, URIRef) and s not in out:
                out.add(s)
                todo.append(s)
    return {_local(s) for s in out}


def _sector_keys(g: Graph, idx: _Index, sector: str) -> tuple[str, set[str]]:
    """The key of the sector named ``sector`` (key, Chinese or English label), and the keys it covers."""
    secs = {}
    for s in sorted(set(g.subjects(RDF.type, KG.Sector)), key=str):
        if isinstance(s, URIRef):
            names = {_local(s), str(s)} | {str(o) for p in (SKOS.prefLabel, SKOS.altLabel, SKOS.notation)
                                           for o in idx.all(s, p)}
            secs[str(s)] = _Entity(str(s), "Sector", idx.name(s), idx.label(s, "en"), names)
    try:
        top = URIRef(_match(secs, sector, "sector"))
    except QueryError as err:
        raise QueryError(f"{err}; sectors: {', '.join(sorted(_local(s) for s in secs))}") from err
    return _local(top), _below(g, top)


def _select(ents: dict[str, _Entity], facts: list[_Fact], focus: str | None, depth: int, country: str | None,
            sectors: set[str] | None) -> tuple[list[str], list[_Fact]]:
    """What to draw: facts of the country/sector, their ends and the parks containing those, then the ego net."""
    kept = [f for f in facts if (country is None or country in f.countries)
            and (sectors is None or f.sectors & sectors)]
    nodes = {end for f in kept for end in (f.source, f.target)}
    todo = sorted(nodes)
    while todo:
        child = todo.pop()
        for parent in ents[child].parents if child in ents else ():
            kept.append(_Fact("part_of", child, parent, EDGE_KINDS["part_of"][0]))
            if parent not in nodes:
                nodes.add(parent)
                todo.append(parent)
    if focus is not None:
        adj: dict[str, set[str]] = defaultdict(set)
        for f in kept:
            adj[f.source].add(f.target)
            adj[f.target].add(f.source)
        ring, seen = {focus}, {focus}
        for _ in range(depth):
            ring = {n for r in ring for n in adj[r]} - seen
            seen |= ring
        nodes = seen
        kept = [f for f in kept if f.source in nodes and f.target in nodes]
    return sorted(nodes), sorted(kept, key=_Fact.key)


# ---------------------------------------------------------------- layout


def _layout(nodes: list[str], edges: list[tuple[str, str]], seed: int = 7) -> dict[str, tuple[float, float]]:
    """Positions in pixels: each connected component laid out alone (fixed seed), then packed in rows."""
    import networkx as nx

    try:
        import numpy  # noqa: F401
        import scipy  # type: ignore[import-untyped]  # noqa: F401
    except ImportError as err:
        raise ImportError("kg.visualize lays graphs out with numpy and scipy: pip install numpy scipy") from err

    g: nx.Graph[str] = nx.Graph()
    g.add_nodes_from(nodes)
    g.add_edges_from(sorted({(a, b) if a < b else (b, a) for a, b in edges if a != b}))
    comps = sorted((sorted(c) for c in nx.connected_components(g)), key=lambda c: (-len(c), c[0]))
    placed: list[tuple[dict[str, tuple[float, float]], float, float]] = []
    for comp in comps:
        inside = set(comp)
        sub_edges = sorted({(a, b) if a < b else (b, a) for a, b in g.edges(comp)
                            if a in inside and b in inside})
        if len(comp) == 1:
            pos = {comp[0]: (0.0, 0.0)}
        elif len(comp) == 2:
            pos = {comp[0]: (0.0, 0.0), comp[1]: (1.0, 0.0)}
        else:
            pos = _force_layout(comp, sub_edges, seed)
        placed.append(_normalise(pos, sub_edges))
    return _pack(placed)


def _normalise(pos: dict[str, tuple[float, float]], edges: list[tuple[str, str]]
               ) -> tuple[dict[str, tuple[float, float]], float, float]:
    """Scale so the median edge is ``_EDGE_LENGTH`` long and most nodes are ``_SPACING`` apart; bounding box at 0."""
    lengths = sorted(math.dist(pos[a], pos[b]) for a, b in edges)
    median = lengths[len(lengths) // 2] if lengths else 0.0
    k = _EDGE_LENGTH / median if median > 1e-9 else 1.0
    if len(pos) > 2:
        import numpy as np

        xy = np.array(list(pos.values()))
        nearest = np.sort(_tree(xy).query(xy, k=2)[0][:, 1])
        gap = float(nearest[len(nearest) // 4])  # a quarter of the nodes have a neighbour closer than this
        if gap > 1e-9:
            k = max(k, _SPACING / gap)
    xs = [p[0] * k for p in pos.values()]
    ys = [p[1] * k for p in pos.values()]
    x0, y0 = min(xs), min(ys)
    out = {n: (p[0] * k - x0, p[1] * k - y0) for n, p in pos.items()}
    return out, max(xs) - x0, max(ys) - y0


def _pack(placed: list[tuple[dict[str, tuple[float, float]], float, float]]) -> dict[str, tuple[float, float]]:
    """Shelf-pack component boxes (largest first) into rows about 1.6 times as wide as tall."""
    gap = _EDGE_LENGTH
    area = sum((w + gap) * (h + gap) for _, w, h in placed)
    width = max([math.sqrt(area * 1.6)] + [w + gap for _, w, h in placed])
    out: dict[str, tuple[float, float]] = {}
    x = y = row = 0.0
    for pos, w, h in placed:
        if x > 0 and x + w > width:
            x, y, row = 0.0, y + row + gap, 0.0
        for n, (px, py) in pos.items():
            out[n] = (round(x + px, 1), round(y + py, 1))
        x += w + gap
        row = max(row, h)
    return out


def _force_layout(nodes: list[str], edges: list[tuple[str, str]], seed: int) -> dict[str, tuple[float, float]]:
    """Pivot MDS for the global shape, then force-directed passes (exact repulsion nearby, a grid beyond).

    Each pass is linear in the number of nodes and edges, so 5,000 nodes take a second or two
    where ``networkx.spring_layout`` takes minutes; hubs get their leaves in a ring instead of a hairball.
    """
    import numpy as np
    from scipy.sparse import csr_matrix  # type: ignore[import-untyped]
    from scipy.sparse.csgraph import shortest_path  # type: ignore[import-untyped]

    n = len(nodes)
    index = {v: i for i, v in enumerate(nodes)}
    ei = np.array([[index[a], index[b]] for a, b in edges], dtype=np.int64)
    adj = csr_matrix((np.ones(len(ei)), (ei[:, 0], ei[:, 1])), shape=(n, n))
    adj = adj + adj.T
    # pivots: the best-connected node, then each time the node farthest from all pivots chosen so far
    degree = np.asarray(adj.getnnz(axis=1))
    pivots = [int(np.argmax(degree))]
    dist = np.empty((0, n))
    nearest = np.full(n, np.inf)
    for _ in range(min(40, n)):
        d = shortest_path(adj, unweighted=True, directed=False, indices=pivots[-1])
        dist = np.vstack([dist, d])
        nearest = np.minimum(nearest, d)
        nxt = int(np.argmax(nearest))
        if nearest[nxt] == 0:
            break
        pivots.append(nxt)
    d2 = dist ** 2
    c = -0.5 * (d2 - d2.mean(axis=1, keepdims=True) - d2.mean(axis=0, keepdims=True) + d2.mean())
    _vals, vecs = np.linalg.eigh(c @ c.T)
    coords = (c.T @ vecs[:, ::-1][:, :2]).astype(np.float64)
    for j in range(2):  # a fixed sign, so the picture does not flip between runs
        if coords[np.argmax(np.abs(coords[:, j])), j] < 0:
            coords[:, j] *= -1
    span = np.ptp(coords, axis=0).max() or 1.0
    rng = np.random.default_rng(seed)
    k = 1.0
    pos = coords / span * k * math.sqrt(n) + rng.uniform(-0.1, 0.1, size=(n, 2)) * k
    charge = 1 + _CHARGE * np.sqrt(degree)  # hubs push harder, so their leaves spread out in a ring
    iterations = _ITER if n > 1000 else _ITER_SMALL
    temp = k * math.sqrt(n) / 10
    for it in range(iterations):
        disp = np.zeros_like(pos)
        pairs = _tree(pos).query_pairs(_RADIUS * k, output_type="ndarray")
        if len(pairs):
            delta = pos[pairs[:, 0]] - pos[pairs[:, 1]]
            dd = np.maximum(np.hypot(delta[:, 0], delta[:, 1]), 1e-3)
            f = (k * k * charge[pairs[:, 0]] * charge[pairs[:, 1]] / dd ** 2)[:, None] * delta
            disp += _scatter(pairs[:, 0], f, n) - _scatter(pairs[:, 1], f, n)
        if _FAR and n > 50:
            disp += _FAR * k * k * charge[:, None] * _far_field(pos, charge)
        delta = pos[ei[:, 0]] - pos[ei[:, 1]]
        dd = np.hypot(delta[:, 0], delta[:, 1])
        f = (dd / k)[:, None] * delta
        disp += _scatter(ei[:, 1], f, n) - _scatter(ei[:, 0], f, n)
        length = np.maximum(np.hypot(disp[:, 0], disp[:, 1]), 1e-9)
        pos += disp / length[:, None] * np.minimum(length, temp)[:, None]
        temp = max(temp * 0.93, k * 0.02) if it < iterations - 1 else temp
    return {v: (float(pos[i, 0]), float(pos[i, 1])) for i, v in enumerate(nodes)}


def _tree(points: Any) -> Any:
    """A k-d tree of 2-D points (``scipy.spatial.cKDTree``) for neighbour queries."""
    from scipy.spatial import cKDTree  # type: ignore[import-untyped]

    return cKDTree(points)


def _far_field(pos: Any, charge: Any, grid: int = 48) -> Any:
    """Repulsion from all nodes on a grid (particle-mesh): the sum of q (p - c) / |p - c|^2 over other cells."""
    import numpy as np
    from scipy.signal import fftconvolve  # type: ignore[import-untyped]

    lo = pos.min(axis=0)
    h = max(float(np.ptp(pos, axis=0).max()), 1e-9) / (grid - 1)
    cell = np.clip(np.floor((pos - lo) / h).astype(np.int64), 0, grid - 1)
    flat = cell[:, 0] * grid + cell[:, 1]
    mass = np.bincount(flat, weights=charge, minlength=grid * grid).reshape(grid, grid)
    off = np.arange(-(grid - 1), grid, dtype=np.float64)
    dx, dy = np.meshgrid(off, off, indexing="ij")
    r2 = dx ** 2 + dy ** 2
    r2[grid - 1, grid - 1] = np.inf  # no force from a node's own cell (the near field handles it)
    fx = fftconvolve(mass, dx / r2, mode="same") / h
    fy = fftconvolve(mass, dy / r2, mode="same") / h
    return np.stack([fx.ravel()[flat], fy.ravel()[flat]], axis=1)


def _scatter(index: Any, values: Any, n: int) -> Any:
    """Sum rows of ``values`` (k x 2) into ``n`` rows by ``index`` (``np.add.at``, but 20x faster)."""
    import numpy as np

    return np.stack([np.bincount(index, weights=values[:, j], minlength=n) for j in range(2)], axis=1)


# ---------------------------------------------------------------- the page


def _json_for_html(data: object) -> str:
    """JSON that cannot end a ``<script>`` element nor start markup: ``<``, ``>``, ``&`` are ``\\u`` escapes."""
    text = json.dumps(data, ensure_ascii=False, sort_keys=True, separators=(",", ":"))
    for ch, esc in (("<", "\\u003c"), (">", "\\u003e"), ("&", "\\u0026"), ("\u2028", "\\u2028"),
                    ("\u2029", "\\u2029")):
        text = text.replace(ch, esc)
    return text


def _short(label: str) -> str:
    return label if len(label) <= _LABEL_MAX else label[: _LABEL_MAX - 1] + "…"


def _tooltip(lines: Iterable[str]) -> str:
    return "\n".join(line for line in lines if line)


def _vis_assets() -> tuple[str, str]:
    """vis-network's script and style sheet, as pyvis ships them for ``cdn_resources='in_line'``.

    The files are found without importing pyvis: its package imports IPython (a second on every build).
    """
    spec = importlib.util.find_spec("pyvis")
    if spec is None or not spec.submodule_search_locations:
        raise ImportError("kg.visualize needs pyvis 0.3.2 (it ships vis-network): pip install 'pyvis>=0.3.2'")
    lib = Path(next(iter(spec.submodule_search_locations))) / "templates" / "lib" / _VIS_DIR
    js = (lib / "vis-network.min.js").read_text(encoding="utf-8")
    css = (lib / "vis-network.css").read_text(encoding="utf-8")
    # "</script" or "</style" would end the element early (9.1.2 has neither; this keeps another copy safe)
    return re.sub(r"</(script)", r"<\\/\1", js, flags=re.I), re.sub(r"</(style)", r"<\\/\1", css, flags=re.I)


def _page_items(ents: dict[str, _Entity], node_ids: list[str], facts: list[_Fact]
                ) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """vis-network's node and edge items (the dicts pyvis' ``Node``/``Edge`` make, plus our fields)."""
    degree: dict[str, int] = defaultdict(int)
    for f in facts:
        degree[f.source] += 1
        degree[f.target] += 1
    pos = _layout(node_ids, [(f.source, f.target) for f in facts])
    nodes = []
    for iri in node_ids:
        e = ents[iri]
        zh_type, en_type = TYPES[e.type][1], TYPES[e.type][2]
        rows = [("类型 Type", f"{zh_type} {en_type}")]
        rows += [(k, v) for k, v in (("中文名 Chinese", e.zh), ("英文名 English", e.en),
                                     ("国家/地区 Country", e.country), ("类别 Kind", e.kind),
                                     ("行业 Sector", "; ".join(e.sector_names))) if v]
        aliases = sorted(e.names - {e.iri, e.iri.split("/id/", 1)[-1], e.zh, e.en, e.country})
        if aliases:
            rows.append(("别名 Aliases", "; ".join(aliases)))
        name = e.zh or e.en or _local(iri)
        x, y = pos[iri]
        nodes.append({
            "id": iri, "label": _short(name), "shape": TYPES[e.type][4], "group": e.type, "x": x, "y": y,
            "size": round(min(_MAX_SIZE, 10 + 4 * math.sqrt(degree[iri])), 1),
            "title": _tooltip([name, e.en if e.en != name else "", f"{zh_type} {en_type}",
                               f"国家/地区 Country: {e.country}" if e.country else "",
                               f"Wikidata: {e.wikidata}" if e.wikidata else "",
                               f"{degree[iri]} 条关系 links"]),
            "kgType": e.type, "zh": e.zh, "en": e.en, "country": e.country, "wikidata": e.wikidata,
            "search": " ".join(sorted(n.casefold() for n in e.names)), "rows": rows,
        })
    edges = []
    lanes: dict[tuple[str, str], int] = defaultdict(int)
    for i, f in enumerate(facts):
        _zh, _en, colour, dashed, arrow = EDGE_KINDS[f.kind]
        pair = (min(f.source, f.target), max(f.source, f.target))
        lane = lanes[pair]
        lanes[pair] += 1
        smooth: dict[str, Any] | bool = False
        if lane:
            smooth = {"enabled": True, "type": "curvedCW" if lane % 2 else "curvedCCW",
                      "roundness": 0.2 * ((lane + 1) // 2)}
        a, b = ents[f.source], ents[f.target]
        quote = f.evidence[0][0] if f.evidence else ""
        edge = {
            "id": f"e{i}", "from": f.source, "to": f.target, "arrows": "to" if arrow else "", "dashes": dashed,
            "smooth": smooth, "color": {"color": colour, "highlight": colour, "hover": colour, "opacity": 0.75},
            "title": _tooltip([f.label, f"{a.zh or a.en} → {b.zh or b.en}",
                               quote[:60] + "…" if len(quote) > 60 else quote,
                               f.evidence[0][1] if f.evidence else ""]),
            "kgLabel": f.label, "kgKind": f.kind, "iri": f.iri, "countries": sorted(f.countries),
            "sectors": sorted(f.sectors), "evidence": [{"quote": q, "file": file} for q, file in f.evidence],
            "rows": [("关系 Relation", f"{_zh} {_en}")] + f.rows,
        }
        if len(facts) <= _EDGE_LABEL_LIMIT:
            edge["label"] = f.label
        edges.append(edge)
    return nodes, edges


def _options(n_edges: int) -> dict[str, Any]:
    big = n_edges > 3000
    groups = {}
    for key, (_cls, _zh, _en, colour, shape) in TYPES.items():
        groups[key] = {"shape": shape, "color": {"background": colour, "border": "#333333",
                                                 "highlight": {"background": colour, "border": "#000000"},
                                                 "hover": {"background": colour, "border": "#000000"}}}
    return {
        "autoResize": True,
        "physics": {"enabled": False},
        "layout": {"improvedLayout": False, "randomSeed": 1},
        "interaction": {"hover": True, "tooltipDelay": 150, "multiselect": True, "hideEdgesOnDrag": big,
                        "hideEdgesOnZoom": big},
        "nodes": {"borderWidth": 1,
                  "font": {"face": _FONT, "size": 14, "strokeWidth": 3, "strokeColor": "#ffffff"}},
        "edges": {"width": 1.2, "selectionWidth": 2, "smooth": False, "arrowStrikethrough": False,
                  "arrows": {"to": {"scaleFactor": 0.6}},
                  "font": {"face": _FONT, "size": 11, "align": "middle", "color": "#444444", "strokeWidth": 3,
                           "strokeColor": "#ffffff"}},
        "groups": groups,
    }


def render_html(graph: Graph, *, focus: str | None = None, depth: int = 1, country: str | None = None,
                sector: str | None = None, title: str = DEFAULT_TITLE) -> str:
    """A self-contained interactive page (vis-network) of the graph's parks, firms, institutions and countries.

    Nodes are the entities that take part in an investment, outbound investment or
    cooperation, and the parks that contain them; edges are those facts and the
    sub-park links. The page has a legend, filters by type, country and sector, a
    search box, and a side panel with each entity's or fact's labels, country,
    Wikidata id and evidence sentences. It loads nothing from the network, and
    the same graph always gives the same bytes.

    Parameters
    ----------
    graph : rdflib.Graph
        A built graph (``kg.query.load_graph``).
    focus : str, optional
        IRI, key, Chinese or English label or alias of an entity: draw only what lies
        within ``depth`` links of it.
    depth : int
        Hops around ``focus`` (default 1).
    country : str, optional
        ISO 3166-1 code (or name) of a country: keep the facts with a party from there.
    sector : str, optional
        Key or label of a sector: keep the facts in it or in a sector below it.
    title : str
        Page title and heading.

    Returns
    -------
    str
        The HTML page.

    Raises
    ------
    QueryError
        When ``focus``, ``country`` or ``sector`` matches nothing (the message lists close
        matches or the valid choices), or ``depth`` is negative.
    AmbiguousEntity
        When ``focus`` names several entities.

    Examples
    --------
    >>> page = render_html(_example_graph(), focus="Siemens", depth=1)
    >>> sorted(n["zh"] for n in _page_data(page)["nodes"])
    ['苏州工业园区', '西门子']
    """
    if depth < 0:
        raise QueryError(f"depth must be 0 or more, not {depth}")
    idx = _Index(graph)
    ents = _entities(graph, idx)
    facts = _facts(graph, idx, ents)
    _ensure_entities(idx, ents, facts)
    code = _country_code(graph, ents, country) if country is not None else None
    sector_key, sectors = _sector_keys(graph, idx, sector) if sector is not None else ("", None)
    centre = _match(ents, focus, "entity") if focus is not None else None
    node_ids, shown = _select(ents, facts, centre, depth, code, sectors)
    nodes, edges = _page_items(ents, node_ids, shown)
    countries = sorted({c for f in shown for c in f.countries})
    by_code = {e.country: e for e in ents.values() if e.type == "Country" and e.country}
    sector_nodes = {_local(s): s for s in graph.subjects(RDF.type, KG.Sector) if isinstance(s, URIRef)}
    # the sectors on the facts, and the broader sectors above them (choosing one keeps all below it)
    sector_keys, todo = set(), sorted({s for f in shown for s in f.sectors})
    while todo:
        key = todo.pop()
        sector_keys.add(key)
        if key in sector_nodes:
            todo += [k for b in graph.objects(sector_nodes[key], SKOS.broader)
                     if (k := _local(b)) in sector_nodes and k not in sector_keys]
    counts = {k: sum(1 for n in nodes if n["kgType"] == k) for k in TYPES}
    data = {
        "nodes": nodes,
        "edges": edges,
        "options": _options(len(edges)),
        "types": [{"key": k, "zh": t[1], "en": t[2], "color": t[3], "shape": t[4], "count": counts[k]}
                  for k, t in TYPES.items() if counts[k] or k != "Other"],
        "edgeKinds": [{"key": k, "zh": t[0], "en": t[1], "color": t[2], "dashed": t[3], "arrow": t[4]}
                      for k, t in EDGE_KINDS.items()],
        "countries": [{"code": c, "zh": by_code[c].zh if c in by_code else "",
                       "en": by_code[c].en if c in by_code else ""} for c in countries],
        "sectors": [{"key": s, "zh": idx.name(sector_nodes[s]) if s in sector_nodes else s,
                     "en": idx.label(sector_nodes[s], "en") if s in sector_nodes else "",
                     "covers": sorted(_below(graph, sector_nodes[s])) if s in sector_nodes else [s]}
                    for s in sorted(sector_keys)],
        "edgeLabels": "always" if len(edges) <= _EDGE_LABEL_LIMIT else "selection",
        "filter": {"focus": centre or "", "depth": depth, "country": code or "", "sector": sector_key},
    }
    js, css = _vis_assets()
    return _PAGE.format(title=_html.escape(title, quote=True), vis_css=css, vis_js=js, css=_CSS,
                        data=_json_for_html(data), script=_SCRIPT)


STORE_EDGE_LIMIT = 1500  # pairs drawn from a big build's store


def render_store_html(store: Any, limit: int = STORE_EDGE_LIMIT, title: str = DEFAULT_TITLE,
                      records: dict[str, list[tuple[str, ...]]] | None = None) -> str:
    """The page for a big build held in a pyoxigraph Store: its ``limit`` most-reported pairs of parties.

    A page with hundreds of thousands of edges cannot be drawn by a browser, so each
    pair of parties (investor and host, or two partners) is drawn once, with one of its
    facts, and only the pairs reported most often are kept; the title says how many
    pairs there are in all. ``kg query`` and the CSV tables hold every fact. ``records``
    (``kg.tables.fact_records`` of the whole graph) spare a scan of the store.
    """
    import pyoxigraph as ox

    from kg.tables import fact_records

    prefixes = "PREFIX kg: <https://w3id.org/sino-foreign-kg/ontology#>\nPREFIX prov: <http://www.w3.org/ns/prov#>\n"
    if records is None:
        records = fact_records(q.triple for q in store.quads_for_pattern(None, None, None))
    count: dict[tuple[str, str], int] = defaultdict(int)
    first: dict[tuple[str, str], str] = {}
    for table in ("investment", "outbound", "cooperation"):
        fields = FIELDS[table]
        iri_at = fields.index("iri")
        if table == "cooperation":
            at = fields.index("parties")
            pairs = ((r[iri_at], pair) for r in records[table] for pair in itertools.combinations(r[at].split("|"), 2))
        else:
            a, b = fields.index("investor_iri"), fields.index("host_iri")
            pairs = ((r[iri_at], (r[a], r[b])) for r in records[table])
        for iri, pair in pairs:
            count[pair] += 1
            if pair not in first or iri < first[pair]:
                first[pair] = iri
    total = len(count)
    chosen = [first[p] for p in sorted(count, key=lambda p: (-count[p], first[p]))[:limit]]
    values = " ".join(f"<{iri}>" for iri in chosen)
    triples: list[Any] = []
    for q in (f"CONSTRUCT {{ ?f ?p ?o }} WHERE {{ VALUES ?f {{ {values} }} ?f ?p ?o }}",
              f"CONSTRUCT {{ ?x ?p ?o }} WHERE {{ VALUES ?f {{ {values} }} "
              "?f kg:amount|prov:qualifiedDerivation ?x . ?x ?p ?o }",
              f"CONSTRUCT {{ ?a kg:fileName ?n }} WHERE {{ VALUES ?f {{ {values} }} "
              "?f prov:qualifiedDerivation/prov:entity ?a . ?a kg:fileName ?n }",
              "CONSTRUCT { ?s ?p ?o } WHERE { VALUES ?c { kg:Park kg:Company kg:Institution kg:Country kg:Agreement "
              "kg:JointPlatform kg:Sector } ?s a ?c ; ?p ?o "
              "FILTER(?p != prov:wasDerivedFrom && ?p != prov:qualifiedDerivation) }"):
        triples += list(store.query(prefixes + q, use_default_graph_as_union=True))
    g = Graph()
    g.parse(data=ox.serialize(triples, format=ox.RdfFormat.N_TRIPLES).decode("utf-8"), format="nt")
    if total > len(chosen):
        title = f"{title}（{len(chosen)} / {total} 对关系 pairs: the most reported）"
    return render_html(g, title=title)


# ---------------------------------------------------------------- helpers for doctests and tests


def _page_data(page: str) -> dict[str, Any]:
    """The JSON a page embeds (nodes, edges, filters), parsed back."""
    m = re.search(r'<script type="application/json" id="kg-data">(.*?)</script>', page, re.S)
    if m is None:
        raise ValueError("no kg-data element in the page")
    return json.loads(m.group(1))  # type: ignore[no-any-return]


def _example_graph() -> Graph:
    """Siemens invests in Suzhou Industrial Park; China and Germany as countries."""
    from kg.namespaces import ID

    g = Graph()
    sip, siemens, cn, de = ID["park/sip"], ID["company/siemens"], ID["country/CN"], ID["country/DE"]
    inv, ev, art = ID["investment/1"], ID["investment/1#evidence"], ID["article/a"]
    for s, cls in ((sip, KG.Park), (siemens, KG.Company), (cn, KG.Country), (de, KG.Country),
                   (inv, KG.Investment)):
        g.add((s, RDF.type, cls))
    g.add((sip, SKOS.prefLabel, Literal("苏州工业园区", lang="zh-Hans")))
    g.add((siemens, SKOS.prefLabel, Literal("西门子", lang="zh-Hans")))
    g.add((siemens, SKOS.prefLabel, Literal("Siemens", lang="en")))
    g.add((cn, SKOS.prefLabel, Literal("中国", lang="zh-Hans")))
    g.add((de, SKOS.prefLabel, Literal("德国", lang="zh-Hans")))
    g.add((cn, KG.isoCode, Literal("CN")))
    g.add((de, KG.isoCode, Literal("DE")))
    g.add((sip, KG.country, cn))
    g.add((siemens, KG.country, de))
    g.add((inv, KG.investor, siemens))
    g.add((inv, KG.host, sip))
    g.add((inv, PROV.qualifiedDerivation, ev))
    g.add((ev, PROV.entity, art))
    g.add((ev, KG.quote, Literal("西门子在苏州工业园区投资。")))
    g.add((art, KG.fileName, Literal("a.txt")))
    coop = ID["cooperation/1"]
    g.add((coop, RDF.type, KG.Cooperation))
    g.add((coop, KG.party, cn))
    g.add((coop, KG.party, de))
    return g


_CSS = """
html, body { margin: 0; height: 100%; font-family: "WenQuanYi Zen Hei", "Noto Sans CJK SC", "Source Han Sans SC",
  "PingFang SC", "Microsoft YaHei", sans-serif; font-size: 14px; color: #222; background: #fff; }
body { display: flex; flex-direction: column; }
#kg-header { display: flex; flex-wrap: wrap; align-items: center; gap: 8px; padding: 6px 12px;
  border-bottom: 1px solid #ddd; background: #fafafa; }
#kg-header h1 { font-size: 17px; margin: 0 12px 0 0; font-weight: 600; }
#kg-header input, #kg-header select, #kg-header button { font: inherit; padding: 3px 6px; }
#kg-search { width: 220px; }
#kg-header select { max-width: 240px; }
#kg-status { margin-left: auto; color: #555; }
#kg-main { display: flex; flex: 1; min-height: 0; }
#kg-stage { position: relative; flex: 1; min-width: 0; }
#kg-network { position: absolute; inset: 0; }
#kg-legend { flex: none; overflow: auto; background: #fafafa; border-right: 1px solid #ddd; padding: 8px 12px;
  line-height: 1.7; }
#kg-legend h2 { font-size: 13px; margin: 0 0 2px 0; color: #555; }
#kg-legend label { display: flex; align-items: center; gap: 6px; cursor: pointer; white-space: nowrap; }
#kg-legend .kg-count { color: #777; }
.kg-note { max-width: 210px; color: #666; font-size: 12px; line-height: 1.4; }
.kg-swatch { display: inline-block; width: 14px; height: 14px; }
.kg-line { display: inline-block; width: 26px; border-top-width: 2px; border-top-style: solid; vertical-align: middle; }
.kg-line.kg-dashed { border-top-style: dashed; }
.kg-edge-row { display: flex; align-items: center; gap: 6px; white-space: nowrap; }
#kg-results { position: absolute; left: 50%; transform: translateX(-50%); top: 4px; margin: 0; padding: 4px;
  list-style: none; background: #fff; border: 1px solid #bbb; border-radius: 4px; max-height: 50%; overflow: auto;
  z-index: 5; box-shadow: 0 2px 8px rgba(0,0,0,0.2); min-width: 280px; }
#kg-results button { display: block; width: 100%; text-align: left; border: 0; background: none; padding: 3px 6px;
  font: inherit; cursor: pointer; }
#kg-results button:hover { background: #eef3ff; }
#kg-panel { position: absolute; right: 0; top: 0; bottom: 0; width: 380px; max-width: 45%; overflow: auto;
  background: rgba(255,255,255,0.97); border-left: 1px solid #ccc; padding: 10px 14px; box-sizing: border-box;
  z-index: 4; }
#kg-panel h2 { font-size: 17px; margin: 4px 28px 4px 0; }
#kg-panel h3 { font-size: 14px; margin: 14px 0 4px 0; color: #444; }
#kg-panel table { border-collapse: collapse; width: 100%; }
#kg-panel th { text-align: left; vertical-align: top; color: #666; font-weight: normal; padding: 2px 8px 2px 0;
  white-space: nowrap; }
#kg-panel td { padding: 2px 0; word-break: break-all; }
#kg-panel blockquote { margin: 6px 0; padding: 4px 8px; border-left: 3px solid #ccc; background: #f7f7f7; }
#kg-panel cite { display: block; color: #777; font-size: 12px; margin-top: 2px; }
#kg-panel ul { padding-left: 18px; margin: 4px 0; }
#kg-panel .kg-link { border: 0; background: none; color: #1558b0; cursor: pointer; padding: 0; font: inherit;
  text-align: left; text-decoration: underline; }
#kg-close { position: absolute; right: 8px; top: 6px; border: 0; background: none; font-size: 20px; cursor: pointer; }
div.vis-tooltip { white-space: pre-wrap; max-width: 420px; font-family: inherit; }
[hidden] { display: none !important; }
"""

_SCRIPT = r"""
(function () {
  "use strict";
  var DATA = JSON.parse(document.getElementById("kg-data").textContent);
  var statusEl = document.getElementById("kg-status");
  function el(tag, text, cls) {
    var e = document.createElement(tag);
    if (text !== undefined && text !== null) { e.textContent = String(text); }
    if (cls) { e.className = cls; }
    return e;
  }
  function clear(e) { while (e.firstChild) { e.removeChild(e.firstChild); } }
  if (typeof vis === "undefined") {
    statusEl.textContent = "vis-network did not load";
    statusEl.setAttribute("data-state", "error");
    return;
  }
  var SHAPES = {
    dot: "circle(50%)", diamond: "polygon(50% 0, 100% 50%, 50% 100%, 0 50%)",
    triangle: "polygon(50% 0, 100% 100%, 0 100%)", square: "none",
    hexagon: "polygon(25% 3%, 75% 3%, 100% 50%, 75% 97%, 25% 97%, 0 50%)",
    star: "polygon(50% 0, 61% 35%, 98% 35%, 68% 57%, 79% 91%, 50% 70%, 21% 91%, 32% 57%, 2% 35%, 39% 35%)"
  };
  var nodes = new vis.DataSet(DATA.nodes);
  var edges = new vis.DataSet(DATA.edges);
  var nodeById = {};
  DATA.nodes.forEach(function (n) { nodeById[n.id] = n; });
  var edgeById = {};
  DATA.edges.forEach(function (e) { edgeById[e.id] = e; });
  var network = new vis.Network(document.getElementById("kg-network"), {nodes: nodes, edges: edges}, DATA.options);

  var typeOn = {};
  var country = "", sector = null;
  var covers = {};
  DATA.sectors.forEach(function (s) { covers[s.key] = s.covers; });
  var visibleNodes = {}, visibleEdgeCount = 0, visibleNodeCount = 0;
  var hiddenNodes = {}, hiddenEdges = {};

  function name(n) { return n.zh || n.en || n.id; }

  // ---- legend and filters
  var legend = document.getElementById("kg-legend");
  legend.appendChild(el("h2", "类型 Types"));
  DATA.types.forEach(function (t) {
    typeOn[t.key] = true;
    var label = el("label");
    var box = el("input");
    box.type = "checkbox";
    box.checked = true;
    box.setAttribute("data-type", t.key);
    box.addEventListener("change", function () { typeOn[t.key] = box.checked; applyFilters(); });
    var sw = el("span", null, "kg-swatch");
    sw.style.background = t.color;
    sw.style.clipPath = SHAPES[t.shape] || "none";
    label.appendChild(box);
    label.appendChild(sw);
    label.appendChild(el("span", t.zh + " " + t.en));
    label.appendChild(el("span", "(" + t.count + ")", "kg-count"));
    legend.appendChild(label);
  });
  legend.appendChild(el("h2", "关系 Links"));
  DATA.edgeKinds.forEach(function (k) {
    var row = el("div", null, "kg-edge-row");
    var line = el("span", null, "kg-line" + (k.dashed ? " kg-dashed" : ""));
    line.style.borderTopColor = k.color;
    row.appendChild(line);
    row.appendChild(el("span", (k.arrow ? "→ " : "— ") + k.zh + " " + k.en));
    legend.appendChild(row);
  });

  if (DATA.edgeLabels === "selection") {
    legend.appendChild(el("p", "关系标签在选中节点时显示 Link labels show for the selection", "kg-note"));
  }

  var countrySel = document.getElementById("kg-country");
  DATA.countries.forEach(function (c) {
    var o = el("option", c.code + " " + [c.zh, c.en].filter(Boolean).join(" "));
    o.value = c.code;
    countrySel.appendChild(o);
  });
  var sectorSel = document.getElementById("kg-sector");
  DATA.sectors.forEach(function (s) {
    var o = el("option", [s.zh, s.en].filter(Boolean).join(" "));
    o.value = s.key;
    sectorSel.appendChild(o);
  });
  countrySel.addEventListener("change", function () { country = countrySel.value; applyFilters(); });
  sectorSel.addEventListener("change", function () {
    sector = sectorSel.value ? covers[sectorSel.value] : null;
    applyFilters();
  });

  function factOk(e) {
    if (e.kgKind === "part_of") { return true; }
    return (!country || e.countries.indexOf(country) >= 0) &&
      (!sector || e.sectors.some(function (s) { return sector.indexOf(s) >= 0; }));
  }

  function applyFilters() {
    var keep = {};
    if (country || sector) {
      DATA.edges.forEach(function (e) {
        if (e.kgKind !== "part_of" && factOk(e)) { keep[e.from] = true; keep[e.to] = true; }
      });
      var grown = true;
      while (grown) {
        grown = false;
        DATA.edges.forEach(function (e) {
          if (e.kgKind === "part_of" && keep[e.from] && !keep[e.to]) { keep[e.to] = true; grown = true; }
        });
      }
    } else {
      DATA.nodes.forEach(function (n) { keep[n.id] = true; });
    }
    // only items whose visibility changes are updated: vis-network re-reads every option of an updated item
    var nodeUpdates = [], edgeUpdates = [];
    visibleNodes = {};
    visibleNodeCount = 0;
    DATA.nodes.forEach(function (n) {
      var show = !!keep[n.id] && typeOn[n.kgType] !== false;
      if (show) { visibleNodes[n.id] = true; visibleNodeCount += 1; }
      if (!!hiddenNodes[n.id] === show) { hiddenNodes[n.id] = !show; nodeUpdates.push({id: n.id, hidden: !show}); }
    });
    visibleEdgeCount = 0;
    DATA.edges.forEach(function (e) {
      var show = factOk(e) && !!visibleNodes[e.from] && !!visibleNodes[e.to];
      if (show) { visibleEdgeCount += 1; }
      if (!!hiddenEdges[e.id] === show) { hiddenEdges[e.id] = !show; edgeUpdates.push({id: e.id, hidden: !show}); }
    });
    if (nodeUpdates.length) { nodes.update(nodeUpdates); }
    if (edgeUpdates.length) { edges.update(edgeUpdates); }
    showStatus();
  }

  function showStatus() {
    statusEl.textContent = visibleNodeCount + " / " + DATA.nodes.length + " 个节点 nodes · " +
      visibleEdgeCount + " / " + DATA.edges.length + " 条关系 links";
  }

  // large graphs: measuring thousands of edge labels would delay the first drawing by seconds,
  // so labels are shown only on the links of the selected nodes
  var labelled = [];
  function labelSelection() {
    if (DATA.edgeLabels !== "selection") { return; }
    var sel = network.getSelection();
    var want = {};
    sel.edges.forEach(function (id) { want[id] = true; });
    sel.nodes.forEach(function (id) { network.getConnectedEdges(id).forEach(function (e) { want[e] = true; }); });
    var ids = Object.keys(want).slice(0, 500);
    var updates = labelled.filter(function (id) { return !want[id]; })
      .map(function (id) { return {id: id, label: " "}; });
    ids.forEach(function (id) { updates.push({id: id, label: edgeById[id].kgLabel}); });
    labelled = ids;
    if (updates.length) { edges.update(updates); }
  }

  // ---- side panel
  var panel = document.getElementById("kg-panel");
  var body = document.getElementById("kg-panel-body");
  document.getElementById("kg-close").addEventListener("click", function () {
    panel.hidden = true;
    network.unselectAll();
  });

  function table(rows) {
    var t = el("table");
    rows.forEach(function (r) {
      var tr = el("tr");
      tr.appendChild(el("th", r[0]));
      tr.appendChild(el("td", r[1]));
      t.appendChild(tr);
    });
    return t;
  }

  function link(text, onClick) {
    var b = el("button", text, "kg-link");
    b.type = "button";
    b.addEventListener("click", onClick);
    return b;
  }

  function evidenceList(items, limit) {
    var box = el("div");
    var seen = {};
    var shown = 0, more = 0;
    items.forEach(function (ev) {
      var key = ev.quote + "\u0000" + ev.file;
      if (seen[key]) { return; }
      seen[key] = true;
      if (shown >= limit) { more += 1; return; }
      shown += 1;
      var q = el("blockquote", ev.quote);
      q.appendChild(el("cite", ev.file));
      box.appendChild(q);
    });
    if (more) { box.appendChild(el("p", "… 另有 " + more + " 条 more")); }
    if (!shown) { box.appendChild(el("p", "（无 none）")); }
    return box;
  }

  function wikidataRow(t, qid) {
    if (!/^Q[0-9]+$/.test(qid)) { return; }
    var tr = el("tr");
    tr.appendChild(el("th", "Wikidata"));
    var td = el("td");
    td.appendChild(el("span", qid + " "));
    td.appendChild(link("打开 open", function () {
      window.open(["https:", "", "www.wikidata.org", "wiki", qid].join("/"), "_blank", "noopener");
    }));
    tr.appendChild(td);
    t.appendChild(tr);
  }

  function showNode(id) {
    var n = nodeById[id];
    if (!n) { return; }
    clear(body);
    body.appendChild(el("h2", name(n)));
    var t = table(n.rows);
    wikidataRow(t, n.wikidata);
    var tr = el("tr");
    tr.appendChild(el("th", "IRI"));
    tr.appendChild(el("td", n.id));
    t.appendChild(tr);
    body.appendChild(t);
    var connected = network.getConnectedEdges(id).map(function (eid) { return edgeById[eid]; })
      .filter(function (e) { return e && visibleNodes[e.from] && visibleNodes[e.to] && factOk(e); });
    body.appendChild(el("h3", "关系 Links (" + connected.length + ")"));
    var ul = el("ul");
    connected.slice(0, 200).forEach(function (e) {
      var other = nodeById[e.from === id ? e.to : e.from];
      var li = el("li");
      li.appendChild(link(e.kgLabel, function () { selectEdge(e.id); }));
      li.appendChild(el("span", e.from === id ? " → " : " ← "));
      li.appendChild(link(name(other), function () { selectNode(other.id); }));
      ul.appendChild(li);
    });
    body.appendChild(ul);
    body.appendChild(el("h3", "证据 Evidence"));
    var evs = [];
    connected.forEach(function (e) { evs = evs.concat(e.evidence); });
    body.appendChild(evidenceList(evs, 30));
    panel.hidden = false;
  }

  function showEdge(id) {
    var e = edgeById[id];
    if (!e) { return; }
    clear(body);
    body.appendChild(el("h2", e.kgLabel));
    var p = el("p");
    p.appendChild(link(name(nodeById[e.from]), function () { selectNode(e.from); }));
    p.appendChild(el("span", e.kgKind === "cooperation" ? " — " : " → "));
    p.appendChild(link(name(nodeById[e.to]), function () { selectNode(e.to); }));
    body.appendChild(p);
    var rows = e.rows.slice();
    if (e.countries.length) { rows.push(["国家/地区 Countries", e.countries.join(", ")]); }
    if (e.iri) { rows.push(["IRI", e.iri]); }
    body.appendChild(table(rows));
    body.appendChild(el("h3", "证据 Evidence"));
    body.appendChild(evidenceList(e.evidence, 30));
    panel.hidden = false;
  }

  function selectNode(id) {
    if (!nodeById[id]) { return; }
    network.selectNodes([id]);
    labelSelection();
    network.focus(id, {scale: Math.max(network.getScale(), 1.0), animation: {duration: 300}});
    showNode(id);
  }

  function selectEdge(id) {
    network.setSelection({nodes: [], edges: [id]});
    labelSelection();
    showEdge(id);
  }

  network.on("select", labelSelection);
  network.on("click", function (params) {
    if (params.nodes.length) { showNode(params.nodes[0]); }
    else if (params.edges.length) { showEdge(params.edges[0]); }
    else { panel.hidden = true; }
  });

  // ---- search
  var search = document.getElementById("kg-search");
  var results = document.getElementById("kg-results");
  function matches(q) {
    q = q.trim().toLowerCase();
    if (!q) { return []; }
    return DATA.nodes.filter(function (n) { return visibleNodes[n.id] && n.search.indexOf(q) >= 0; });
  }
  function runSearch() {
    clear(results);
    var found = matches(search.value);
    if (!search.value.trim()) { results.hidden = true; return found; }
    found.slice(0, 30).forEach(function (n) {
      var li = el("li");
      var b = el("button", name(n) + (n.en && n.en !== name(n) ? " · " + n.en : "") + " (" + n.kgType + ")");
      b.type = "button";
      b.addEventListener("click", function () { results.hidden = true; selectNode(n.id); });
      li.appendChild(b);
      results.appendChild(li);
    });
    if (!found.length) { results.appendChild(el("li", "无结果 no match")); }
    results.hidden = false;
    network.selectNodes(found.map(function (n) { return n.id; }));
    labelSelection();
    return found;
  }
  search.addEventListener("input", runSearch);
  search.addEventListener("keydown", function (ev) {
    if (ev.key === "Enter") {
      var found = runSearch();
      if (found.length) { results.hidden = true; selectNode(found[0].id); }
    } else if (ev.key === "Escape") {
      search.value = "";
      runSearch();
    }
  });
  document.getElementById("kg-reset").addEventListener("click", function () {
    legend.querySelectorAll("input[type=checkbox]").forEach(function (b) { b.checked = true; });
    Object.keys(typeOn).forEach(function (k) { typeOn[k] = true; });
    countrySel.value = "";
    sectorSel.value = "";
    country = "";
    sector = null;
    search.value = "";
    runSearch();
    panel.hidden = true;
    applyFilters();
    network.fit();
  });

  // a view can be linked: graph.html#country=DE&sector=pharma&hide=Company,Country&search=阿斯利康
  var params = {};
  window.location.hash.replace(/^#/, "").split("&").forEach(function (kv) {
    var i = kv.indexOf("=");
    if (i <= 0) { return; }
    try { params[decodeURIComponent(kv.slice(0, i))] = decodeURIComponent(kv.slice(i + 1)); } catch (err) { }
  });
  if (params.country) { countrySel.value = params.country; country = countrySel.value; }
  if (params.sector && covers[params.sector]) { sectorSel.value = params.sector; sector = covers[params.sector]; }
  (params.hide || "").split(",").forEach(function (key) {
    if (typeOn[key] === undefined) { return; }
    typeOn[key] = false;
    legend.querySelectorAll("input[type=checkbox]").forEach(function (b) {
      if (b.getAttribute("data-type") === key) { b.checked = false; }
    });
  });

  applyFilters();
  network.once("afterDrawing", function () {
    // fit() frames the nodes but not their labels: leave a margin
    network.moveTo({scale: network.getScale() * 0.92});
    statusEl.setAttribute("data-state", "drawn");
    statusEl.setAttribute("data-nodes", String(visibleNodeCount));
    statusEl.setAttribute("data-edges", String(visibleEdgeCount));
    statusEl.setAttribute("data-ms", String(Math.round(performance.now())));
    if (params.search) {
      search.value = params.search;
      var found = runSearch();
      if (found.length) { results.hidden = true; selectNode(found[0].id); }
    }
  });
})();
"""

_PAGE = """<!doctype html>
<html lang="zh-Hans">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{title}</title>
<style>{vis_css}</style>
<style>{css}</style>
<script>{vis_js}</script>
</head>
<body>
<header id="kg-header">
<h1>{title}</h1>
<input id="kg-search" type="search" placeholder="搜索名称 Search names…" aria-label="搜索 Search">
<select id="kg-country" aria-label="国家/地区 Country"><option value="">全部国家/地区 All countries</option></select>
<select id="kg-sector" aria-label="行业 Sector"><option value="">全部行业 All sectors</option></select>
<button id="kg-reset" type="button">重置 Reset</button>
<span id="kg-status" data-state="loading">加载中 Loading…</span>
</header>
<div id="kg-main">
<nav id="kg-legend" aria-label="图例 Legend"></nav>
<div id="kg-stage">
<div id="kg-network"></div>
<ul id="kg-results" hidden></ul>
<aside id="kg-panel" hidden><button id="kg-close" type="button" aria-label="关闭 Close">×</button>
<div id="kg-panel-body"></div></aside>
</div>
</div>
<noscript>此页面需要 JavaScript。This page needs JavaScript.</noscript>
<script type="application/json" id="kg-data">{data}</script>
<script>{script}</script>
</body>
</html>
"""

__all__ = ["render_html", "DEFAULT_TITLE", "TYPES", "EDGE_KINDS"]
