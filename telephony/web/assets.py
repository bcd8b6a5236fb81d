"""Where the browser pages, scripts and styles live (served under /static and by each console)."""

from __future__ import annotations

from pathlib import Path

STATIC = Path(__file__).with_name("static")
