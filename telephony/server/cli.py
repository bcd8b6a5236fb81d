"""`hotline` command line: serve, call, bench, and room for more."""

from __future__ import annotations

import argparse
import asyncio
import json
import logging
import sys
from collections.abc import Callable
from pathlib import Path

from telephony.core.config import HotlineConfig, load_config
from telephony.core.errors import ConfigError


def _progress(msg: str) -> None:
    print(f"  {msg}", file=sys.stderr, flush=True)


def _loguru(verbose: bool) -> None:
    """pipecat logs through loguru, even at import (its version banner): keep it at our level."""
    try:
        from loguru import logger

        logger.remove()
        logger.add(sys.stderr, level="DEBUG" if verbose else "WARNING")
    except ImportError:  # pragma: no cover
        pass


def _setup_logging(cfg: HotlineConfig, verbose: bool = False, quiet: bool = False) -> None:
    """`quiet` (`hotline chat`): warnings and errors only, unless -v."""
    level = (logging.DEBUG if verbose else logging.WARNING if quiet
             else getattr(logging, cfg.server.log_level.upper()))
    logging.basicConfig(level=level, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    for handler in logging.getLogger().handlers:  # libraries that set their own logger's level
        handler.setLevel(level)                   # (bm25s: DEBUG) still stop at ours
    _loguru(verbose)


def cmd_serve(args: argparse.Namespace, cfg: HotlineConfig) -> int:
    from telephony.server.serve import serve

    host, port = cfg.server.host, cfg.server.port
    base = cfg.server.public_url or f"http://{host}:{port}"
    print(f"Hotline starting (config: {cfg.source}); loading models ...", file=sys.stderr)

    from telephony.auth.demo import demo_credentials, seed_demo_users

    seed_demo_users(cfg.data_path)
    credentials = demo_credentials(cfg.data_path)

    def urls() -> None:
        sip = (f"  SIP (phones, PBXs, sipp/baresip): sip:service@{cfg.sip.bind_host}:{cfg.sip.bind_port} (UDP)\n"
               if cfg.sip.enabled else "")
        print(f"\nHotline is ready.\n  Softphone (call the demo agent): {base}/\n{sip}"
              f"  Twilio voice webhook: POST {base}{cfg.twilio.voice_path}\n"
              f"  Staff sign-in: {base}/login  (then /agent, /supervisor, /qa, /kpi by role)\n"
              f"  Health: {base}/health\n", file=sys.stderr, flush=True)
        if credentials:
            print(f"Demo users ({cfg.data_path / 'demo-users.txt'}; delete it to stop printing):\n"
                  f"{credentials}", file=sys.stderr, flush=True)

    return serve(cfg, _progress, urls)


def cmd_call(args: argparse.Namespace, cfg: HotlineConfig) -> int:
    from telephony.server.filecall import call_from_file

    return asyncio.run(call_from_file(cfg, Path(args.audio), out=args.out, as_json=args.json,
                                      speed=args.speed, channel=args.channel, progress=_progress))


def cmd_bench(args: argparse.Namespace, cfg: HotlineConfig) -> int:
    from telephony.server.bench import run_latency_bench

    return asyncio.run(run_latency_bench(cfg, manifest=Path(args.manifest), limit=args.limit,
                                         as_json=args.json, progress=_progress,
                                         cold_tts=args.cold_tts, pauses=args.pauses))


def cmd_chat(args: argparse.Namespace, cfg: HotlineConfig) -> int:
    from telephony.server.chat import chat

    quiet: Callable[[str], None] = lambda _: None  # noqa: E731 - quiet unless -v
    asyncio.run(chat(cfg, caller_id=args.caller_id, verified=args.verified,
                     json_mode=args.json,
                     progress=_progress if args.verbose else quiet))
    return 0


def cmd_eval(args: argparse.Namespace, cfg: HotlineConfig) -> int:
    """Play scenarios through the brain on a scratch copy of the demo data."""
    import dataclasses

    from dialog.evaluate import evaluate, summary
    from telephony.server.services import build_engine

    eval_dir = cfg.data_path / "eval"
    eval_cfg = dataclasses.replace(cfg, server=dataclasses.replace(cfg.server, data_dir=str(eval_dir)),
                                   dialog=dataclasses.replace(
                                       cfg.dialog, cache_dir=cfg.dialog.cache_dir or str(cfg.data_path / "cache")))
    paths = [Path(p) for p in args.scenarios]
    missing = [str(p) for p in paths if not p.is_file()]
    if missing:
        print(f"hotline eval: no such scenario file: {', '.join(missing)}", file=sys.stderr)
        return 2
    _progress("loading the dialog engine ...")
    engine = build_engine(eval_cfg)
    results = asyncio.run(evaluate(engine, eval_dir, paths))
    if args.json:
        print(json.dumps({"results": [dataclasses.asdict(r) for r in results],
                          "summary": summary(results)}, indent=2, default=str))
    else:
        for r in results:
            print(f"{'PASS' if r.passed else 'FAIL'}  {r.name}")
            for failure in r.failures:
                print(f"      {failure}")
        print(json.dumps(summary(results), indent=1))
    return 0 if all(r.passed for r in results) else 1


def cmd_demo(args: argparse.Namespace, cfg: HotlineConfig) -> int:
    from kb.demo import reset

    path = reset(cfg.data_path)
    print(f"demo data reset: {path}")
    return 0


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

    ch = sub.add_parser("chat", help="talk to the dialog brain in text (same brain and records as calls)")
    ch.add_argument("--json", action="store_true",
                    help="JSON lines: read one message per line (text or {\"text\": ...}), print replies as JSON")
    ch.add_argument("--caller-id", help="caller identity (e.g. a phone number) for the session: "
                    "it names an account; the agent asks for a second fact")
    ch.add_argument("--verified", action="store_true",
                    help="vouch for --caller-id, as a trusted entrance would (docs/dialog.md)")
    ch.set_defaults(func=cmd_chat)

    ev = sub.add_parser("eval", help="run dialog scenarios (JSON) and print pass/fail and totals")
    ev.add_argument("scenarios", nargs="+", help="scenario files, e.g. dialog/scenarios/*.json")
    ev.add_argument("--json", action="store_true")
    ev.set_defaults(func=cmd_eval)

    dm = sub.add_parser("demo", help="the embedded demo company")
    dsub = dm.add_subparsers(dest="demo", required=True)
    dsub.add_parser("reset", help="re-seed the demo customers, orders and subscriptions").set_defaults(
        func=cmd_demo)

    b = sub.add_parser("bench", help="benchmarks")
    bsub = b.add_subparsers(dest="bench", required=True)
    lat = bsub.add_parser("latency", help="end of speech -> first agent audio, STT, TTS, WER")
    lat.add_argument("--manifest", default="../shared/testdata/speech/manifest.tsv")
    lat.add_argument("--limit", type=int, default=0, help="only the first N English clips")
    lat.add_argument("--json", action="store_true")
    lat.add_argument("--cold-tts", action="store_true",
                     help="synthesize every reply (no pre-synthesized prompts, no sentence cache)")
    lat.add_argument("--pauses", action="store_true",
                     help="the pause-laden set (telephony/server/pause_set.toml) instead of the clips")
    lat.set_defaults(func=cmd_bench)

    from telephony.auth.cli import add_parser as add_users_parser

    add_users_parser(sub).set_defaults(func=cmd_users)

    from telephony.server.retention_cli import add_parsers as add_retention_parsers

    add_retention_parsers(sub)
    return p


def main(argv: list[str] | None = None) -> int:
    words = sys.argv[1:] if argv is None else argv
    _loguru("-v" in words or "--verbose" in words)  # before the parser's imports load pipecat
    args = build_parser().parse_args(argv)
    try:
        cfg = load_config(args.config)
    except ConfigError as e:
        print(f"hotline: configuration error: {e}", file=sys.stderr)
        return 2
    _setup_logging(cfg, args.verbose, quiet=args.command == "chat")
    try:
        return int(args.func(args, cfg))
    except ConfigError as e:
        print(f"hotline: configuration error: {e}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        return 130


if __name__ == "__main__":
    sys.exit(main())
