"""docs/access.md says what the code does (issue 15, finding 11): its route table is the
policy table's, cell for cell, and its roles section names what each role may write."""

from __future__ import annotations

from telephony.auth.policy import POLICY, QA_REVIEWERS
from telephony.auth.policy_doc import BEGIN, END, table
from telephony.auth.types import Role
from tests.helpers import ROOT

DOC = ROOT / "docs" / "access.md"


def test_the_documented_route_table_is_the_policy_table() -> None:
    text = DOC.read_text()
    assert BEGIN in text and END in text, "docs/access.md lost its generated table"
    documented = text[text.index(BEGIN):text.index(END) + len(END)]
    assert documented == table(), "docs/access.md is stale: paste `python -m telephony.auth.policy_doc`"


def test_the_roles_section_matches_the_writes_each_role_has() -> None:
    roles = DOC.read_text().split("## Roles", 1)[1].split("##", 1)[0]
    qa_row = next(line for line in roles.splitlines() if line.startswith("| qa "))
    writes = {r.path for r in POLICY if Role.QA in r.roles and "POST" in r.methods}
    assert Role.QA in QA_REVIEWERS and writes, "QA writes scores, labels and knowledge entries"
    assert "read only" not in qa_row and all(w in qa_row for w in ("score", "label", "knowledge")), qa_row
    sup_row = next(line for line in roles.splitlines() if line.startswith("| supervisor "))
    assert "/api/desk/calls/{call_id}/hangup" in sup_row, sup_row  # any transport, not only WebRTC
