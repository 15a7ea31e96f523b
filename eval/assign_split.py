"""Give every question of a QA file (eval/SCHEMA.md) a `split`: "dev" or "test".

    python eval/assign_split.py eval/qa.jsonl [--reference other.jsonl ...]

Only items without a `split` get one; the file is rewritten in place, line order
kept, one ``json.dumps(ensure_ascii=False)`` object per line. Deterministic and
idempotent (a second run changes nothing).

Questions that must be judged together form one unit and land in the same split:
the turns of a multi-turn dialogue (ids sharing a stem: multi-004a, multi-004b) and
paraphrases sharing a `group`. A unit's hashing key is its group (if any member has
one), else its stem, else its id. Within each category, units are taken in order of
sha1(key) (larger units first, so a 3-turn dialogue is placed before the pairs) and
each goes to the split that has fewer items of that category so far (dev on a tie):
for single items that is plain dev/test alternation, and it also balances multi-item
units and items that already had a split. A unit whose members span categories counts under the most
common one. A unit with a member that already has a split keeps it; so do units
whose key has a split in a ``--reference`` file (e.g. a group shared with qa.jsonl).
"""

from __future__ import annotations

import argparse
import hashlib
import json
import re
import sys
from collections import Counter
from collections.abc import Iterable
from pathlib import Path
from typing import Any

SPLITS = ("dev", "test")
_STEM = re.compile(r"^(.*\d)[a-z]$")  # multi-004b → multi-004


def stem(item_id: str) -> str:
    """The id without its turn letter (multi-004b → multi-004); other ids unchanged."""
    m = _STEM.match(item_id)
    return m.group(1) if m else item_id


def _keys(obj: dict[str, Any]) -> list[str]:
    keys = [f"id:{stem(str(obj['id']))}"]
    group = obj.get("group")
    if isinstance(group, str) and group.strip():
        keys.insert(0, f"group:{group.strip()}")
    return keys


def _unit_key(keys: Iterable[str]) -> str:
    """The hashing key of a unit: its group, else its stem/id (prefix stripped)."""
    chosen = sorted(keys)[0]  # "group:…" sorts before "id:…"
    return chosen.split(":", 1)[1]


class _Union:
    def __init__(self) -> None:
        self.parent: dict[str, str] = {}

    def find(self, x: str) -> str:
        self.parent.setdefault(x, x)
        while self.parent[x] != x:
            self.parent[x] = self.parent[self.parent[x]]
            x = self.parent[x]
        return x

    def join(self, a: str, b: str) -> None:
        self.parent[self.find(a)] = self.find(b)


def assign(objs: list[dict[str, Any]], reference: Iterable[dict[str, Any]] = ()) -> list[dict[str, Any]]:
    """The objects with `split` filled in where missing (new dicts; input untouched)."""
    out = [dict(o) for o in objs]
    union = _Union()
    for obj in out:
        keys = _keys(obj)
        for k in keys[1:]:
            union.join(keys[0], k)
    units: dict[str, list[int]] = {}
    for i, obj in enumerate(out):
        units.setdefault(union.find(_keys(obj)[0]), []).append(i)
    known: dict[str, str] = {}  # key → split, from the reference files
    for ref in reference:  # groups and multi-turn stems only: a plain id is not shared
        if ref.get("split") in SPLITS:
            for k in _keys(ref):
                if k.startswith("group:") or k != f"id:{ref['id']}":
                    known.setdefault(k, ref["split"])

    counts: dict[str, Counter[str]] = {}
    pending: dict[str, list[tuple[str, list[int]]]] = {}
    for members in units.values():
        keys = {k for i in members for k in _keys(out[i])}
        given = {out[i]["split"] for i in members if out[i].get("split") in SPLITS}
        given |= {known[k] for k in keys if k in known}
        if len(given) > 1:
            ids = ", ".join(str(out[i]["id"]) for i in members)
            raise ValueError(f"items {ids} belong together but have different splits")
        if given:
            split = given.pop()
            for i in members:
                out[i]["split"] = split
                counts.setdefault(out[i]["category"], Counter())[split] += 1
            continue
        cats = Counter(out[i]["category"] for i in members)
        category = max(cats, key=lambda c: (cats[c], -min(i for i in members if out[i]["category"] == c)))
        pending.setdefault(category, []).append((_unit_key(keys), members))

    for category in sorted(pending):
        # bigger units first (3-turn dialogues before pairs) keep the halves even;
        # among units of one size, the order is that of sha1(key)
        for _, members in sorted(pending[category], key=lambda u: (
                -len(u[1]), hashlib.sha1(u[0].encode("utf-8")).hexdigest(), u[0])):
            have = counts.setdefault(category, Counter())
            split = "test" if have["test"] < have["dev"] else "dev"
            for i in members:
                out[i]["split"] = split
                counts.setdefault(out[i]["category"], Counter())[split] += 1
    return out


def _read(path: Path) -> tuple[list[str], list[int], list[dict[str, Any]]]:
    lines = path.read_text(encoding="utf-8").splitlines()
    where, objs = [], []
    for n, line in enumerate(lines):
        if line.strip():
            obj = json.loads(line)
            if not isinstance(obj, dict) or "id" not in obj or "category" not in obj:
                raise ValueError(f"{path}:{n + 1}: each line needs an object with 'id' and 'category'")
            where.append(n)
            objs.append(obj)
    return lines, where, objs


def assign_file(path: Path, references: Iterable[Path] = ()) -> int:
    """Fill in missing splits in ``path``; returns how many items got one."""
    lines, where, objs = _read(path)
    reference = [o for ref in references for o in _read(ref)[2]]
    done = assign(objs, reference)
    changed = 0
    for n, before, after in zip(where, objs, done, strict=True):
        if before.get("split") != after["split"]:
            lines[n] = json.dumps(after, ensure_ascii=False)
            changed += 1
    if changed:
        path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return changed


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("path", type=Path, help="QA JSONL file, rewritten in place")
    parser.add_argument("--reference", type=Path, action="append", default=[],
                        help="another QA file whose splits units sharing a group or stem must follow")
    args = parser.parse_args(argv)
    try:
        changed = assign_file(args.path, args.reference)
    except (OSError, ValueError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    _, _, objs = _read(args.path)
    per_cat: dict[str, Counter[str]] = {}
    for o in objs:
        per_cat.setdefault(o["category"], Counter())[o.get("split", "")] += 1
    print(f"{args.path}: {changed} item(s) assigned")
    for cat, c in per_cat.items():
        print(f"  {cat}: dev {c['dev']}, test {c['test']}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
