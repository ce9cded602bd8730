"""Command line: ``kg build``, ``query``, ``links``, ``viz``, ``serve``, ``push``, ``validate``, ``eval``, ``review``, ``stats``."""

from __future__ import annotations

import sys
from pathlib import Path

import click

from kg._cli_common import graph_option, out_option, write_output
from kg.errors import KGError

EXIT_SKIPPED = 3


class _Group(click.Group):
    """Turns a KGError raised by any command into ``Error: <Type>: message`` and exit code 1."""

    def invoke(self, ctx: click.Context) -> object:
        try:
            return super().invoke(ctx)
        except KGError as err:
            raise click.ClickException(f"{type(err).__name__}: {err}") from err


@click.group(cls=_Group, no_args_is_help=True, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(package_name="kg")
def cli() -> None:
    """Knowledge graph of Sino-foreign industrial cooperation, built from Chinese articles.

    Start with `kg build` (reads data/articles, writes exports/), then ask it
    questions with `kg query`, `kg links` and `kg viz`.
    """


@cli.command()
@click.argument("paths", nargs=-1, type=click.Path(path_type=Path))
@out_option
@click.option("--jobs", "-j", type=click.IntRange(1, 64), default=None,
              help="Worker processes for extraction (default: all cores, at most 8).")
@click.option("--max-size", type=click.FloatRange(0.001), default=20.0, show_default=True,
              help="Skip article files larger than this many MB.")
@click.option("--full", is_flag=True, help="Ignore the cache in OUT/.cache and process every article again.")
@click.option("--no-html", is_flag=True, help="Do not write graph.html.")
@click.option("--quiet", "-q", is_flag=True, help="Print only the summary.")
def build(paths: tuple[Path, ...], out: Path, jobs: int | None, max_size: float, full: bool, no_html: bool,
          quiet: bool) -> None:
    """Build the graph from article files and folders (.txt, .md, .html).

    PATHS default to data/articles. An index.csv beside the articles (file,
    slug, script, published, publisher, title) supplies dates and titles.
    Writes kg.ttl, kg.jsonld, entities.csv, investments.csv, cooperations.csv,
    outbound.csv, statistics.csv and graph.html into OUT; only articles that
    changed since the last build into OUT are processed again.

    Exit status: 0 when every file was built; 3 when the graph was built but
    some files were skipped or failed (each is listed with its reason);
    1 on an error that stopped the build; 2 on bad usage.

    Examples:

        kg build

        kg build ~/articles/2024 extra.html --out /tmp/kg --jobs 2
    """
    from kg.corpus import build_corpus, default_jobs

    targets = list(paths) or [Path("data/articles")]

    def say(msg: str) -> None:
        if not quiet:
            click.echo(msg, err=True)

    report = build_corpus(targets, out, jobs=jobs or default_jobs(), max_bytes=int(max_size * 1024 * 1024),
                          html=not no_html, incremental=not full, progress=say)
    for path, reason in report.skipped:
        click.echo(f"skipped {path}: {reason}", err=True)
    for path, reason in report.failed:
        click.echo(f"failed {path}: {reason}", err=True)
    plural = {"Company": "companies", "Country": "countries", "Agreement": "agreements", "Park": "parks",
              "Institution": "institutions"}
    ents = ", ".join(f"{n} {plural.get(t, t.lower())}" for t, n in sorted(report.entities.items()) if n)
    facts = report.facts
    click.echo(f"read {report.articles} article(s) ({report.reused} unchanged), skipped {len(report.skipped)}, "
               f"failed {len(report.failed)}")
    click.echo(f"found {ents or 'no entities'}; {facts.get('investment', 0)} investments, "
               f"{facts.get('cooperation', 0)} cooperations, {facts.get('outbound', 0)} outbound, "
               f"{facts.get('statistic', 0)} statistics; {report.triples} triples")
    click.echo(f"wrote {', '.join(p.name for p in report.written)} into {out} in {report.seconds:.1f} s")
    if report.timings:
        click.echo("seconds: " + ", ".join(f"{k} {v:.1f}" for k, v in report.timings.items()))
    if report.skipped or report.failed:
        sys.exit(EXIT_SKIPPED)


@cli.command()
@click.argument("query_or_file")
@graph_option
@click.option("--format", "fmt", type=click.Choice(["table", "csv", "tsv", "json", "turtle"]), default="table",
              show_default=True)
@click.option("--output", "-o", default="-", show_default=True, help="File to write, or - for stdout.")
def query(query_or_file: str, graph: Path, fmt: str, output: str) -> None:
    """Run SPARQL 1.1 on a build: a saved query's name, a .rq file, or the query text.

    Saved queries live in ontology/queries/*.rq; `kg query --list` is
    `kg stats --queries`. The prefixes kg:, kgi:, schema:, prov:, skos:, org:,
    rdfs:, owl: and xsd: are declared for you.

    Examples:

        kg query investors_by_park

        kg query 'SELECT ?p WHERE { ?p a kg:Park } LIMIT 5' --format csv
    """
    from kg.query import query as run

    write_output(run(graph, query_or_file, fmt), output)


@cli.command()
@graph_option
@click.option("--shapes", type=click.Path(exists=True, path_type=Path), default=None,
              help="SHACL shapes (default ontology/shapes.ttl).")
def validate(graph: Path, shapes: Path | None) -> None:
    """Check a build against the SHACL shapes; exit 1 when there are violations.

    Examples:

        kg validate

        kg validate --graph /tmp/kg
    """
    from kg.validate import validate as run

    ok, text = run(graph, shapes)
    click.echo(text)
    if not ok:
        sys.exit(1)


@cli.command("eval")
@graph_option
@click.option("--gold", type=click.Path(exists=True, path_type=Path), default=None,
              help="Gold facts (default data/gold/seeds.json).")
@click.option("--json", "as_json", is_flag=True, help="Print the figures as JSON.")
def eval_(graph: Path, gold: Path | None, as_json: bool) -> None:
    """Score a build's CSV tables against gold facts (recall, precision, amounts, sectors…).

    Examples:

        kg eval

        kg eval --graph /tmp/unseen --gold tests/data/unseen/gold.json
    """
    import json

    from kg.evaluate import evaluate, summary_line

    fig = evaluate(graph, gold)
    if as_json:
        click.echo(json.dumps(fig, ensure_ascii=False, indent=1))
        return
    for k, v in fig.items():
        click.echo(f"{k}: {v}")
    click.echo(summary_line(fig))


@cli.command()
@graph_option
@click.option("--all", "show_all", is_flag=True, help="Also list entities already confirmed in the curation file.")
def review(graph: Path, show_all: bool) -> None:
    """List names found by pattern (not in any gazetteer) with their evidence, for review.

    Confirm, fix or reject them in data/curation.toml; the next build applies it.

    Examples:

        kg review
    """
    from kg.review import review_items

    items = review_items(graph, include_confirmed=show_all)
    for it in items:
        click.echo(f"{it['type']}\t{it['label']}\t{it['country'] or '-'}\t{it['iri']}")
        for ev in it["evidence"][:2]:
            click.echo(f"    {ev}")
    click.echo(f"{len(items)} name(s) to review; confirm or correct them in data/curation.toml")


@cli.command()
@graph_option
@click.option("--queries", is_flag=True, help="List the saved competency queries instead.")
def stats(graph: Path, queries: bool) -> None:
    """Counts of a build: entities by type, facts by kind, countries, articles.

    Examples:

        kg stats

        kg stats --queries
    """
    if queries:
        from kg.query import saved_queries

        for name, q in saved_queries().items():
            click.echo(f"{name}\t{q.question}")
        return
    from kg.query import query as run

    click.echo(run(graph, """
        SELECT ?what (COUNT(DISTINCT ?s) AS ?count) WHERE {
          ?s a ?c . ?c rdfs:label ?what . FILTER(langMatches(lang(?what), "en"))
          FILTER(?c IN (kg:Park, kg:Company, kg:Institution, kg:Country, kg:Agreement, kg:Investment,
                        kg:OutboundInvestment, kg:Cooperation, kg:Statistic, kg:Article))
        } GROUP BY ?what ORDER BY ?what""", "table"))


def _register_optional() -> None:
    """Commands whose modules live beside this one."""
    import importlib

    for mod, names in (("kg._cli_links", ("links",)), ("kg._cli_viz", ("viz",)),
                       ("kg._cli_serve", ("serve", "push"))):
        try:
            module = importlib.import_module(mod)
        except ImportError:
            continue
        for n in names:
            cmd = getattr(module, n, None)
            if isinstance(cmd, click.Command):
                cli.add_command(cmd, n)


_register_optional()

__all__ = ["cli"]
