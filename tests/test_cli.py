from __future__ import annotations

import csv
import io
import json
import re

from click.testing import CliRunner

from kg.cli import cli


def test_cli_help_lists_commands() -> None:
    result = CliRunner().invoke(cli, ["--help"])
    assert result.exit_code == 0, result.output
    for name in ("build", "query", "validate", "eval", "review", "stats"):
        assert re.search(rf"^\s+{name}\s", result.output, re.MULTILINE), name


def test_cli_query_saved_and_inline(bundled_build) -> None:
    r = CliRunner().invoke(cli, ["query", "investors_by_park", "--graph", str(bundled_build), "--format", "csv"])
    assert r.exit_code == 0, r.output
    rows = list(csv.DictReader(io.StringIO(r.output)))
    assert {"罗氏诊断", "丹纳赫", "硕腾", "参天制药", "博世"} <= {x["investor"] for x in rows if x["park"] == "苏州工业园区"}
    r = CliRunner().invoke(cli, ["query", "SELECT (COUNT(*) AS ?n) WHERE { ?p a kg:Park }", "--graph",
                                 str(bundled_build), "--format", "json"])
    assert r.exit_code == 0, r.output
    assert int(json.loads(r.output)[0]["n"]) >= 10


def test_cli_query_errors_are_clear(bundled_build, tmp_path) -> None:
    r = CliRunner().invoke(cli, ["query", "SELECT ?x WHERE { ?x a }", "--graph", str(bundled_build)])
    assert r.exit_code == 1
    assert "Error: QueryError: SPARQL syntax error" in r.output
    r = CliRunner().invoke(cli, ["query", "INSERT DATA { <a:b> <a:c> <a:d> }", "--graph", str(bundled_build)])
    assert r.exit_code == 1 and "read-only" in r.output
    r = CliRunner().invoke(cli, ["query", "investors_by_park", "--graph", str(tmp_path)])
    assert r.exit_code == 1 and "no graph at" in r.output
    r = CliRunner().invoke(cli, ["query", "no_such_query", "--graph", str(bundled_build)])
    assert r.exit_code == 1 and "saved queries: agreements_of_party" in r.output
    r = CliRunner().invoke(cli, ["query", "x", "--format", "yaml"])
    assert r.exit_code == 2 and "Invalid value for '--format'" in r.output


def test_cli_eval_and_review(bundled_build) -> None:
    r = CliRunner().invoke(cli, ["eval", "--graph", str(bundled_build)])
    assert r.exit_code == 0, r.output
    assert "summary: entity_recall_core=" in r.output
    r = CliRunner().invoke(cli, ["review", "--graph", str(bundled_build)])
    assert r.exit_code == 0, r.output
    assert "星湾工业坊" in r.output and "name(s) to review" in r.output
    # Every name comes with the sentence it was read from.
    assert "001_7ec756358fadecaf.txt: 苏虹路上曾经的装配加工车间,改造成了星湾工业坊" in r.output
    assert "no fact" not in r.output


def test_cli_stats(bundled_build) -> None:
    r = CliRunner().invoke(cli, ["stats", "--graph", str(bundled_build)])
    assert r.exit_code == 0, r.output
    assert re.search(r"Investment\s+\|\s+\d+", r.output)
    r = CliRunner().invoke(cli, ["stats", "--queries"])
    assert r.exit_code == 0 and "investors_by_park\t" in r.output
