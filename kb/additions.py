"""Knowledge entries added at run time (a QA reviewer's corrected answers).

They live in `<data_dir>/kb_additions.jsonl`, one JSON object a line with the fields
of `Passage` (doc_id, title, text, spoken, summary, optional questions: caller questions it
answers, which the relevance check learns from) plus provenance the QA console
keeps (call_id, turn_id, author, at). The running index gets an entry at once
(HybridIndex.upsert); this loader brings them back after a restart. A later line
with the same doc_id replaces an earlier one. Broken lines are skipped and logged.
"""

from __future__ import annotations

import json
import logging
from pathlib import Path

from kb.passages import Passage

log = logging.getLogger(__name__)
FILENAME = "kb_additions.jsonl"


def load_additions(path: Path) -> list[Passage]:
    if not path.is_file():
        return []
    by_id: dict[str, Passage] = {}
    for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        if not line.strip():
            continue
        try:
            entry = json.loads(line)
            passage = Passage(doc_id=str(entry["doc_id"]), title=str(entry["title"]),
                              text=str(entry["text"]), spoken=str(entry.get("spoken", "")),
                              summary=str(entry.get("summary", "")), source="qa",
                              questions=tuple(str(q) for q in entry.get("questions", [])))
        except (json.JSONDecodeError, KeyError, TypeError) as e:
            log.warning("%s line %d: skipped a broken knowledge entry (%s)", path, n, e)
            continue
        by_id[passage.doc_id] = passage
    if by_id:
        log.info("loaded %d knowledge entries added by QA from %s", len(by_id), path)
    return list(by_id.values())
