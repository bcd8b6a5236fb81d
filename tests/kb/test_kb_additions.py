from __future__ import annotations

import json
from pathlib import Path

from kb.additions import load_additions


def test_additions_load_with_later_lines_replacing_earlier_and_broken_lines_skipped(tmp_path: Path) -> None:
    path = tmp_path / "kb_additions.jsonl"
    rows = [
        {"doc_id": "qa-1", "title": "Gift wrap", "text": "Gift wrapping costs $5.", "spoken": "It's five dollars."},
        {"doc_id": "qa-2", "title": "Stitching", "text": "Name stitching costs $10.", "spoken": "Ten dollars."},
        {"doc_id": "qa-1", "title": "Gift wrap", "text": "Gift wrapping costs $6.", "spoken": "It's six dollars."},
    ]
    path.write_text("\n".join(json.dumps(r) for r in rows[:2]) + "\n{not json\n"
                    + json.dumps({"title": "no id"}) + "\n" + json.dumps(rows[2]) + "\n")
    passages = {p.doc_id: p for p in load_additions(path)}
    assert set(passages) == {"qa-1", "qa-2"}
    assert passages["qa-1"].spoken == "It's six dollars."
    assert all(p.source == "qa" for p in passages.values())


def test_no_file_means_no_additions(tmp_path: Path) -> None:
    assert load_additions(tmp_path / "missing.jsonl") == []
