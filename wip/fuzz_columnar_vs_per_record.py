"""Mutation fuzz (work in progress, not a test): the columnar batch and the per-record path must write the same bytes.

Run: python wip/fuzz_columnar_vs_per_record.py SEED LINES. On b2f07df it finds a child given `"age_months": null`
whose facts the columnar path drops (see wip/README.md)."""

import json, random, sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tests" / "batch"))
sys.path.insert(0, str(ROOT))
import test_columnar as tc
from conftest import RULEBOOKS
from needs_engine.rulebook.load import load_rulebook
from needs_engine.batch.writer import OutputFormat

rng = random.Random(int(sys.argv[1]) if len(sys.argv) > 1 else 0)
N = int(sys.argv[2]) if len(sys.argv) > 2 else 2000
base = tc.situation_lines() + tc.generated(3, 60) + tc.generated(4, 60, concern=0.15) if False else None
lines0 = tc.situation_lines()
gen = tc.generated(3, 80)
docs = [json.loads(l) for l in lines0 + gen]

POOL = [
    True,
    False,
    None,
    "unknown",
    "Unknown",
    "",
    0,
    -1,
    1,
    2,
    5,
    100,
    101,
    1.0,
    0.5,
    3.5,
    -0.0,
    "yes",
    [],
    {},
    "none",
    "some",
    "low",
    "high",
    99,
    215,
    216,
    300,
    10**20,
    1e300,
    "c1",
    "m",
]


def paths(node, prefix=()):
    if isinstance(node, dict):
        for k, v in node.items():
            yield prefix + (k,), v
            yield from paths(v, prefix + (k,))
    elif isinstance(node, list):
        for i, v in enumerate(node):
            yield prefix + (i,), v
            yield from paths(v, prefix + (i,))


def get(node, path):
    for p in path:
        node = node[p]
    return node


def mutate(doc):
    try:
        return _mutate(doc)
    except (KeyError, TypeError, IndexError, AttributeError, ValueError):
        return doc


def _mutate(doc):
    doc = json.loads(json.dumps(doc))
    ps = list(paths(doc))
    kind = rng.random()
    path, val = rng.choice(ps)
    parent = get(doc, path[:-1])
    key = path[-1]
    if kind < 0.55:
        if isinstance(val, (dict, list)) and rng.random() < 0.7:
            return _mutate(doc)
        # pick a sibling-enum value sometimes
        parent[key] = rng.choice(POOL)
    elif kind < 0.65 and isinstance(parent, dict):
        del parent[key]
    elif kind < 0.72 and isinstance(parent, dict):
        parent["zz_extra"] = 1
    elif kind < 0.8:
        ch = rng.choice(doc["household"]["children"])
        for a in ("age_months", "age_years", "age_band", "unborn_weeks"):
            ch.pop(a, None)
        a = rng.choice(["age_months", "age_years", "age_band", "unborn_weeks", None])
        if a == "age_months":
            ch[a] = rng.choice([0, 1, 11, 12, 59, 60, 131, 132, 143, 144, 155, 191, 192, 203, 204, 215, 216, 227, 228])
        elif a == "age_years":
            ch[a] = rng.choice([0, 5, 12, 17, 18, "13-15", "0-1"])
        elif a == "age_band":
            ch[a] = rng.choice(["unborn", "under_1", "under_5", "primary", "secondary", "16_17", "x"])
        elif a == "unborn_weeks":
            ch[a] = rng.choice([0, 1, 20, 45, 46])
    elif kind < 0.86:
        h = doc["household"]
        lst = rng.choice(["children", "carers"])
        if len(h[lst]) > 1:
            h[lst][0]["id"] = h[lst][1]["id"]
        else:
            h[lst].append(json.loads(json.dumps(h[lst][0])))
    elif kind < 0.9:
        h = doc["household"]
        h["children"].reverse()
        h["carers"].reverse()
    else:
        # an unrelated recorded concern added to a random section
        ch = rng.choice(doc["household"]["children"])
        sec = rng.choice([k for k, v in ch.items() if isinstance(v, dict)] or ["harm"])
        ch.setdefault(sec, {})
        if ch[sec]:
            k = rng.choice(list(ch[sec]))
            ch[sec][k] = rng.choice(POOL)
    return doc


def text(doc):
    t = json.dumps(doc, ensure_ascii=False, separators=(",", ":") if rng.random() < 0.5 else (", ", ": "))
    r = rng.random()
    if r < 0.05:
        # repeated key: duplicate the first key inside household
        t = t.replace('"household":{', '"household":{"reference":"a",', 1).replace(
            '"household": {', '"household": {"reference": "a", ', 1
        )
    elif r < 0.08:
        t = t + "\r"
    elif r < 0.10:
        t = " " + t + "  "
    return t.encode()


books = {name: load_rulebook(name) for name in RULEBOOKS}
bad = 0
CH = 40
for i in range(N // CH):
    chunk = []
    for j in range(CH):
        doc = mutate(rng.choice(docs))
        if rng.random() < 0.3:
            doc = mutate(doc)
        chunk.append(text(doc))
    for name, book in books.items():
        for kind in OutputFormat:
            a, b = tc.both(chunk, book, kind)
            if a != b:
                bad += 1
                al, bl = a[0].splitlines(), b[0].splitlines()
                for n, (x, y) in enumerate(zip(al, bl)):
                    if x != y:
                        print("DIFF", name, kind.value, n, chunk[n][:3000] if n < len(chunk) else "?")
                        print("  col:", x[:1500])
                        print("  per:", y[:1500])
                        break
                else:
                    print("DIFF other", name, kind.value, len(al), len(bl), a[1:], b[1:])
                break
    if bad > 5:
        break
print("done", N, "bad", bad, flush=True)
