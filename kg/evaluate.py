"""Score a build's tables against hand-made gold facts (``data/gold/*.json``).

The gold format is described in ``data/gold/README.md``. Names are compared
after NFKC folding, lower-casing and removing white space; a name matches
another when equal, or when the shorter one is contained in the longer and
is at least four characters long or at least half its length.
"""

from __future__ import annotations

import csv
import json
import unicodedata
from pathlib import Path
from typing import Any

from kg.errors import KGError
from kg.gazetteer import DATA_DIR

DEFAULT_GOLD = DATA_DIR / "gold" / "seeds.json"


def _fold(s: str | None) -> str:
    return "".join(unicodedata.normalize("NFKC", s or "").split()).lower()


def same_name(a: str, b: str) -> bool:
    """Loose name equality used for scoring.

    >>> same_name("日本奥林巴斯", "奥林巴斯"), same_name("园区", "苏州工业园区")
    (True, False)
    """
    x, y = _fold(a), _fold(b)
    if not x or not y:
        return False
    if x == y:
        return True
    short, long_ = (x, y) if len(x) <= len(y) else (y, x)
    return short in long_ and (len(short) >= 4 or 2 <= len(short) and 2 * len(short) >= len(long_))


def _read(path: Path) -> list[dict[str, str]]:
    try:
        with path.open(encoding="utf-8", newline="") as f:
            return list(csv.DictReader(f))
    except OSError as err:
        raise KGError(f"cannot read {path}: {err.strerror or err}; build first with `kg build --out {path.parent}`") from err


def _cells(row: dict[str, str], *cols: str) -> list[str]:
    return [part for c in cols for part in (row.get(c) or "").split("|") if part.strip()]


class _Gold:
    def __init__(self, data: dict[str, Any]) -> None:
        self.entities: dict[str, dict[str, Any]] = {e["key"]: e for e in data.get("entities", [])}
        self.investments: list[dict[str, Any]] = data.get("investments", [])
        self.cooperations: list[dict[str, Any]] = data.get("cooperations", [])
        self.not_investors: list[str] = data.get("not_investors", [])
        self.noise: list[str] = data.get("not_entities_any_type", [])
        self.children: dict[str, list[str]] = {}
        for k, e in self.entities.items():
            if e.get("part_of"):
                self.children.setdefault(e["part_of"], []).append(k)

    def names(self, key: str) -> list[str]:
        e = self.entities.get(key, {})
        names = list(e.get("zh", [])) + ([e["en"]] if e.get("en") else [])
        return names + ([key] if e.get("type") == "Country" else [])

    def match(self, labels: list[str]) -> list[str]:
        exact = [k for k in self.entities if any(_fold(x) == _fold(n) for x in labels for n in self.names(k))]
        if exact:
            return exact
        return [k for k in self.entities if any(same_name(x, n) for x in labels for n in self.names(k))]

    def inside(self, key: str) -> set[str]:
        out, todo = {key}, [key]
        while todo:
            for child in self.children.get(todo.pop(), []):
                if child not in out:
                    out.add(child)
                    todo.append(child)
        return out


def evaluate(graph_dir: str | Path, gold_path: str | Path | None = None) -> dict[str, Any]:
    """Figures for a build folder: entity recall, investment precision/recall, amounts, sectors, countries, cooperations."""
    d = Path(graph_dir)
    gp = Path(gold_path) if gold_path else DEFAULT_GOLD
    try:
        gold = _Gold(json.loads(gp.read_text(encoding="utf-8")))
    except (OSError, json.JSONDecodeError, KeyError) as err:
        raise KGError(f"cannot read gold facts {gp}: {err}") from err
    ents, invs, coops = _read(d / "entities.csv"), _read(d / "investments.csv"), _read(d / "cooperations.csv")
    by_iri = {r.get("iri", ""): r for r in ents}
    fig: dict[str, Any] = {}

    core = [k for k, e in gold.entities.items() if e.get("core")]
    found = [k for k in core if any(
        r.get("type") == gold.entities[k]["type"]
        and any(same_name(x, n) for x in _cells(r, "label_zh", "label_en", "aliases") for n in gold.names(k))
        for r in ents)]
    fig["entity_recall_core"] = round(len(found) / max(1, len(core)), 3)
    fig["entities_missing"] = sorted(set(core) - set(found))
    fig["noise_entities"] = sorted({n for n in gold.noise for r in ents
                                    if any(same_name(n, x) for x in _cells(r, "label_zh", "label_en", "aliases"))})

    def keys(row: dict[str, str], side: str) -> list[str]:
        labels = _cells(row, side)
        ent = by_iri.get(row.get(f"{side}_iri", ""))
        if ent:
            labels += _cells(ent, "label_zh", "label_en", "aliases")
        return gold.match(labels)

    hits: dict[int, list[dict[str, str]]] = {}
    tp = fp = 0
    false_rows = []
    for r in invs:
        ik, hk = keys(r, "investor"), keys(r, "host")
        matched = [i for i, g in enumerate(gold.investments) if g["investor"] in ik and set(hk) & gold.inside(g["host"])]
        required = [i for i in matched if gold.investments[i].get("required")]
        if required:
            tp += 1
            hits.setdefault(required[0], []).append(r)
        elif not matched:
            fp += 1
            false_rows.append(f"{r.get('investor')} -> {r.get('host')}")
    req = [i for i, g in enumerate(gold.investments) if g.get("required")]
    fig["investment_recall"] = round(sum(1 for i in req if i in hits) / max(1, len(req)), 3)
    fig["investment_precision"] = round(tp / max(1, tp + fp), 3)
    fig["investments_missing"] = [f"{gold.investments[i]['investor']} -> {gold.investments[i]['host']}"
                                  for i in req if i not in hits]
    fig["investments_false"] = false_rows[:40]

    want = got = sectors = countries = 0
    for i in req:
        rows = hits.get(i, [])
        g = gold.investments[i]
        for a in g.get("amounts", []):
            want += 1
            for r in rows:
                try:
                    v = float(r.get("amount") or "nan")
                except ValueError:
                    continue
                if (r.get("currency") or "").upper() == a["currency"] and abs(v - a["value"]) <= 0.01 * a["value"]:
                    got += 1
                    break
        if rows:
            words = [w.lower() for w in g.get("sector_any", [])]
            sectors += any(any(w in (r.get("sector") or "").lower() for w in words) for r in rows)
            code = gold.entities[g["investor"]].get("country") or ""
            countries += any((r.get("investor_country") or "").upper() == code for r in rows)
    n = max(1, len(hits))
    fig["amount_recall"] = round(got / max(1, want), 3)
    fig["sector_accuracy"] = round(sectors / n, 3)
    fig["country_accuracy"] = round(countries / n, 3)
    fig["evidence_coverage"] = round(sum(1 for r in invs if (r.get("evidence") or "").strip()
                                         and (r.get("article") or "").strip()) / max(1, len(invs)), 3)
    fig["false_investors"] = sorted({x for x in gold.not_investors for r in invs if same_name(x, r.get("investor", ""))})

    req_c = [c for c in gold.cooperations if c.get("required")]
    got_c = []
    for c in req_c:
        a, b = c["parties"][:2]
        if any((a in ka and b in kb) or (a in kb and b in ka)
               for r in coops for ka, kb in [(keys(r, "a"), keys(r, "b"))]):
            got_c.append(c)
    fig["cooperation_recall"] = round(len(got_c) / max(1, len(req_c)), 3)
    fig["cooperations_missing"] = [" ~ ".join(c["parties"][:2]) for c in req_c if c not in got_c]
    return fig


def summary_line(fig: dict[str, Any]) -> str:
    p, r = fig["investment_precision"], fig["investment_recall"]
    f1 = 2 * p * r / (p + r) if p + r else 0.0
    return (f"summary: entity_recall_core={fig['entity_recall_core']} investment_P={p} R={r} F1={f1:.3f} "
            f"amounts={fig['amount_recall']} sectors={fig['sector_accuracy']} countries={fig['country_accuracy']} "
            f"coops={fig['cooperation_recall']} noise={len(fig['noise_entities'])} "
            f"false_investors={len(fig['false_investors'])}")


__all__ = ["evaluate", "summary_line", "same_name"]
