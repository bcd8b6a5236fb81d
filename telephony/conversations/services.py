"""What conversations share, process-wide. Built once by the server's composition root
(telephony/server/services.py) and handed to the registry: every conversation needs the
config, the dialog engine and the call store (`ConversationServices`: all a text channel
needs, e.g. `hotline chat`); voice calls also need the models, the voice services and the
speech cache (`Services`)."""

from __future__ import annotations

from dataclasses import dataclass

from dialog.types import DialogEngine
from models.loader import Models
from telephony.conversations.store import CallStore
from telephony.core.config import HotlineConfig
from voice.context import VoiceServices
from voice.processors.tts import SpeechCache


@dataclass
class ConversationServices:
    config: HotlineConfig
    engine: DialogEngine
    store: CallStore

    def close(self) -> None:
        self.store.close()


@dataclass
class Services(ConversationServices):
    models: Models
    voice: VoiceServices
    speech_cache: SpeechCache
