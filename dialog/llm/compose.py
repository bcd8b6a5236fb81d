"""Putting an LLM into a built engine, from the `[dialog.llm]` settings."""

from __future__ import annotations

from dialog.engine import HotlineEngine
from dialog.llm.client import ChatClient
from dialog.llm.commands import LLMCommandGenerator
from dialog.llm.engine import LLMAssistedEngine
from dialog.llm.errors import LLMConfigError
from dialog.types import DialogEngine


def with_llm(
    inner: DialogEngine,
    *,
    base_url: str,
    model: str,
    api_key_env: str = "HOTLINE_LLM_API_KEY",
    timeout_s: float = 10.0,
    max_retries: int = 2,
    rephrase: bool = True,
    company_name: str = "Acme Apparel",
    commands: bool = False,
    command_budget_ms: float = 1000.0,
) -> DialogEngine:
    """`inner` (the engine `dialog.factory.build_engine` made) with an LLM at `base_url`.

    `commands`: the LLM understands every turn (`LLMCommandGenerator`, falling back to the
    rule generator past `command_budget_ms` or on an answer it cannot trust); otherwise it
    restates turns the brain did not understand. `rephrase`: it rewords replies (facts
    checked). With `commands` and no `rephrase`, one LLM request per turn at most."""
    client = ChatClient.from_settings(base_url=base_url, model=model, api_key_env=api_key_env,
                                      timeout_s=timeout_s, max_retries=max_retries)
    engine = inner
    if commands:
        if not isinstance(inner, HotlineEngine):
            raise LLMConfigError("commands = true needs the default engine (HotlineEngine)")
        brain = inner.brain
        generator = LLMCommandGenerator(client, brain.flows, brain.rule_generator,
                                        budget_ms=command_budget_ms, company_name=company_name)
        engine = HotlineEngine(brain, generator=generator)
        if not rephrase:
            return engine
    services = getattr(getattr(inner, "brain", None), "services", None)
    products = list(getattr(services, "product_names", None) or ())
    return LLMAssistedEngine(engine, client, company_name=company_name, product_names=products,
                             rephrase=rephrase, understand=not commands)
