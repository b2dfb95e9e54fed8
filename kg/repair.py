"""Name repair inside one plan: a table row's indicator name and a name in the plan's running
text that differ by one or two characters (a typo, a dropped character: 城市道保洁机械化作业率 /
城市道路机械化作业率, 生活垃回收利用率 / 生活垃圾回收利用率) are one indicator when
- one of the two is a table row and the names' comparison keys are 5+ characters long,
- the characters that differ are none of the contrast characters below (主干道 ≠ 次干道,
  一类 ≠ 二类, 新建 ≠ 改建, 市区 ≠ 县城 …), nor a qualifier word of synonyms.toml,
- the unit families agree, and a value stated under the other spelling equals the table row's
  target or baseline (the text repeats the row; a different quantity would not).
The spelling used more often in the plan wins (a dropped character loses a tie: the longer
name wins; otherwise the table's); the other stays as a skos:altLabel of the indicator."""
from __future__ import annotations

import difflib
from collections import Counter, defaultdict

from kg.measure import qualifiers, unit_family
from kg.model import Target
from kg.values import magnitude, parse_cell

CONTRAST = set("主次支干一二三四五六七八九十大中小新旧改扩市县区镇乡村城农省国内外上下前后东南西北")
MAX_EDITS = 2
MIN_KEY = 5


def _diff_chars(a: str, b: str) -> tuple[int, str]:
    edits, chars = 0, ""
    for op, i1, i2, j1, j2 in difflib.SequenceMatcher(None, a, b, autojunk=False).get_opcodes():
        if op != "equal":
            edits += max(i2 - i1, j2 - j1)
            chars += a[i1:i2] + b[j1:j2]
    return edits, chars


def _mag(t: Target):
    return magnitude(t.value, t.unit) if t.value is not None else None


def _table_mags(t: Target) -> set:
    out = {_mag(t)}
    b = parse_cell(t.baseline or "")
    if b is not None:
        out.add(magnitude(b.value, b.unit or t.unit))
    return {m for m in out if m is not None}


def repairs(targets: list[Target], key_of: dict, res) -> tuple[dict, set]:
    """({id(target): repaired key}, names as written that lost to another spelling)."""
    syn = res.synonyms
    by_doc: dict[str, list[Target]] = defaultdict(list)
    for t in targets:
        by_doc[t.doc_id].append(t)
    new_key, losers = {}, set()
    for doc, ts in by_doc.items():
        by_key: dict[str, list[Target]] = defaultdict(list)
        for t in ts:
            by_key[key_of[id(t)]].append(t)
        table_keys = {k for k, g in by_key.items() if any(t.source == "table" for t in g)}
        for tk in sorted(table_keys):
            rows = [t for t in by_key[tk] if t.source == "table"]
            mags = set().union(*(_table_mags(r) for r in rows))
            fam = unit_family(rows[0].unit, tk, syn)
            cands = []
            for k, g in by_key.items():
                if k == tk or k in table_keys or min(len(k), len(tk)) < MIN_KEY:
                    continue
                edits, chars = _diff_chars(k, tk)
                if not 0 < edits <= MAX_EDITS or set(chars) & CONTRAST or qualifiers(chars, syn):
                    continue
                if any(unit_family(t.unit, k, syn) not in ("", fam) for t in g):
                    continue
                if not any(_close(_mag(t), m) for t in g for m in mags):
                    continue
                cands.append(k)
            if len(cands) != 1:
                continue
            k = cands[0]
            group = by_key[tk] + by_key[k]
            count = Counter(key_of[id(t)] for t in group)
            winner = max((tk, k), key=lambda x: (count[x], len(x), x == tk))
            loser = k if winner == tk else tk
            for t in group:
                new_key[id(t)] = winner
            losers.update(t.name_as_written for t in by_key[loser])
    return new_key, losers


def _close(a, b) -> bool:
    return a is not None and b is not None and abs(a - b) <= 1e-6 * max(1.0, abs(a), abs(b))
