"""Command line: ``python -m mnist_loader build --from DIR`` or ``python -m mnist_loader download``."""
from __future__ import annotations

import argparse
import sys
from typing import Optional, Sequence

from .dataset import build_from_idx, default_path
from .download import MIRRORS, download_and_build
from .errors import DatasetError


def main(argv: Optional[Sequence[str]] = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m mnist_loader",
                                     description="Build or download data/mnist.pkl.gz.")
    sub = parser.add_subparsers(dest="command", required=True)
    build = sub.add_parser("build", help="build the pickle from the four MNIST IDX files in a folder")
    build.add_argument("--from", dest="idx_dir", required=True, metavar="DIR",
                       help="folder with train-images-idx3-ubyte(.gz) and the other three files")
    build.add_argument("--out", default=None, help=f"output path (default: {default_path().relative_to(default_path().parents[1])})")
    download = sub.add_parser("download", help="download the IDX files (md5-verified) and build the pickle")
    download.add_argument("--out", default=None, help="output path (default: data/mnist.pkl.gz)")
    download.add_argument("--mirror", action="append", default=None,
                          help="base URL of a mirror, may be repeated (default: two public mirrors)")
    args = parser.parse_args(argv)
    try:
        if args.command == "build":
            path = build_from_idx(args.idx_dir, args.out)
        else:
            path = download_and_build(args.out, mirrors=args.mirror or MIRRORS)
    except (DatasetError, FileNotFoundError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    print(path)
    return 0


if __name__ == "__main__":
    sys.exit(main())
