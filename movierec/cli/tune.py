"""`movierec tune`: learn the text side's adapter from the store's likes (and people's tags).

The adapter is a small map on the frozen sentence vectors (movierec.tuning); each run publishes
a new version beside the index, and the CLI and the app serve it from their next call.
`--shipped` installs the pre-trained adapter that comes with movierec instead of training (the
packaged catalog serves it until its first tuning); `--base` goes back to the plain vectors.
"""

from __future__ import annotations

import argparse

from movierec.cli.common import add_locations, locations, plural
from movierec.errors import UsageError


def register(sub: argparse._SubParsersAction) -> None:
    tune = sub.add_parser("tune", help="learn the text side from likes and tags (an adapter)")
    add_locations(tune, store=True)
    tune.add_argument("--tags", help="tags CSV: MovieLens tags.csv (with --links) or text,movie_id")
    tune.add_argument("--links", help="MovieLens links.csv, to map the tags' movieIds")
    tune.add_argument("--steps", type=int, help="training steps per map (default 1,500)")
    tune.add_argument("--max-minutes", type=float, help="stop after this many minutes")
    tune.add_argument("--seed", type=int, default=0, help="random seed (same seed, same adapter)")
    tune.add_argument(
        "--kind",
        help="the maps' form: linear (the default) or mlp (one hidden layer of 512: twice the "
        "training time, no gain measured on fresh seeds, and films nobody liked sink; "
        "docs/tuning.md)",
    )
    tune.add_argument(
        "--device",
        default="auto",
        help="where to train: auto (a CUDA GPU when torch sees one, else the CPU), cpu, cuda, "
        "cuda:N or mps",
    )
    tune.add_argument(
        "--views",
        action=argparse.BooleanOptionalAction,
        default=True,
        help="the films' map also reads two short views of each film (genres and keywords; "
        "director and cast) for the films people liked (the default): profiles found 2-3 %% "
        "more of what people went on to like and films nobody has liked yet reach them more "
        "often; --no-views maps each film's vector alone (docs/tuning.md)",
    )
    choice = tune.add_mutually_exclusive_group()
    choice.add_argument(
        "--shipped", action="store_true", help="use the pre-trained adapter instead of training"
    )
    choice.add_argument(
        "--base",
        action="store_true",
        help="serve the plain sentence vectors (no adapter) until the next tuning",
    )
    tune.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    """Train (or install the shipped) adapter for the resolved index; prints what it did."""
    from movierec.recommender import Recommender
    from movierec.tuning import TrainConfig, adapter_dir, read_tags, save_adapter_version, tune
    from movierec.tuning.adapter import KINDS
    from movierec.tuning.shipped import shipped_adapter

    where = locations(args)
    if args.steps is not None and args.steps < 1:
        raise UsageError(f"--steps must be at least 1, got {args.steps}")
    if args.max_minutes is not None and not args.max_minutes > 0:
        raise UsageError(f"--max-minutes must be above 0, got {args.max_minutes}")
    if args.kind is not None and args.kind not in KINDS:
        raise UsageError(f"--kind must be one of {', '.join(KINDS)}, got {args.kind!r}")
    if args.base:
        from movierec.tuning import save_base_version

        version = save_base_version(adapter_dir(where.index_dir))
        print(f"serving the plain sentence vectors, no adapter -> {version}")
        return 0
    device = None if args.shipped else _device(args.device)
    tags = read_tags(args.tags, args.links) if args.tags and not args.shipped else []
    base = Recommender.open(
        where.catalog, where.index_dir, where.model, show_progress=not args.quiet, tuned=False
    )
    root = adapter_dir(where.index_dir)
    if args.shipped:
        adapter = shipped_adapter(base.bundle.manifest["model"], base.bundle.embeddings.shape[1])
        if adapter is None:
            raise UsageError(
                "this install ships no pre-trained adapter; train one without --shipped"
            )
        print(f"installed the pre-trained adapter -> {save_adapter_version(adapter, root)}")
        return 0
    from movierec.store import open_store

    config = TrainConfig(
        seed=args.seed,
        max_minutes=args.max_minutes,
        show_progress=not args.quiet,
        device=device,
        **({"steps": args.steps} if args.steps else {}),
        **({"kind": args.kind} if args.kind else {}),
        views=args.views,
    )
    profiles = open_store(where.store, create=False).all_profiles()
    report = tune(base.bundle, base.encoder, profiles, root, tags, config)
    similar = (
        f", a similar map on {plural(report.neighbour_pairs, 'neighbour pair')}"
        if report.neighbour_pairs
        else ""
    )
    views = f", films read with {plural(report.views, 'view')}" if report.views else ""
    print(
        f"tuned on {plural(report.users, 'user')} ({plural(report.colike_pairs, 'co-like pair')})"
        f" and {plural(report.text_pairs, 'text pair')}{similar}{views}: {report.steps:,} steps"
        f"{' a map' if report.neighbour_pairs else ''} in "
        f"{report.seconds:.0f}s on {device}, loss {report.loss:.3f} -> {report.version}"
    )
    return 0


def _device(name: str) -> str:
    """The torch device to train on, or a UsageError saying why it cannot be used."""
    from movierec.tuning.train import resolve_device

    try:
        return resolve_device(name)
    except ValueError as error:
        raise UsageError(f"--device: {error}") from None
