"""The composition root: build every process-wide service once, from config."""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from pathlib import Path

from dialog.types import DialogEngine
from kb.demo import SqliteDemoStore
from models.loader import load_models
from telephony.contact_center.callbacks import CALLBACKS
from telephony.conversations.registry import CallRegistry
from telephony.conversations.services import Services
from telephony.conversations.store import CallStore
from telephony.core.config import HotlineConfig
from telephony.core.errors import ConfigError
from telephony.privacy import pci
from telephony.qa import csat
from telephony.qa.schema import QA
from telephony.text.email.book import EMAIL
from telephony.text.sms.records import SMS
from voice.context import VoiceServices
from voice.processors.tts import SpeechCache
from voice.speech_priority import PrioritizedModels

log = logging.getLogger(__name__)


def build_engine(cfg: HotlineConfig) -> DialogEngine:
    from dialog.factory import build_engine as build

    guidelines = Path(cfg.dialog.guidelines_path).expanduser()
    if not guidelines.is_file():
        raise ConfigError(
            f"dialog.guidelines_path: policy manual {guidelines} not found "
            "(the demo company's knowledge base is built from it)"
        )
    cache = Path(cfg.dialog.cache_dir).expanduser() if cfg.dialog.cache_dir else None
    engine = build(data_dir=cfg.data_path, guidelines_path=guidelines,
                   company_name=cfg.dialog.company_name, cache_dir=cache,
                   csat_survey=cfg.dialog.csat_survey)
    llm = cfg.dialog.llm
    if not llm.base_url:
        return engine  # the default: the deterministic brain alone
    from dialog.llm import LLMConfigError, with_llm

    try:
        return with_llm(engine, base_url=llm.base_url, model=llm.model,
                        api_key_env=llm.api_key_env, timeout_s=llm.timeout_secs,
                        max_retries=llm.max_retries, rephrase=llm.rephrase,
                        commands=llm.commands, command_budget_ms=llm.command_budget_ms,
                        company_name=cfg.dialog.company_name)
    except LLMConfigError as e:
        raise ConfigError(f"[dialog.llm]: {e}") from e


def fixed_prompts(cfg: HotlineConfig) -> list[str]:
    """What the agent says verbatim (greeting, clarify, handoff, goodbye...): spoken from cache."""
    from dialog.replies import FIXED_PHRASES, greeting
    from telephony.contact_center.waiting import FIXED_PHRASES as WAITING_PHRASES

    return [greeting(cfg.dialog.company_name), *FIXED_PHRASES, *WAITING_PHRASES]


def build_services(cfg: HotlineConfig, progress: Callable[[str], None] | None = None) -> Services:
    """Synchronous and slow (model loading): run it in a thread under an event loop."""
    say = progress or log.info
    cfg.data_path.mkdir(parents=True, exist_ok=True)
    models = load_models(cfg.models, say)
    started = time.perf_counter()
    say("loading the dialog engine and knowledge base (the first start embeds the policy manual: "
        "~30-60 s; later starts read the cache) ...")
    engine = build_engine(cfg)
    say(f"dialog engine ready in {time.perf_counter() - started:.1f} s")
    # the AI's transcriptions first, background ones (the human side of a call) after
    voice = VoiceServices(models=PrioritizedModels(models), engine=engine, config=cfg.voice)
    cache = SpeechCache(models.tts, cfg.voice.tts_cache_size)
    started = time.perf_counter()
    pieces = cache.pin(fixed_prompts(cfg))
    say(f"pre-synthesized {pieces} fixed prompt pieces in {time.perf_counter() - started:.1f} s")
    store = open_store(cfg.data_path / "hotline.db")
    return Services(config=cfg, models=models, engine=engine, voice=voice,
                    speech_cache=cache, store=store)


def open_store(db_path: Path) -> CallStore:
    """The call store with every room's tables (QA labels, scores, surveys, search index,
    callback requests, SMS opt-outs and message statuses, email threads)."""
    return CallStore(db_path, schemas=(QA, CALLBACKS, SMS, EMAIL))


def open_kb_store(data_dir: Path) -> SqliteDemoStore:
    """The demo company's records as telephony reads them: customers for the handoff card and
    the call records' identity, the AI's tool-call audit for QA (blocking; seeds on first use).
    The dialog engine opens its own (dialog/factory.py)."""
    return SqliteDemoStore.open(data_dir)


def install_hooks(calls: CallRegistry, cfg: HotlineConfig) -> None:
    """What every conversation gets, in the server and in `hotline chat`: the PCI guard in
    front of its records, the CSAT recorder behind them (side concerns attach through hooks)."""
    pci.install(calls, cfg.privacy)
    csat.install(calls)
