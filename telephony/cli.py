"""`hotline` command line: serve, call, bench, and room for more."""

from __future__ import annotations

import argparse
import asyncio
import logging
import sys
from pathlib import Path

from telephony.config import HotlineConfig, load_config
from telephony.errors import ConfigError


def _progress(msg: str) -> None:
    print(f"  {msg}", file=sys.stderr, flush=True)


def _setup_logging(cfg: HotlineConfig, verbose: bool = False) -> None:
    level = logging.DEBUG if verbose else getattr(logging, cfg.server.log_level.upper())
    logging.basicConfig(level=level, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    try:  # pipecat logs through loguru; keep it at our level
        from loguru import logger

        logger.remove()
        logger.add(sys.stderr, level="DEBUG" if verbose else "WARNING")
    except ImportError:  # pragma: no cover
        pass


def cmd_serve(args: argparse.Namespace, cfg: HotlineConfig) -> int:
    import uvicorn

    from telephony.app import create_app

    host, port = cfg.server.host, cfg.server.port
    base = cfg.server.public_url or f"http://{host}:{port}"
    print(f"Hotline starting (config: {cfg.source}); loading models ...", file=sys.stderr)

    from telephony.auth.demo import demo_credentials, seed_demo_users

    seed_demo_users(cfg.data_path)
    credentials = demo_credentials(cfg.data_path)

    def urls() -> None:
        print(f"\nHotline is ready.\n  Softphone (call the demo agent): {base}/\n"
              f"  Health: {base}/health\n  Calls API: {base}/api/calls\n"
              f"  Staff sign-in: {base}/login\n", file=sys.stderr, flush=True)
        if credentials:
            print(f"Demo users ({cfg.data_path / 'demo-users.txt'}; delete it to stop printing):\n"
                  f"{credentials}", file=sys.stderr, flush=True)

    app = create_app(cfg, progress=_progress, on_ready=urls)

    uvicorn.run(app, host=host, port=port, log_level=cfg.server.log_level, lifespan="on")
    return 0


def cmd_call(args: argparse.Namespace, cfg: HotlineConfig) -> int:
    from telephony.filecall import call_from_file

    return asyncio.run(call_from_file(cfg, Path(args.audio), out=args.out, as_json=args.json,
                                      speed=args.speed, channel=args.channel, progress=_progress))


def cmd_bench(args: argparse.Namespace, cfg: HotlineConfig) -> int:
    from telephony.bench import run_latency_bench

    return asyncio.run(run_latency_bench(cfg, manifest=Path(args.manifest), limit=args.limit,
                                         as_json=args.json, progress=_progress))


def cmd_chat(args: argparse.Namespace, cfg: HotlineConfig) -> int:
    from telephony.chat import run_chat

    return asyncio.run(run_chat(cfg, as_json=args.json, caller_id=args.caller_id, progress=_progress))


def cmd_users(args: argparse.Namespace, cfg: HotlineConfig) -> int:
    from telephony.auth.cli import run_users

    return run_users(args, cfg.data_path / "hotline.db")


def build_parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="hotline", description="Hotline voice-first AI contact center")
    p.add_argument("--config", help="path to config.toml (default: ./config.toml or $HOTLINE_CONFIG)")
    p.add_argument("-v", "--verbose", action="store_true", help="debug logging")
    sub = p.add_subparsers(dest="command", required=True)

    s = sub.add_parser("serve", help="run the server with the embedded demo company")
    s.set_defaults(func=cmd_serve)

    c = sub.add_parser("call", help="call the agent with a recording and print the turns")
    c.add_argument("audio", help="audio file (wav, flac, aiff, ogg; any rate)")
    c.add_argument("--out", help="write what the agent said (as the caller heard it) to this WAV")
    c.add_argument("--json", action="store_true", help="print one JSON document instead of text")
    c.add_argument("--speed", type=float, default=1.0, help="stream the recording N times real time")
    c.add_argument("--channel", type=int, default=None, help="use this channel of a multi-channel file")
    c.set_defaults(func=cmd_call)

    ch = sub.add_parser("chat", help="talk to the dialog brain in text (same brain as calls)")
    ch.add_argument("--json", action="store_true",
                    help="JSON lines: read one message per line (text or {\"text\": ...}), print replies as JSON")
    ch.add_argument("--caller-id", help="caller identity (e.g. a phone number) for the session")
    ch.set_defaults(func=cmd_chat)

    b = sub.add_parser("bench", help="benchmarks")
    bsub = b.add_subparsers(dest="bench", required=True)
    lat = bsub.add_parser("latency", help="end of speech -> first agent audio, STT, TTS, WER")
    lat.add_argument("--manifest", default="../shared/testdata/speech/manifest.tsv")
    lat.add_argument("--limit", type=int, default=0, help="only the first N English clips")
    lat.add_argument("--json", action="store_true")
    lat.set_defaults(func=cmd_bench)

    from telephony.auth.cli import add_parser as add_users_parser

    add_users_parser(sub).set_defaults(func=cmd_users)
    return p


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    try:
        cfg = load_config(args.config)
    except ConfigError as e:
        print(f"hotline: configuration error: {e}", file=sys.stderr)
        return 2
    _setup_logging(cfg, args.verbose)
    try:
        return int(args.func(args, cfg))
    except ConfigError as e:
        print(f"hotline: configuration error: {e}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        return 130


if __name__ == "__main__":
    sys.exit(main())
