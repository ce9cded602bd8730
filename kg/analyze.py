"""Link tables and network measures of a built graph: who invests where, in what, and how it connects.

Every function reads an ``rdflib.Graph`` (as ``kg.query.load_graph`` returns it)
and returns plain records: lists of dicts or ``dict[node, value]`` keyed by
entity IRIs. Amounts in USD are whole dollars (``int``), summed over the
investments whose amount carries ``kg:amountUSD``; ``None`` when none does.

>>> g = _example_graph()
>>> [(r["investor"], r["park"], r["investments"], r["amount_usd"]) for r in links(g, park="苏州工业园区")]
[('罗氏诊断', '苏州工业园区', 2, 1186000000), ('丹纳赫', '苏州工业园区', 1, None)]
"""

from __future__ import annotations

import difflib
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import TYPE_CHECKING, Any

import networkx as nx
from rdflib import RDF, RDFS, SKOS, Graph, Literal, URIRef
from rdflib.namespace import PROV
from rdflib.term import Node

from kg.errors import AmbiguousEntity, QueryError
from kg.export import preferred_label as _label
from kg.namespaces import KG, ORG, SCHEMA

if TYPE_CHECKING:
    from kg.build import Rates

BY_CHOICES = ("investor", "park", "country", "sector")
ENTITY_TYPES = {KG.Park: "Park", KG.Company: "Company", KG.Institution: "Institution", KG.Country: "Country",
                KG.Agreement: "Agreement", KG.JointPlatform: "Agreement"}

# ---------------------------------------------------------------- reading the graph


def _label_en(g: Graph, node: Node | None) -> str:
    """The English label, or ``""`` (never falls back to Chinese)."""
    if node is None:
        return ""
    for p in (SKOS.prefLabel, RDFS.label):
        for o in g.objects(node, p):
            if isinstance(o, Literal) and (o.language or "").lower() == "en":
                return str(o)
    return ""


def _local(iri: object) -> str:
    return str(iri).rsplit("#", 1)[-1].rsplit("/", 1)[-1]


def _country(g: Graph, node: Node | None) -> str:
    """ISO code of a node: its own (a country) or that of its ``kg:country``."""
    if node is None:
        return ""
    own = g.value(node, KG.isoCode)
    if own is not None:
        return str(own)
    c = g.value(node, KG.country)
    return str(g.value(c, KG.isoCode) or "") if c is not None else ""


def _type(g: Graph, node: Node) -> str:
    for cls, name in ENTITY_TYPES.items():
        if (node, RDF.type, cls) in g:
            return name
    return ""


def _usd(g: Graph, amount: Node | None) -> int | None:
    if amount is None:
        return None
    v = g.value(amount, KG.amountUSD)
    if v is None:
        return None
    try:
        return int(Decimal(str(v)).to_integral_value())
    except InvalidOperation:
        return None


def _evidence(g: Graph, node: Node) -> tuple[str, str]:
    d = g.value(node, PROV.qualifiedDerivation)
    if d is None:
        return "", ""
    art = g.value(d, PROV.entity)
    name = str(g.value(art, KG.fileName) or "") if art is not None else ""
    quote = str(g.value(d, KG.quote) or "")
    return name, "".join(line.strip() for line in quote.splitlines())


@dataclass(frozen=True)
class _Investment:
    iri: str
    investor: URIRef
    host: URIRef
    sectors: tuple[URIRef, ...]
    usd: int | None
    currency: str


def _investments(g: Graph) -> list[_Investment]:
    """Inbound investments (``kg:Investment`` that are not ``kg:OutboundInvestment``), sorted by IRI."""
    out = []
    for s in g.subjects(RDF.type, KG.Investment):
        if (s, RDF.type, KG.OutboundInvestment) in g:
            continue
        inv, host = g.value(s, KG.investor), g.value(s, KG.host)
        if not isinstance(inv, URIRef) or not isinstance(host, URIRef):
            continue
        amt = g.value(s, KG.amount)
        usd = _usd(g, amt)
        currency = str(g.value(amt, SCHEMA.currency) or "") if amt is not None else ""
        secs = tuple(sorted((o for o in g.objects(s, KG.sector) if isinstance(o, URIRef)), key=str))
        out.append(_Investment(str(s), inv, host, secs, usd, currency))
    out.sort(key=lambda i: i.iri)
    return out


def _parents(g: Graph, node: URIRef) -> list[URIRef]:
    """Parks that contain ``node`` (``schema:containedInPlace``), transitively, nearest first."""
    seen: list[URIRef] = []
    todo = [node]
    while todo:
        cur = todo.pop(0)
        for p in sorted(g.objects(cur, SCHEMA.containedInPlace), key=str):
            if isinstance(p, URIRef) and p != node and p not in seen and (p, RDF.type, KG.Park) in g:
                seen.append(p)
                todo.append(p)
    return seen


def _narrower(g: Graph, sector: URIRef) -> set[URIRef]:
    """A sector and every sector below it (``skos:broader``, transitively)."""
    out = {sector}
    todo = [sector]
    while todo:
        cur = todo.pop()
        for s in g.subjects(SKOS.broader, cur):
            if isinstance(s, URIRef) and s not in out:
                out.add(s)
                todo.append(s)
    return out


# ---------------------------------------------------------------- finding entities by name


def _names(g: Graph, node: URIRef) -> set[str]:
    names = {str(node), str(node).split("/id/", 1)[-1]}
    for p in (SKOS.prefLabel, SKOS.altLabel, RDFS.label, SKOS.notation, KG.isoCode):
        names.update(str(o) for o in g.objects(node, p))
    return names


def _find(g: Graph, name: str, candidates: Iterable[URIRef], what: str) -> URIRef:
    """The one candidate whose IRI, key, label, alias or code is ``name`` (case-insensitive).

    Raises ``QueryError`` listing close matches when none is, and
    ``AmbiguousEntity`` listing the candidates when several are.
    """
    wanted = name.strip().casefold()
    index: dict[str, set[URIRef]] = defaultdict(set)
    spelled: dict[str, str] = {}
    for c in candidates:
        for n in _names(g, c):
            index[n.casefold()].add(c)
            spelled.setdefault(n.casefold(), n)
    hits = index.get(wanted, set())
    if len(hits) > 1:
        # a preferred label beats an alias
        pref = {h for h in hits if any(str(o).casefold() == wanted for o in g.objects(h, SKOS.prefLabel))}
        hits = pref or hits
    if len(hits) == 1:
        return next(iter(hits))
    if hits:
        listed = "; ".join(f"{_label(g, h)} <{h}>" for h in sorted(hits, key=str))
        raise AmbiguousEntity(f"{what} {name!r} matches {len(hits)} entities: {listed}; pass the IRI instead")
    labels = sorted(n for n in index if "://" not in n)
    close = difflib.get_close_matches(wanted, labels, n=5, cutoff=0.4)
    if not close:
        close = [n for n in labels if wanted and (wanted in n or n in wanted)][:5]
    hint = (f"; did you mean: {', '.join(spelled[n] for n in close)}?" if close
            else f"; none of the {len(labels)} known names is close")
    raise QueryError(f"unknown {what} {name!r}{hint}")


def _entities(g: Graph, types: Iterable[URIRef] = tuple(ENTITY_TYPES)) -> list[URIRef]:
    out = {s for t in types for s in g.subjects(RDF.type, t) if isinstance(s, URIRef)}
    return sorted(out, key=str)


def find_park(graph: Graph, name: str) -> str:
    """IRI of the park named ``name`` (Chinese or English label, alias, key or IRI).

    Parameters
    ----------
    graph : rdflib.Graph
        A built graph.
    name : str
        What to look for; English names match case-insensitively.

    Returns
    -------
    str
        The park's IRI.

    Raises
    ------
    QueryError
        When no park has that name; the message lists close matches.
    AmbiguousEntity
        When several parks share that alias.

    Examples
    --------
    >>> find_park(_example_graph(), "sip")
    'https://w3id.org/sino-foreign-kg/id/park/sip'
    """
    return str(_find(graph, name, _entities(graph, [KG.Park]), "park"))


def find_entity(graph: Graph, name: str) -> str:
    """IRI of the park, company, institution, country or agreement named ``name``.

    Examples
    --------
    >>> find_entity(_example_graph(), "Danaher")
    'https://w3id.org/sino-foreign-kg/id/company/danaher'
    """
    return str(_find(graph, name, _entities(graph), "entity"))


# ---------------------------------------------------------------- USD note


@dataclass(frozen=True)
class _RateInfo:
    """Rates from the table, and per currency the rate source and a rate derived from the graph's amounts."""

    rates: Rates
    sources: dict[str, str]
    derived: dict[str, Decimal]
    converted: frozenset[str]


def _rate_info(g: Graph, rates: Rates | None) -> _RateInfo:
    if rates is None:
        from kg.build import load_rates

        rates = load_rates()
    sources: dict[str, str] = {}
    derived: dict[str, Decimal] = {}
    for amt in g.subjects(KG.amountUSD, None):
        cur = str(g.value(amt, SCHEMA.currency) or "")
        if not cur:
            continue
        src, usd, val = g.value(amt, KG.rateSource), g.value(amt, KG.amountUSD), g.value(amt, SCHEMA.value)
        if src is not None:
            sources.setdefault(cur, str(src))
        if cur not in derived and usd is not None and val is not None:
            try:
                if Decimal(str(val)) != 0:
                    derived[cur] = Decimal(str(usd)) / Decimal(str(val))
            except InvalidOperation:
                pass
    converted = frozenset(str(c) for a in g.subjects(KG.amountUSD, None) for c in g.objects(a, SCHEMA.currency))
    return _RateInfo(rates, sources, derived, converted)


def _note(info: _RateInfo, currencies: Iterable[str]) -> str:
    wanted = set(currencies) - {""}
    if not wanted:
        return ""
    lines = []
    for cur in sorted(wanted - {"USD"}):
        rate = info.rates.usd_per_unit.get(cur)
        if rate is not None:
            text = f"1 {cur} = {rate} USD"
        elif cur in info.derived:
            text = f"1 {cur} ≈ {info.derived[cur]:.6g} USD (derived from the graph)"
        else:
            text = f"no rate for {cur}, left out of the USD sums"
        src = info.sources.get(cur) or info.rates.source.get(cur, "")
        lines.append(f"{text} ({src})" if src else text)
    if "USD" in wanted:
        lines.append("other amounts were stated in USD" if lines else "amounts were stated in USD")
    return "USD amounts: " + "; ".join(lines) + ". Amounts are summed as stated (over, about, total, cumulative alike)."


def rates_note(graph: Graph, currencies: Iterable[str] | None = None, rates: Rates | None = None) -> str:
    """The USD conversion behind ``amount_usd``: each rate with its date and source.

    Parameters
    ----------
    graph : rdflib.Graph
        A built graph; the date and source of each rate come from its ``kg:rateSource``.
    currencies : iterable of str, optional
        Only these currencies (default: every currency converted in the graph).
    rates : kg.build.Rates, optional
        The rates table (default: ``data/fx_rates.csv`` through ``kg.build.load_rates``).

    Returns
    -------
    str
        One line, ``""`` when nothing was converted.

    Examples
    --------
    >>> rates_note(_example_graph())
    'USD amounts: 1 CHF = 1.136 USD (2024: annual average 2024 (SNB)); other amounts were stated in USD. Amounts are summed as stated (over, about, total, cumulative alike).'
    >>> rates_note(_example_graph(), ["USD"])
    'USD amounts: amounts were stated in USD. Amounts are summed as stated (over, about, total, cumulative alike).'
    """
    info = _rate_info(graph, rates)
    return _note(info, info.converted if currencies is None else currencies)


# ---------------------------------------------------------------- the links table


def _resolve_sectors(g: Graph, sector: str) -> set[URIRef]:
    secs = _entities(g, [KG.Sector])
    return _narrower(g, _find(g, sector, secs, "sector"))


def _resolve_country(g: Graph, country: str) -> str:
    codes = {str(c).upper() for c in g.objects(None, KG.isoCode)}
    if country.strip().upper() in codes:
        return country.strip().upper()
    node = _find(g, country, _entities(g, [KG.Country]), "country")
    return str(g.value(node, KG.isoCode) or "")


def _sum(values: Iterable[int | None]) -> int | None:
    known = [v for v in values if v is not None]
    return sum(known) if known else None


def _money(items: list[_Investment]) -> dict[str, Any]:
    return {"investments": len(items), "usd_known": sum(1 for i in items if i.usd is not None),
            "amount_usd": _sum(i.usd for i in items),
            "currencies": "|".join(sorted({i.currency for i in items} - {""}))}


def links(graph: Graph, by: str = "investor", park: str | None = None, country: str | None = None,
          sector: str | None = None, include_subparks: bool = True, rates: Rates | None = None) -> list[dict[str, Any]]:
    """Who invests in which park and sector, with amounts summed in USD, or its roll-up by park, country or sector.

    Parameters
    ----------
    graph : rdflib.Graph
        A built graph.
    by : {"investor", "park", "country", "sector"}
        ``"investor"``: one record per investor, park and sector. ``"park"``:
        per park, distinct investors and total USD. ``"country"``: per investor
        country, distinct investors and parks. ``"sector"``: per sector.
    park : str, optional
        Only investments into this park (Chinese or English label, alias, key or IRI).
    country : str, optional
        Only investors from this country (ISO 3166-1 code, or the country's name).
    sector : str, optional
        Only these sectors (key such as ``pharma``, or the Chinese or English
        label); narrower sectors (``skos:broader``) count as the sector.
    include_subparks : bool
        Count investments into parks contained in a park (``schema:containedInPlace``,
        transitively) as the park's own: under the ``park`` filter, and in the
        ``by="park"`` roll-up (where each park then also includes its sub-parks).
    rates : kg.build.Rates, optional
        Rates for the ``usd_note`` (default ``data/fx_rates.csv``).

    Returns
    -------
    list of dict
        Plain records. Every record has ``investments`` (count),
        ``usd_known`` (how many of them have a USD amount), ``amount_usd``
        (their sum in whole USD, ``None`` when none is known), ``currencies``
        (of the amounts as stated, ``|``-separated; an amount in a currency
        without a rate is left out of ``amount_usd``) and ``usd_note`` (the conversion).
        ``by="investor"`` records also have ``investor_iri``, ``investor``,
        ``investor_en``, ``country``, ``park_iri``, ``park``, ``park_en``,
        ``host_type`` (``Park``, or ``Country`` when no park is named),
        ``via`` (the sub-parks an investment actually went to, ``|``-separated),
        ``sector``, ``sector_zh`` and ``sector_en``. An investment in several
        sectors counts fully in each of them; park and country roll-ups count it once.

    Raises
    ------
    QueryError
        For an unknown ``by``, park, country or sector; the message lists the
        valid choices or close matches.

    Examples
    --------
    >>> g = _example_graph()
    >>> [(r["country"], r["investors"], r["amount_usd"]) for r in links(g, by="country")]
    [('CH', 1, 1186000000), ('US', 1, None)]
    >>> [(r["park"], r["investors"], r["investments"]) for r in links(g, by="park")]
    [('苏州工业园区', 2, 3), ('金鸡湖生物园', 1, 1)]
    >>> [(r["park"], r["investments"]) for r in links(g, by="park", include_subparks=False)]
    [('苏州工业园区', 2), ('金鸡湖生物园', 1)]
    """
    if by not in BY_CHOICES:
        raise QueryError(f"unknown roll-up by={by!r}; valid: {', '.join(BY_CHOICES)}")
    g = graph
    items = _investments(g)
    park_node = _find(g, park, _entities(g, [KG.Park]), "park") if park else None
    if country:
        code = _resolve_country(g, country)
        items = [i for i in items if _country(g, i.investor).upper() == code]
    wanted = _resolve_sectors(g, sector) if sector else None
    if wanted is not None:
        items = [i for i in items if wanted & set(i.sectors)]

    # which park(s) each investment counts for
    counted: list[tuple[_Investment, URIRef]] = []
    for i in items:
        ancestors = _parents(g, i.host) if include_subparks else []
        if park_node is not None:
            if i.host == park_node or park_node in ancestors:
                counted.append((i, park_node))
        elif by == "park":
            counted.extend((i, p) for p in [i.host, *ancestors])
        else:
            counted.append((i, i.host))

    def sectors_of(i: _Investment) -> list[URIRef | None]:
        secs = [s for s in i.sectors if wanted is None or s in wanted]
        return list(secs) or [None]

    info = _rate_info(g, rates)

    def base(rows: list[_Investment]) -> dict[str, Any]:
        m = _money(rows)
        m["usd_note"] = _note(info, m["currencies"].split("|"))
        return m

    def via(pairs: list[tuple[_Investment, URIRef]]) -> str:
        return "|".join(sorted({_label(g, i.host) for i, p in pairs if i.host != p}))

    records: list[dict[str, Any]] = []
    if by == "investor":
        groups: dict[tuple[URIRef, URIRef, URIRef | None], list[tuple[_Investment, URIRef]]] = defaultdict(list)
        for i, p in counted:
            for s in sectors_of(i):
                groups[(i.investor, p, s)].append((i, p))
        for (inv, p, s), pairs in groups.items():
            records.append({
                "investor_iri": str(inv), "investor": _label(g, inv), "investor_en": _label_en(g, inv),
                "country": _country(g, inv), "park_iri": str(p), "park": _label(g, p), "park_en": _label_en(g, p),
                "host_type": _type(g, p), "via": via(pairs), "sector": _local(s) if s is not None else "",
                "sector_zh": _label(g, s) if s is not None else "", "sector_en": _label_en(g, s),
                **base([i for i, _ in pairs]),
            })
        records.sort(key=lambda r: (r["park"], -(r["amount_usd"] or 0), -r["investments"], r["investor"], r["sector"]))
        return records

    if by == "park":
        by_park: dict[URIRef, list[tuple[_Investment, URIRef]]] = defaultdict(list)
        for i, p in counted:
            by_park[p].append((i, p))
        for p, pairs in by_park.items():
            invs = [i for i, _ in pairs]
            records.append({
                "park_iri": str(p), "park": _label(g, p), "park_en": _label_en(g, p), "host_type": _type(g, p),
                "country": _country(g, p), "investors": len({i.investor for i in invs}), "via": via(pairs),
                **base(invs),
            })
    elif by == "country":
        by_country: dict[str, list[tuple[_Investment, URIRef]]] = defaultdict(list)
        for i, p in counted:
            by_country[_country(g, i.investor)].append((i, p))
        country_nodes = {str(g.value(c, KG.isoCode)): c for c in _entities(g, [KG.Country])}
        for code, pairs in by_country.items():
            invs = [i for i, _ in pairs]
            node = country_nodes.get(code)
            records.append({
                "country": code, "country_zh": _label(g, node), "country_en": _label_en(g, node),
                "investors": len({i.investor for i in invs}),
                "parks": len({p for _, p in pairs if (p, RDF.type, KG.Park) in g}), **base(invs),
            })
    else:
        by_sector: dict[URIRef | None, list[tuple[_Investment, URIRef]]] = defaultdict(list)
        for i, p in counted:
            for s in sectors_of(i):
                by_sector[s].append((i, p))
        for s, pairs in by_sector.items():
            invs = [i for i, _ in pairs]
            records.append({
                "sector": _local(s) if s is not None else "", "sector_zh": _label(g, s) if s is not None else "",
                "sector_en": _label_en(g, s), "investors": len({i.investor for i in invs}),
                "parks": len({p for _, p in pairs if (p, RDF.type, KG.Park) in g}), **base(invs),
            })
    key = "park" if by == "park" else by
    records.sort(key=lambda r: (-(r["amount_usd"] or 0), -r["investments"], -r["investors"], r[key]))
    return records


# ---------------------------------------------------------------- networkx


def to_networkx(graph: Graph) -> nx.MultiDiGraph[str]:
    """The entities and their links as a networkx multigraph.

    Parameters
    ----------
    graph : rdflib.Graph
        A built graph.

    Returns
    -------
    networkx.MultiDiGraph
        Nodes are entity IRIs (``str``) with ``type``, ``label_zh``,
        ``label_en`` and ``country`` (ISO code). Edges, keyed by the fact IRI
        where there is one, carry ``relation``:

        - ``"invests"``: investor → host, with ``amount``, ``currency``,
          ``qualifier``, ``amount_usd``, ``sector``/``sector_en`` (labels,
          ``|``-separated), ``evidence``, ``article`` and ``fact``;
        - ``"invests_abroad"``: Chinese park or firm → host abroad, same attributes;
        - the cooperation kind (``"agreement"``, ``"visit"``, ``"benchmark"``…)
          between each pair of parties, with ``agreement``, ``evidence``, ``article``, ``fact``;
        - ``"part_of"``: sub-park → park; ``"subsidiary_of"``: subsidiary → group;
          ``"located_in"``: company → park.

    Examples
    --------
    >>> G = to_networkx(_example_graph())
    >>> G.nodes["https://w3id.org/sino-foreign-kg/id/company/danaher"]["label_en"]
    'Danaher'
    >>> sorted({d["relation"] for _, _, d in G.edges(data=True)})
    ['invests', 'part_of', 'visit']
    """
    g = graph
    G: nx.MultiDiGraph[str] = nx.MultiDiGraph()

    def node(n: Node) -> str:
        s = str(n)
        if s not in G:
            G.add_node(s, type=_type(g, n), label_zh=_label(g, n), label_en=_label_en(g, n), country=_country(g, n))
        return s

    for e in _entities(g):
        node(e)
    for s in sorted(g.subjects(RDF.type, KG.Investment), key=str):
        inv, host = g.value(s, KG.investor), g.value(s, KG.host)
        if inv is None or host is None:
            continue
        amt = g.value(s, KG.amount)
        secs = sorted(g.objects(s, KG.sector), key=str)
        article, quote = _evidence(g, s)
        rel = "invests_abroad" if (s, RDF.type, KG.OutboundInvestment) in g else "invests"
        G.add_edge(node(inv), node(host), key=str(s), relation=rel,
                   amount=str(g.value(amt, SCHEMA.value) or "") if amt is not None else "",
                   currency=str(g.value(amt, SCHEMA.currency) or "") if amt is not None else "",
                   qualifier=_local(g.value(amt, KG.qualifier) or "") if amt is not None else "",
                   amount_usd=_usd(g, amt), sector="|".join(_label(g, x) for x in secs),
                   sector_en="|".join(_label_en(g, x) for x in secs), evidence=quote, article=article, fact=str(s))
    for s in sorted(g.subjects(RDF.type, KG.Cooperation), key=str):
        parties = sorted((p for p in g.objects(s, KG.party)), key=str)
        kind = g.value(s, KG.cooperationKind)
        rel = _local(kind).removesuffix("Cooperation") if kind is not None else "cooperation"
        agr = g.value(s, KG.agreement)
        article, quote = _evidence(g, s)
        for k, a in enumerate(parties):
            for b in parties[k + 1:]:
                G.add_edge(node(a), node(b), key=str(s), relation=rel, agreement=str(agr or ""), evidence=quote,
                           article=article, fact=str(s))
    for pred, rel in ((SCHEMA.containedInPlace, "part_of"), (ORG.subOrganizationOf, "subsidiary_of"),
                      (SCHEMA.location, "located_in")):
        for a, b in sorted(g.subject_objects(pred), key=lambda t: (str(t[0]), str(t[1]))):
            G.add_edge(node(a), node(b), key=rel, relation=rel)
    return G


def _investment_network(graph: Graph) -> nx.Graph[str]:
    """Undirected simple graph of investors and the parks they invest in, plus park containment."""
    G = to_networkx(graph)
    H: nx.Graph[str] = nx.Graph()
    for a, b, d in G.edges(data=True):
        if (d["relation"] == "invests" and G.nodes[b]["type"] == "Park") or (
                d["relation"] == "part_of" and G.nodes[a]["type"] == G.nodes[b]["type"] == "Park"):
            H.add_edge(a, b)
    return H


def shared_investors(graph: Graph) -> dict[tuple[str, str], list[str]]:
    """Pairs of parks and the foreign investors they share (IRIs), most shared first.

    Investors from CN are left out; hosts are taken as stated, so a park and its
    sub-park share an investor only when it invests in both.

    Examples
    --------
    >>> shared_investors(_example_graph())  # doctest: +NORMALIZE_WHITESPACE
    {('https://w3id.org/sino-foreign-kg/id/park/jinji-bio', 'https://w3id.org/sino-foreign-kg/id/park/sip'):
     ['https://w3id.org/sino-foreign-kg/id/company/roche-diagnostics']}
    """
    parks_of: dict[URIRef, set[str]] = defaultdict(set)
    for i in _investments(graph):
        if (i.host, RDF.type, KG.Park) in graph and _country(graph, i.investor) != "CN":
            parks_of[i.investor].add(str(i.host))
    out: dict[tuple[str, str], set[str]] = defaultdict(set)
    for inv, parks in parks_of.items():
        ps = sorted(parks)
        for k, a in enumerate(ps):
            for b in ps[k + 1:]:
                out[(a, b)].add(str(inv))
    return {k: sorted(v) for k, v in sorted(out.items(), key=lambda kv: (-len(kv[1]), kv[0]))}


def shared_investor_parks(graph: Graph) -> dict[tuple[str, str], int]:
    """Pairs of parks that share foreign investors, with how many they share.

    The weighted projection of the investor–park bipartite graph onto parks,
    counting the investors of ``shared_investors``.

    Returns
    -------
    dict
        ``(park_iri_a, park_iri_b)`` with ``a < b`` → number of shared investors,
        largest first.

    Examples
    --------
    >>> shared_investor_parks(_example_graph())
    {('https://w3id.org/sino-foreign-kg/id/park/jinji-bio', 'https://w3id.org/sino-foreign-kg/id/park/sip'): 1}
    """
    return {k: len(v) for k, v in shared_investors(graph).items()}


def _sorted_scores(scores: dict[Any, float]) -> dict[str, float]:
    return {str(k): v for k, v in sorted(scores.items(), key=lambda kv: (-kv[1], str(kv[0])))}


def degree_centrality(graph: Graph) -> dict[str, float]:
    """Degree centrality of investors and parks in the investment network, highest first.

    The network links each investor to the parks it invests in, and each
    sub-park to its park; centrality is the share of other nodes a node is linked to.

    Examples
    --------
    >>> dc = degree_centrality(_example_graph())
    >>> dc["https://w3id.org/sino-foreign-kg/id/park/sip"]
    1.0
    """
    return _sorted_scores(nx.degree_centrality(_investment_network(graph)))


def betweenness_centrality(graph: Graph) -> dict[str, float]:
    """Betweenness centrality (normalised) in the same investment network, highest first.

    Examples
    --------
    >>> bc = betweenness_centrality(_example_graph())
    >>> next(iter(bc)), bc["https://w3id.org/sino-foreign-kg/id/park/sip"]
    ('https://w3id.org/sino-foreign-kg/id/park/sip', 0.6666666666666666)
    """
    return _sorted_scores(nx.betweenness_centrality(_investment_network(graph)))


def country_park_flows(graph: Graph) -> dict[tuple[str, str], dict[str, Any]]:
    """Investment from each investor country into each host, as stated (no roll-up).

    Returns
    -------
    dict
        ``(iso_code, host_iri)`` → ``{"investments", "investors", "usd_known", "amount_usd", "currencies"}``,
        largest USD first. Each investment counts once, so the flows add up to the totals.

    Examples
    --------
    >>> flows = country_park_flows(_example_graph())
    >>> flows[("CH", "https://w3id.org/sino-foreign-kg/id/park/sip")]["amount_usd"]
    1136000000
    """
    groups: dict[tuple[str, str], list[_Investment]] = defaultdict(list)
    for i in _investments(graph):
        groups[(_country(graph, i.investor), str(i.host))].append(i)
    out = {k: {**_money(v), "investors": len({i.investor for i in v})} for k, v in groups.items()}
    return dict(sorted(out.items(), key=lambda kv: (-(kv[1]["amount_usd"] or 0), -kv[1]["investments"], kv[0])))


def ego_network(graph: Graph, entity: str, radius: int = 1) -> nx.MultiDiGraph[str]:
    """Everything within ``radius`` links of an entity (directions ignored).

    Parameters
    ----------
    entity : str
        IRI, key, Chinese or English label or alias.
    radius : int
        How many links away.

    Raises
    ------
    QueryError
        For an unknown entity (close matches listed) or a negative radius.

    Examples
    --------
    >>> ego = ego_network(_example_graph(), "丹纳赫")
    >>> sorted(ego.nodes[n]["label_zh"] for n in ego)
    ['丹纳赫', '苏州工业园区']
    """
    if radius < 0:
        raise QueryError(f"radius must be 0 or more, got {radius}")
    G = to_networkx(graph)
    center = str(_find(graph, entity, [URIRef(n) for n in G], "entity"))
    return nx.ego_graph(G, center, radius=radius, undirected=True).copy()  # type: ignore[no-any-return]


def shortest_path(graph: Graph, a: str, b: str) -> list[str]:
    """IRIs on a shortest chain of links between two entities (directions ignored).

    Raises
    ------
    QueryError
        For an unknown entity, or when no chain links them.

    Examples
    --------
    >>> g = _example_graph()
    >>> [to_networkx(g).nodes[n]["label_en"] for n in shortest_path(g, "Danaher", "金鸡湖生物园")]
    ['Danaher', 'China-Singapore Suzhou Industrial Park', 'Jinji Lake Bio Park']
    """
    G = to_networkx(graph)
    nodes = [URIRef(n) for n in G]
    src, dst = str(_find(graph, a, nodes, "entity")), str(_find(graph, b, nodes, "entity"))
    try:
        return list(nx.shortest_path(G.to_undirected(as_view=True), src, dst))
    except nx.NetworkXNoPath as err:
        raise QueryError(f"no chain of links between {a!r} and {b!r}") from err


# ---------------------------------------------------------------- example


_EXAMPLE = """
@prefix kg: <https://w3id.org/sino-foreign-kg/ontology#> .
@prefix park: <https://w3id.org/sino-foreign-kg/id/park/> .
@prefix company: <https://w3id.org/sino-foreign-kg/id/company/> .
@prefix country: <https://w3id.org/sino-foreign-kg/id/country/> .
@prefix sector: <https://w3id.org/sino-foreign-kg/id/sector/> .
@prefix inv: <https://w3id.org/sino-foreign-kg/id/investment/> .
@prefix schema: <https://schema.org/> .
@prefix skos: <http://www.w3.org/2004/02/skos/core#> .
park:sip a kg:Park ; skos:prefLabel "苏州工业园区"@zh-Hans , "China-Singapore Suzhou Industrial Park"@en ;
    skos:altLabel "SIP"@en .
park:jinji-bio a kg:Park ; skos:prefLabel "金鸡湖生物园"@zh-Hans , "Jinji Lake Bio Park"@en ;
    schema:containedInPlace park:sip .
country:CH a kg:Country ; kg:isoCode "CH" ; skos:prefLabel "瑞士"@zh-Hans , "Switzerland"@en .
country:US a kg:Country ; kg:isoCode "US" ; skos:prefLabel "美国"@zh-Hans , "United States"@en .
company:roche-diagnostics a kg:Company ; kg:country country:CH ;
    skos:prefLabel "罗氏诊断"@zh-Hans , "Roche Diagnostics"@en .
company:danaher a kg:Company ; kg:country country:US ; skos:prefLabel "丹纳赫"@zh-Hans , "Danaher"@en .
sector:medtech a kg:Sector ; skos:notation "medtech" ;
    skos:prefLabel "医疗器械与诊断"@zh-Hans , "Medical devices and diagnostics"@en .
inv:1 a kg:Investment ; kg:investor company:roche-diagnostics ; kg:host park:sip ;
    kg:sector sector:medtech ; kg:amount inv:1-amount .
inv:1-amount a schema:MonetaryAmount ; schema:value 1000000000 ; schema:currency "CHF" ;
    kg:amountUSD 1136000000 ; kg:rateSource "2024: annual average 2024 (SNB)" .
inv:2 a kg:Investment ; kg:investor company:roche-diagnostics ; kg:host park:jinji-bio ;
    kg:sector sector:medtech ; kg:amount inv:2-amount .
inv:2-amount a schema:MonetaryAmount ; schema:value 50000000 ; schema:currency "USD" ;
    kg:amountUSD 50000000 ; kg:rateSource "2024: identity" .
inv:3 a kg:Investment ; kg:investor company:danaher ; kg:host park:sip ; kg:sector sector:medtech .
<https://w3id.org/sino-foreign-kg/id/cooperation/1> a kg:Cooperation ; kg:party country:CH , park:sip ;
    kg:cooperationKind kg:visitCooperation .
"""


def _example_graph() -> Graph:
    """A two-park, two-investor graph for the examples in this module's docstrings."""
    return Graph().parse(data=_EXAMPLE, format="turtle")


__all__ = ["links", "rates_note", "find_park", "find_entity", "to_networkx", "shared_investor_parks", "shared_investors",
           "degree_centrality", "betweenness_centrality", "country_park_flows", "ego_network", "shortest_path",
           "BY_CHOICES"]
