"""Command line: ``python -m mnist_loader build --from DIR`` or ``python -m mnist_loader download``."""
from __future__ import annotations

import argparse
import sys
from typing import Optional, Sequence

from .dataset import DATA_DIR_ENV, build_from_idx, default_path
from .download import MIRRORS, download_and_build
from .expand import build_expanded
from .errors import DatasetError


def main(argv: Optional[Sequence[str]] = None) -> int:
    here = default_path()
    parser = argparse.ArgumentParser(prog="python -m mnist_loader",
                                     description=f"Build, download or locate the MNIST dataset ({here}).")
    sub = parser.add_subparsers(dest="command", required=True)
    build = sub.add_parser("build", help="build the pickle from the four MNIST IDX files in a folder")
    build.add_argument("--from", dest="idx_dir", required=True, metavar="DIR",
                       help="folder with train-images-idx3-ubyte(.gz) and the other three files")
    build.add_argument("--out", default=None, help=f"output path (default: {here})")
    download = sub.add_parser("download", help="download the IDX files (md5-verified) and build the pickle")
    download.add_argument("--out", default=None, help=f"output path (default: {here})")
    download.add_argument("--mirror", action="append", default=None,
                          help="base URL of a mirror, may be repeated (default: two public mirrors)")
    expand = sub.add_parser("expand", help="write the training set expanded by one-pixel shifts (chapter 6)")
    expand.add_argument("--out", default=None, help="output path (default: mnist_expanded.pkl.gz beside the dataset)")
    sub.add_parser("where", help=f"print where the dataset is read and written (set ${DATA_DIR_ENV} to move it)")
    args = parser.parse_args(argv)
    if args.command == "where":
        print(f"{here} ({'present' if here.is_file() else 'not there yet'}; "
              f"${DATA_DIR_ENV} moves it, `build --out` or `load_data(path)` choose another file)")
        return 0
    try:
        if args.command == "build":
            path = build_from_idx(args.idx_dir, args.out)
        elif args.command == "expand":
            path = build_expanded(path=args.out)
        else:
            path = download_and_build(args.out, mirrors=args.mirror or MIRRORS)
    except (DatasetError, OSError) as exc:  # a bad or missing file, a failed download, a failed write
        print(f"error: {exc}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        print("\ninterrupted: nothing was written (the dataset is written atomically, or not at all)", file=sys.stderr)
        return 130
    print(path)
    return 0


if __name__ == "__main__":
    sys.exit(main())
