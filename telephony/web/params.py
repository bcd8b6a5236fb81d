"""Query parameters, parsed one way for every route: a bad value is the client's error (400
with a message naming the parameter), never a 500 and never silently clamped.

Routes call `number`, `integer` and `flag` and let `BadParameter` propagate; the app maps it
to `{"error": ...}` with status 400 (`bad_parameter`, registered in telephony/server/app.py).
Numbers must be finite ("nan", "inf" and "1e999" are refused).
"""

from __future__ import annotations

import math
from collections.abc import Mapping

from starlette.requests import Request
from starlette.responses import JSONResponse, Response

TRUE = ("1", "true", "yes", "on")
FALSE = ("0", "false", "no", "off")


class BadParameter(ValueError):
    """A query parameter the route cannot use; its message is shown to the client."""


def number(query: Mapping[str, str], key: str, default: float | None = None, *,
           low: float | None = None, high: float | None = None) -> float | None:
    """A finite number in [low, high], or `default` when the parameter is absent or empty."""
    text = query.get(key, "").strip()
    if not text:
        return default
    try:
        value = float(text)
    except ValueError:
        raise BadParameter(f"{key} must be a number, not {text[:40]!r}") from None
    if not math.isfinite(value):
        raise BadParameter(f"{key} must be a finite number")
    _check_range(key, value, low, high)
    return value


def integer(query: Mapping[str, str], key: str, default: int, *, low: int, high: int) -> int:
    """A whole number in [low, high], or `default` when absent or empty."""
    text = query.get(key, "").strip()
    if not text:
        return default
    try:
        value = int(text)
    except ValueError:
        raise BadParameter(f"{key} must be a whole number, not {text[:40]!r}") from None
    _check_range(key, value, low, high)
    return value


def flag(query: Mapping[str, str], key: str) -> bool | None:
    """true/false (1/0, yes/no, on/off), or None when absent or empty."""
    text = query.get(key, "").strip().lower()
    if not text:
        return None
    if text in TRUE or text in FALSE:
        return text in TRUE
    raise BadParameter(f"{key} must be true or false")


def _check_range(key: str, value: float, low: float | None, high: float | None) -> None:
    if (low is not None and value < low) or (high is not None and value > high):
        bounds = f"{low if low is not None else '-inf'} to {high if high is not None else 'inf'}"
        raise BadParameter(f"{key} must be from {bounds}")


async def bad_parameter(request: Request, exc: Exception) -> Response:
    return JSONResponse({"error": str(exc)}, status_code=400)
