"""SHACL validation of a build against ``ontology/shapes.ttl`` (pyshacl)."""

from __future__ import annotations

from pathlib import Path

from kg.errors import OntologyError

ONTOLOGY_DIR = Path(__file__).resolve().parent.parent / "ontology"


def validate(graph_dir: str | Path, shapes: Path | None = None) -> tuple[bool, str]:
    """Validate a build folder (or a Turtle file). Returns ``(conforms, report text)``.

    The ontology is loaded beside the data so that class membership (sh:class)
    follows rdfs:subClassOf, e.g. a kg:JointPlatform is a kg:Agreement.

    Raises
    ------
    OntologyError
        When the shapes or the ontology do not parse.
    """
    import pyshacl
    from rdflib import Graph

    from kg.query import load_graph

    data = load_graph(graph_dir)
    shapes_path = shapes or ONTOLOGY_DIR / "shapes.ttl"
    try:
        sg = Graph().parse(shapes_path, format="turtle")
        onto = Graph().parse(ONTOLOGY_DIR / "kg.ttl", format="turtle")
    except Exception as err:  # rdflib raises several parser exception types
        raise OntologyError(f"cannot parse SHACL shapes or ontology ({shapes_path}): {err}") from err
    conforms, _report, text = pyshacl.validate(data, shacl_graph=sg, ont_graph=onto, inference="rdfs",
                                               abort_on_first=False, allow_warnings=True)
    summary = f"{'conforms' if conforms else 'does NOT conform'}: {len(data)} triples checked against {shapes_path.name}"
    return bool(conforms), summary if conforms else summary + "\n" + str(text)
