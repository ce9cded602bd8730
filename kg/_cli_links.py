"""``kg links``: who invests in which park and sector, roll-ups, and network measures (a thin wrapper of kg.analyze)."""

from __future__ import annotations

import json
import unicodedata
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import click

from kg._cli_common import graph_option

BY_CHOICES = ("investor", "park", "country", "sector")  # kg.analyze.BY_CHOICES, kept here so --help stays fast
MEASURES = ("shared", "degree", "betweenness", "flows")
FORMATS = ("table", "csv", "json")

# (record field, table header) per view; numbers are right-aligned
_COLUMNS: dict[str, list[tuple[str, str]]] = {
    "investor": [("investor", "investor"), ("investor_en", "english"), ("country", "country"), ("park", "park"),
                 ("via", "via sub-park"), ("sector_zh", "sector"), ("investments", "investments"),
                 ("usd_known", "with USD"), ("amount_usd", "USD")],
    "park": [("park", "park"), ("park_en", "english"), ("investors", "investors"), ("investments", "investments"),
             ("usd_known", "with USD"), ("amount_usd", "USD"), ("via", "incl. sub-parks")],
    "country": [("country", "country"), ("country_zh", "name"), ("investors", "investors"), ("parks", "parks"),
                ("investments", "investments"), ("usd_known", "with USD"), ("amount_usd", "USD")],
    "sector": [("sector_zh", "sector"), ("sector_en", "english"), ("investors", "investors"), ("parks", "parks"),
               ("investments", "investments"), ("usd_known", "with USD"), ("amount_usd", "USD")],
    "shared": [("park_a", "park"), ("park_b", "park"), ("shared_investors", "shared investors"),
               ("investors", "investors")],
    "degree": [("label", "entity"), ("type", "type"), ("country", "country"), ("score", "degree centrality")],
    "betweenness": [("label", "entity"), ("type", "type"), ("country", "country"),
                    ("score", "betweenness centrality")],
    "flows": [("country", "country"), ("park", "host"), ("investors", "investors"), ("investments", "investments"),
              ("usd_known", "with USD"), ("amount_usd", "USD")],
    "ego": [("source", "from"), ("relation", "relation"), ("target", "to"), ("amount_usd", "USD")],
    "path": [("step", "step"), ("label", "entity"), ("type", "type"), ("relation", "link to next")],
}
_NUMERIC = {"investments", "usd_known", "amount_usd", "investors", "parks", "shared_investors", "score", "step"}


def _width(text: str) -> int:
    """Display width: wide and full-width (CJK) characters take two columns."""
    return sum(2 if unicodedata.east_asian_width(c) in "WF" else 1 for c in text)


def _cell(key: str, value: Any) -> str:
    if value is None or value == "":
        return "-"
    if key == "amount_usd":
        return f"{value:,}"
    if key == "score":
        return f"{value:.4f}"
    return str(value)


def render_table(records: Sequence[dict[str, Any]], columns: list[tuple[str, str]], total: int | None = None) -> str:
    """Aligned columns (CJK counted double width), numbers right-aligned, then a row count.

    Columns that are empty in every record are left out; ``total`` is the row
    count before a cut, shown as ``(5 of 22 rows)``.
    """
    cols = [(k, h) for k, h in columns if k in _NUMERIC or any(r.get(k) not in (None, "") for r in records)]
    rows = [[_cell(k, r.get(k)) for k, _ in cols] for r in records]
    widths = [max([_width(h)] + [_width(row[i]) for row in rows]) for i, (_, h) in enumerate(cols)]

    def line(cells: list[str]) -> str:
        out = []
        for (k, _), c, w in zip(cols, cells, widths, strict=True):
            pad = " " * (w - _width(c))
            out.append(pad + c if k in _NUMERIC else c + pad)
        return "  ".join(out).rstrip()

    text = [line([h for _, h in cols]), "  ".join("-" * w for w in widths)] + [line(r) for r in rows]
    n = len(records) if total is None else total
    shown = f"{len(records)} of " if n != len(records) else ""
    text.append(f"({shown}{n} row{'' if n == 1 else 's'})")
    return "\n".join(text) + "\n"


def _render(records: list[dict[str, Any]], view: str, fmt: str, note: str = "", total: int | None = None) -> str:
    if fmt == "json":
        return json.dumps(records, ensure_ascii=False, indent=1) + "\n"
    if fmt == "csv":
        from kg.export import write_csv

        fields = list(dict.fromkeys(k for r in records for k in r)) or [k for k, _ in _COLUMNS[view]]
        return write_csv(({k: "" if v is None else str(v) for k, v in r.items()} for r in records), fields)
    text = render_table(records, _COLUMNS[view], total)
    return text + (f"\n{note}\n" if note else "")


def _node_label(attrs: dict[str, Any], iri: str) -> str:
    return str(attrs.get("label_zh") or attrs.get("label_en") or iri.rsplit("/", 1)[-1])


def _measure_records(g: Any, measure: str) -> list[dict[str, Any]]:
    from kg import analyze as A

    G = A.to_networkx(g)

    def label(iri: str) -> str:
        return _node_label(G.nodes[iri], iri) if iri in G else iri

    if measure == "shared":
        return [{"park_a_iri": a, "park_a": label(a), "park_b_iri": b, "park_b": label(b),
                 "shared_investors": len(invs), "investors": "|".join(sorted(label(i) for i in invs))}
                for (a, b), invs in A.shared_investors(g).items()]
    if measure == "flows":
        return [{"country": c, "park_iri": p, "park": label(p), **v}
                for (c, p), v in A.country_park_flows(g).items()]
    scores = A.degree_centrality(g) if measure == "degree" else A.betweenness_centrality(g)
    return [{"iri": n, "label": label(n), "label_en": G.nodes[n].get("label_en", ""),
             "type": G.nodes[n].get("type", ""), "country": G.nodes[n].get("country", ""), "score": s}
            for n, s in scores.items()]


def _ego_records(ego: Any) -> list[dict[str, Any]]:
    out = []
    for a, b, d in sorted(ego.edges(data=True), key=lambda e: (e[2]["relation"], e[0], e[1])):
        out.append({"source_iri": a, "source": _node_label(ego.nodes[a], a), "relation": d["relation"],
                    "target_iri": b, "target": _node_label(ego.nodes[b], b), "amount_usd": d.get("amount_usd"),
                    "fact": d.get("fact", ""), "article": d.get("article", "")})
    return out


def _path_records(g: Any, nodes: list[str]) -> list[dict[str, Any]]:
    from kg import analyze as A

    G = A.to_networkx(g)
    out = []
    for k, n in enumerate(nodes):
        rel = ""
        if k + 1 < len(nodes):
            nxt = nodes[k + 1]
            forward: dict[Any, dict[str, Any]] = G.get_edge_data(n, nxt, default={})
            backward: dict[Any, dict[str, Any]] = G.get_edge_data(nxt, n, default={})
            rels = [f"{d['relation']} →" for d in forward.values()] + [f"← {d['relation']}" for d in backward.values()]
            rel = "|".join(sorted(set(rels)))
        out.append({"step": k, "iri": n, "label": _node_label(G.nodes[n], n), "label_en": G.nodes[n]["label_en"],
                    "type": G.nodes[n]["type"], "relation": rel})
    return out


@click.command("links")
@graph_option
@click.option("--by", type=click.Choice(BY_CHOICES), default="investor", show_default=True,
              help="One row per investor, park and sector, or a roll-up by park, country or sector.")
@click.option("--park", metavar="NAME", help="Only this park: Chinese or English name, alias, key or IRI.")
@click.option("--country", metavar="CODE", help="Only investors from this country (ISO 3166-1 code).")
@click.option("--sector", metavar="NAME", help="Only this sector (key, Chinese or English label) and those below it.")
@click.option("--no-subparks", is_flag=True, help="Do not count investments into sub-parks as the park's own.")
@click.option("--measure", type=click.Choice(MEASURES),
              help="A network measure instead: parks sharing investors, degree or betweenness centrality, "
                   "country → park flows.")
@click.option("--ego", metavar="NAME", help="The links around one entity instead (IRI or name).")
@click.option("--radius", type=click.IntRange(0), default=None, help="With --ego: how many links away [default: 1].")
@click.option("--path", nargs=2, metavar="A B", default=None, help="A shortest chain of links between two entities.")
@click.option("--top", type=click.IntRange(1), default=None, help="Show only the first N rows.")
@click.option("--format", "fmt", type=click.Choice(FORMATS), default="table", show_default=True)
@click.pass_context
def links(ctx: click.Context, graph: Path, by: str, park: str | None, country: str | None, sector: str | None,
          no_subparks: bool, measure: str | None, ego: str | None, radius: int | None,
          path: tuple[str, str] | None, top: int | None, fmt: str) -> None:
    """Who invests in which park and sector, in USD.

    The default table has one row per investor, park and sector; --by park,
    country or sector rolls it up (distinct investors, parks, USD totals).
    Investments into a sub-park count for its park unless --no-subparks.
    Amounts are summed in USD where the graph has a conversion; the rates
    and their dates are printed below the table. --measure, --ego and --path
    show the investment network instead (parks sharing investors,
    centrality, country → park flows, the links around an entity, a chain
    of links between two entities).

    Examples:

        kg links --by investor --park 苏州工业园区

        kg links --by country --park 无锡高新区 --format csv

        kg links --by sector --country DE

        kg links --measure shared

        kg links --ego 阿斯利康 --radius 2

        kg links --path 丹纳赫 阿斯利康 --format json
    """
    modes = [name for name, value in (("--measure", measure), ("--ego", ego), ("--path", path)) if value]
    if len(modes) > 1:
        raise click.UsageError(f"choose one of --measure, --ego and --path; got {' and '.join(modes)}")
    explicit_by = ctx.get_parameter_source("by") is not click.core.ParameterSource.DEFAULT
    filters = [name for name, value in (("--by", explicit_by), ("--park", park), ("--country", country),
                                        ("--sector", sector), ("--no-subparks", no_subparks)) if value]
    if modes and filters:
        raise click.UsageError(f"{', '.join(filters)} only apply to the links table, not to {modes[0]}")
    if radius is not None and not ego:
        raise click.UsageError("--radius goes with --ego")

    from kg import analyze as A
    from kg.query import load_graph

    g = load_graph(graph)
    note = ""
    if measure:
        view, records = measure, _measure_records(g, measure)
        if measure == "flows":
            note = A.rates_note(g, {c for r in records for c in r["currencies"].split("|")})
    elif ego:
        net = A.ego_network(g, ego, 1 if radius is None else radius)
        view, records = "ego", _ego_records(net)
    elif path:
        view, records = "path", _path_records(g, A.shortest_path(g, path[0], path[1]))
    else:
        view = by
        records = A.links(g, by=by, park=park, country=country, sector=sector, include_subparks=not no_subparks)
        note = A.rates_note(g, {c for r in records for c in r["currencies"].split("|")})
    total = len(records)
    if top is not None:
        records = records[:top]
    click.echo(_render(records, view, fmt, note, total), nl=False)


__all__ = ["links", "render_table"]
