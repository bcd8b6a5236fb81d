"""What every conversation shares, process-wide: config, models, the dialog engine, the
voice services, the speech cache and the call store. Built once by the server's
composition root (telephony/server/services.py) and handed to the registry."""

from __future__ import annotations

from dataclasses import dataclass

from dialog.types import DialogEngine
from models.loader import Models
from telephony.conversations.store import CallStore
from telephony.core.config import HotlineConfig
from voice.context import VoiceServices
from voice.processors.tts import SpeechCache


@dataclass
class Services:
    config: HotlineConfig
    models: Models
    engine: DialogEngine
    voice: VoiceServices
    speech_cache: SpeechCache
    store: CallStore

    def close(self) -> None:
        self.store.close()
