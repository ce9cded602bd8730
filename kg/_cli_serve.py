"""Commands ``kg serve`` (a read-only SPARQL endpoint) and ``kg push`` (load a build into a triple store)."""

from __future__ import annotations

import logging
import signal
from pathlib import Path

import click

from kg._cli_common import graph_option


@click.command()
@graph_option
@click.option("--host", default="127.0.0.1", show_default=True,
              help="Address to listen on; anything but loopback exposes the graph to the network.")
@click.option("--port", "-p", type=click.IntRange(0, 65535), default=7878, show_default=True,
              help="Port to listen on (0: any free port).")
@click.option("--timeout", type=click.FloatRange(0.1), default=10.0, show_default=True,
              help="Seconds a query may run before it is stopped (HTTP 504).")
@click.option("--max-results", type=click.IntRange(1), default=10000, show_default=True,
              help="Rows or triples returned at most; longer results are cut (header X-Result-Truncated).")
@click.option("--workers", type=click.IntRange(1, 64), default=None,
              help="Query worker processes, each with a copy of the graph (default: CPUs, 2 to 4).")
@click.option("--quiet", "-q", is_flag=True, help="Do not log each request.")
def serve(graph: Path, host: str, port: int, timeout: float, max_results: int, workers: int | None,
          quiet: bool) -> None:
    """Serve a build as a read-only SPARQL 1.1 endpoint with a query page.

    Open the printed URL in a browser for the query page; programs send
    queries to URL/sparql (SPARQL 1.1 Protocol, GET or POST) and choose the
    result format with the Accept header or ?format=json|xml|csv|tsv (SELECT,
    ASK) or turtle|jsonld|ntriples|rdfxml (CONSTRUCT, DESCRIBE). Updates and
    SERVICE are refused (403). Stop with Ctrl-C.

    Examples:

        kg serve

        kg serve --graph /tmp/kg --port 8000 --timeout 30

        curl 'http://127.0.0.1:7878/sparql?format=csv' --data-urlencode 'query=SELECT ?p WHERE { ?p a kg:Park }'
    """
    from kg.serve import serve as run

    if not quiet:
        logging.basicConfig(level=logging.INFO, format="%(asctime)s %(message)s", datefmt="%H:%M:%S")

    def ready(url: str) -> None:
        click.echo(f"serving {graph} at {url} (SPARQL endpoint {url}sparql); Ctrl-C stops", err=True)

    def stop(signum: int, frame: object) -> None:
        raise KeyboardInterrupt  # SIGTERM stops like Ctrl-C: the server closes and its workers end

    previous = signal.signal(signal.SIGTERM, stop)
    try:
        run(graph, host=host, port=port, timeout=timeout, max_results=max_results, workers=workers, ready=ready)
    except KeyboardInterrupt:
        click.echo("stopped", err=True)
    finally:
        signal.signal(signal.SIGTERM, previous)


@click.command()
@graph_option
@click.option("--endpoint", "-e", required=True,
              help="Graph Store Protocol URL, e.g. http://localhost:7878/store (Oxigraph).")
@click.option("--graph-iri", default=None,
              help="Named graph to replace [default: https://w3id.org/sino-foreign-kg/graph].")
@click.option("--format", "fmt", type=click.Choice(["turtle", "ntriples"]), default="turtle", show_default=True,
              help="Serialization to send.")
@click.option("--timeout", type=click.FloatRange(0.1), default=60.0, show_default=True,
              help="Seconds to wait for the server.")
def push(graph: Path, endpoint: str, graph_iri: str | None, fmt: str, timeout: float) -> None:
    """Load a build into a triple store, replacing one named graph (Graph Store Protocol PUT).

    The endpoint is the store's SPARQL 1.1 Graph Store Protocol URL: Oxigraph
    http://HOST:7878/store, Fuseki http://HOST:3030/DATASET/data, GraphDB
    http://HOST:7200/repositories/ID/rdf-graphs/service, Virtuoso
    http://HOST:8890/sparql-graph-crud-auth (or /sparql-graph-crud when
    unauthenticated writes are allowed). Credentials go in the URL
    (http://user:password@host/...).

    Examples:

        kg push --endpoint http://localhost:7878/store

        kg push --graph /tmp/kg --endpoint http://localhost:3030/kg/data --graph-iri https://example.org/kg
    """
    from kg.push import push as run

    result = run(graph, endpoint, graph_iri, timeout=timeout, fmt=fmt)
    click.echo(f"pushed {result.triples} triples into <{result.graph_iri}> at {result.endpoint} "
               f"(HTTP {result.status})")


__all__ = ["push", "serve"]
