"""Composition of the default, LLM-free brain. Called once at server start."""

from __future__ import annotations

import logging
from pathlib import Path

from dialog.brain import Brain
from dialog.engine import HotlineEngine
from dialog.errors import ConfigError
from dialog.flows.more_tools import register_more_tools
from dialog.intents import build_classifier
from dialog.knowledge import KnowledgeAnswerer
from dialog.services import Services
from dialog.tools import ToolBox
from dialog.types import DialogEngine
from kb.additions import FILENAME as ADDITIONS_FILE
from kb.additions import load_additions
from kb.demo import SqliteDemoStore
from kb.embedder import Embedder
from kb.index import HybridIndex
from kb.manual import load_manual
from kb.policy import extract_return_policy

log = logging.getLogger(__name__)


def build_engine(
    *,
    data_dir: Path,
    guidelines_path: Path,
    company_name: str = "Acme Apparel",
    cache_dir: Path | None = None,
    csat_survey: bool = True,
) -> DialogEngine:
    """Load the knowledge index and models (blocking, seconds); return a ready engine.

    `data_dir` holds the demo database (`demo.sqlite3`, seeded on first use; reset with
    `kb.demo.reset(data_dir)`) and, unless `cache_dir` is given, the embedding cache
    (`data_dir/cache`). First start embeds the manual (~30 s on 2 cores); later starts
    read the cache (~2 s).
    """
    if not guidelines_path.is_file():
        raise ConfigError(f"guidelines file not found: {guidelines_path}")
    data_dir.mkdir(parents=True, exist_ok=True)
    embedder = Embedder.load(cache_dir=cache_dir or data_dir / "cache")
    passages = load_manual(guidelines_path) + load_additions(data_dir / ADDITIONS_FILE)
    index = HybridIndex(embedder, passages)
    store = SqliteDemoStore.open(data_dir)
    services = Services(
        customers=store,
        orders=store,
        billing=store,
        tools=_toolbox(store),
        return_policy=extract_return_policy(passages),
        today=store.today,
        product_names=store.product_names(),
        plan_names=[str(p["plan"]) for p in store.plans()],
    )
    brain = Brain(
        KnowledgeAnswerer(index),
        company_name=company_name,
        services=services,
        classifier=build_classifier(embedder, passages),
        csat_survey=csat_survey,
    )
    log.info("dialog engine ready (%d passages)", len(index.passages))
    return HotlineEngine(brain)


def _toolbox(store: SqliteDemoStore) -> ToolBox:
    tools = ToolBox(audit=store)
    tools.register(
        "lookup_order", store.order, state_changing=False, description="Find one order by id"
    )
    tools.register(
        "list_orders",
        store.orders_for,
        state_changing=False,
        description="A customer's orders, newest first",
    )
    tools.register(
        "list_subscriptions",
        store.subscriptions_for,
        state_changing=False,
        description="A customer's subscriptions",
    )
    tools.register(
        "cancel_order",
        store.cancel_order,
        state_changing=True,
        description="Cancel an order that has not shipped",
    )
    tools.register(
        "cancel_subscription",
        store.cancel_subscription,
        state_changing=True,
        description="Cancel a subscription",
    )
    tools.register(
        "start_return",
        store.refund_order,
        state_changing=True,
        description="Start a return and refund for a delivered order",
    )
    register_more_tools(tools, store)
    return tools
