"""The docs stay honest: every command is in the README, every vocabulary term in the ontology."""

from __future__ import annotations

import ast
import re
from pathlib import Path

from rdflib import Graph, URIRef

from kg.cli import cli
from kg.namespaces import KG, ONTOLOGY_IRI

ROOT = Path(__file__).resolve().parent.parent


def test_docs_readme_starts_with_the_two_commands() -> None:
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    block = re.search(r"```bash\n(.*?)```", text, re.DOTALL)
    assert block is not None
    assert block.group(1).strip().splitlines() == [
        "pip install -e . && kg build", "pip install -e '.[test]' && python -m pytest"]
    assert (ROOT / ".ci" / "run").read_text(encoding="utf-8").strip().endswith(
        "pip install -e '.[test]' && python -m pytest")


def test_docs_every_command_is_documented() -> None:
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    missing = [name for name in cli.commands if f"`kg {name}" not in text]
    assert missing == []
    assert set(cli.commands) >= {"build", "query", "links", "viz", "serve", "push", "validate", "eval", "review", "stats"}


def test_docs_every_vocabulary_term_is_in_the_ontology() -> None:
    onto = Graph().parse(ROOT / "ontology" / "kg.ttl", format="turtle")
    terms = [t for t in KG.__annotations__]
    undocumented = [t for t in terms if (URIRef(f"{ONTOLOGY_IRI}#{t}"), None, None) not in onto]
    assert undocumented == []
    from rdflib import RDFS

    unlabelled = [t for t in terms if len(set(onto.objects(URIRef(f"{ONTOLOGY_IRI}#{t}"), RDFS.label))) < 2]
    assert unlabelled == []


def test_docs_stages_do_not_reach_back() -> None:
    """A text stage imports only the model, errors and helpers, never a later stage or the runner."""
    later = {"kg.build", "kg.export", "kg.pipeline", "kg.corpus", "kg.cli", "kg.query", "kg.visualize", "kg.analyze"}
    for stage in ("read", "segment", "extract", "relate"):
        tree = ast.parse((ROOT / "kg" / f"{stage}.py").read_text(encoding="utf-8"))
        imported = {n.module for n in ast.walk(tree) if isinstance(n, ast.ImportFrom) and n.module}
        imported |= {a.name for n in ast.walk(tree) if isinstance(n, ast.Import) for a in n.names}
        assert imported & later == set(), stage


def test_docs_public_names_are_exported() -> None:
    import kg

    assert kg.__all__ == sorted(kg.__all__, key=lambda n: (n[0].islower(), n))
    assert all(hasattr(kg, name) for name in kg.__all__)
