"""The identity gate (dialog.identity) through the real engine and demo store: what a
caller hears and may change at each level (docs/dialog.md, "Identity and disclosure")."""

from __future__ import annotations

from dialog.types import DialogEngine, Session
from kb.demo import SqliteDemoStore

PRIYA = "+15550100002"  # C1002, zip 78701, order 10251 (late, UPS, storm)
JORDAN = "+15550100001"  # C1001, zip 97201, orders 10234 (delivered) and 10288


async def say(engine: DialogEngine, session: Session, *turns: str) -> list[str]:
    return [(await engine.respond(session, text)).text for text in turns]


async def test_an_unverified_caller_id_names_the_account_and_a_zip_verifies_it(
    engine: DialogEngine, demo: SqliteDemoStore
) -> None:
    session = Session(call_id="id-cid", caller_id=PRIYA)  # not vouched for by the entrance
    first, second = await say(engine, session, "Where's my order?", "It's 78701")
    assert "storm" not in first and "10251" not in first
    assert "storm" in second and second.startswith("Thanks, that matches our records.")
    assert session.state.identity.verified_by == "zip_code"


async def test_a_vouched_caller_id_is_never_asked_again(engine: DialogEngine) -> None:
    session = Session(call_id="id-trusted", caller_id=PRIYA, caller_verified=True)
    status, upgrade = await say(engine, session, "Where's my order?", "What would an upgrade cost?")
    assert "storm" in status and "zip" not in upgrade and "email" not in upgrade
    assert session.state.identity.verified_by == "caller_id"


async def test_two_wrong_second_facts_end_verification_and_offer_a_colleague(
    engine: DialogEngine, demo: SqliteDemoStore
) -> None:
    session = Session(call_id="id-wrong", caller_id=JORDAN)
    replies = await say(engine, session, "I want to cancel my order", "12345", "54321",
                        "Cancel my order please, the zip is 97201")
    assert "doesn't match" in replies[1] and "colleague" in replies[2]
    assert "colleague" in replies[3] and "10288" not in " ".join(replies)  # ended: stays ended
    assert session.state.identity.locked and session.state.customer_id is None
    assert (await engine.respond(session, "yes please")).escalate  # the colleague offered
    assert "cancel_order" not in [e["tool"] for e in demo.audit_entries("id-wrong")]


async def test_the_fact_that_named_the_account_does_not_verify_it(engine: DialogEngine) -> None:
    session = Session(call_id="id-same")
    replies = await say(engine, session, "I need to reset my password",
                        "priya.shah@example.com", "like I said, priya.shah@example.com")
    assert all("yes or no" not in r for r in replies)
    assert session.state.identity.level == "named"


async def test_a_short_zip_is_asked_again_not_counted_wrong(engine: DialogEngine) -> None:
    session = Session(call_id="id-short", caller_id=PRIYA)
    replies = await say(engine, session, "where is my package", "7 8 7 1", "7 8 7 0 1")
    assert session.state.identity.failures == 0
    assert "storm" in replies[2]


async def test_someone_elses_account_is_answered_about_but_never_changed(
    engine: DialogEngine, demo: SqliteDemoStore
) -> None:
    session = Session(call_id="id-spouse")
    replies = await say(engine, session,
                        "Where is my wife's order? Her phone number is 555 010 0002",
                        "her zip code is 78701", "okay, then please cancel her subscription")
    assert "storm" not in replies[0] and "storm" in replies[1]
    assert "shipping fee" not in replies[1]  # no credit offered to someone else
    assert "can't make changes" in replies[2]
    tools = [e["tool"] for e in demo.audit_entries("id-spouse")]
    assert "cancel_subscription" not in tools and "issue_credit" not in tools


async def test_the_handoff_package_says_how_the_caller_was_verified(engine: DialogEngine) -> None:
    session = Session(call_id="id-handoff", caller_id=PRIYA)
    await say(engine, session, "Where's my order?", "78701")
    reply = await engine.respond(session, "I want to talk to a real person")
    package = reply.tool_calls[0]
    assert package["identity"]["level"] == "verified"
    assert package["identity"]["verified_by"] == "zip_code"
    assert "verified by the zip code" in package["summary"]
