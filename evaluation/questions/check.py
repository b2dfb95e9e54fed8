"""Validate the question sets in evaluation/questions/*.jsonl (stdlib only): fields, enums,
unique ids and questions, every quote an exact substring of its plan (corpora/catalog.toml and
*.catalog.toml beside the sets), abstain rules, values inside the reference answer. Prints
counts per split/type/style/intent; exit 1 on any problem. See README.md beside this file."""
import argparse
import json
import sys
import tomllib
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
HERE = Path(__file__).resolve().parent
FIELDS = {"id": str, "split": str, "type": str, "intent": str, "style": str, "city": str,
          "question": str, "answer": str, "answer_values": list, "evidence": list}
ENUMS = {
    "split": {"train", "val"},
    "type": {"indicator", "fact", "list", "comparison", "project", "regulation", "district",
             "explain", "multi", "abstain"},
    "intent": {"value", "baseline", "fact", "list", "explain", "compare", "arithmetic", "none"},
    "style": {"plan", "paraphrase", "colloquial", "abbrev", "period", "multi", "near_miss"},
}


def decode_plan(path: Path) -> str:  # UTF-8, else GB18030, as the ingest pipeline reads plans
    try:
        return path.read_bytes().decode("utf-8")
    except UnicodeDecodeError:
        return path.read_bytes().decode("gb18030")


def load_docs(catalogs: list[Path]) -> tuple[dict[str, str], set[str]]:
    """doc id -> text of its file (relative to its catalog.toml), and the cities named."""
    docs, cities = {}, {"both", "none"}  # and the cities the catalogs name
    for cat in catalogs:
        for d in tomllib.loads(cat.read_text(encoding="utf-8")).get("document", []):
            docs[d["id"]] = decode_plan(cat.parent / d["file"])
            cities |= {d["city"]} if d.get("city") else set()
    return docs, cities


def check_row(row: dict, docs: dict[str, str], cities: set[str]) -> list[str]:
    errs = [f"missing field {k!r}" for k in FIELDS if k not in row]
    errs += [f"{k!r} should be {t.__name__}" for k, t in FIELDS.items()
             if k in row and not isinstance(row[k], t)]
    if errs:
        return errs
    errs += [f"{k}={row[k]!r} not one of {sorted(v)}"
             for k, v in {**ENUMS, "city": cities}.items() if row[k] not in v]
    errs += ["empty question"] if not row["question"].strip() else []
    vals, ev = row["answer_values"], row["evidence"]
    if any(not isinstance(v, str) or not v.strip() for v in vals):
        errs.append("answer_values must be non-empty strings")
    abstain = row["type"] == "abstain"
    if abstain != (row["intent"] == "none") or (bool(vals), bool(ev)) != (not abstain,) * 2:
        errs.append("abstain goes with intent none and no values/evidence; others need both")
    errs += [f"value {v!r} not in the reference answer" for v in vals
             if isinstance(v, str) and v not in row["answer"]]
    for e in ev:
        if not isinstance(e, dict) or not isinstance(e.get("quote"), str) or not e["quote"]:
            errs.append(f"bad evidence item {e!r}")
        elif e.get("doc") not in docs:
            errs.append(f"unknown doc {e.get('doc')!r}")
        elif e["quote"] not in docs[e["doc"]]:
            errs.append(f"quote not in {e['doc']}: {e['quote'][:40]!r}")
    return errs


def check_files(paths: list[Path], docs: dict[str, str], cities: set[str]
                ) -> tuple[list[str], list[dict]]:
    problems, rows, ids, questions = [], [], Counter(), Counter()
    for p in paths:
        for n, line in enumerate(p.read_text(encoding="utf-8").splitlines(), 1):
            if not line.strip():
                continue
            try:
                row = json.loads(line)
            except json.JSONDecodeError as e:
                row = f"not JSON ({e.msg})"
            if not isinstance(row, dict):
                problems.append(f"{p.name}:{n}: {row if isinstance(row, str) else 'not an object'}")
                continue
            problems += [f"{p.name}:{n} {row.get('id', '?')}: {m}"
                         for m in check_row(row, docs, cities)]
            ids[row.get("id")] += 1
            questions[row.get("question")] += 1
            rows.append(row)
    problems += [f"id {i!r} used {c} times" for i, c in ids.items() if c > 1]
    problems += [f"question asked {c} times: {q!r}" for q, c in questions.items() if c > 1]
    return problems, rows


def main(argv: list[str]) -> int:
    ap = argparse.ArgumentParser(description="Validate question sets.")
    ap.add_argument("files", nargs="*", type=Path, help="default: evaluation/questions/*.jsonl")
    ap.add_argument("--catalog", action="append", type=Path, default=[], help="extra catalog.toml")
    args = ap.parse_args(argv)
    files = args.files or sorted(HERE.glob("*.jsonl"))
    if not files:
        print("没有找到问题集 (no *.jsonl in evaluation/questions)", file=sys.stderr)
        return 1
    catalogs = [ROOT / "corpora" / "catalog.toml", *sorted(HERE.glob("*.catalog.toml")),
                *args.catalog]
    try:
        problems, rows = check_files(files, *load_docs(catalogs))
    except (OSError, tomllib.TOMLDecodeError, KeyError, UnicodeDecodeError) as e:
        print(f"无法读取: {e}", file=sys.stderr)
        return 1
    print(f"{len(rows)} questions in {len(files)} file(s)")
    for k in ("split", "type", "style", "intent"):
        counts = Counter(r.get(k) for r in rows).most_common()
        print(f"  {k}: " + ", ".join(f"{v} {c}" for v, c in counts))
    for p in problems:
        print("PROBLEM", p, file=sys.stderr)
    print(f"{len(problems)} problem(s)")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
