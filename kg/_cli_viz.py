"""``kg viz``: the interactive network page of a build, or of a part of it (a thin wrapper of kg.visualize)."""

from __future__ import annotations

from pathlib import Path

import click

from kg._cli_common import graph_option, write_output


@click.command("viz")
@graph_option
@click.option("--focus", metavar="NAME", help="Only the entity with this IRI, key, Chinese or English name, and "
                                              "what lies within --depth links of it.")
@click.option("--depth", type=click.IntRange(0), default=1, show_default=True, help="Links around --focus.")
@click.option("--country", metavar="CODE", help="Only facts with a party from this country (ISO 3166-1 code).")
@click.option("--sector", metavar="NAME", help="Only facts in this sector (key, Chinese or English label) "
                                               "and those below it.")
@click.option("--out", "-o", "out", required=True, metavar="FILE", help="HTML file to write, or - for stdout.")
def viz(graph: Path, focus: str | None, depth: int, country: str | None, sector: str | None, out: str) -> None:
    """Write the graph as one interactive HTML page that opens without a network.

    Parks, companies, institutions, countries and agreements are drawn with
    their investments, outbound investments, cooperations and sub-park links;
    the page has a legend, filters by type, country and sector, a search box,
    and a side panel with each entity's names, Wikidata id and evidence
    sentences. `kg build` writes the whole graph as graph.html; use this
    command for a part of it.

    Examples:

        kg viz --out graph.html

        kg viz --focus 苏州工业园区 --depth 2 --out sip.html

        kg viz --country DE --sector pharma --out - > de.html
    """
    from kg.query import load_graph
    from kg.visualize import render_html

    write_output(render_html(load_graph(graph), focus=focus, depth=depth, country=country, sector=sector), out)


__all__ = ["viz"]
