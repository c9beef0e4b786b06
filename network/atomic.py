"""Writing a file so that it is either complete or absent: never half written, nothing left over.

``write_atomic`` writes a temp file beside the target, fsyncs it and renames it over the target,
so a crash leaves the old file or the new one. Around that:
- the temp file is removed on any failure, on Ctrl-C and on SIGTERM; one left by a save that was
  killed outright (kill -9) is removed by the next save of the same target: its name,
  ``.tmp.<pid>.<random>.<target name>`` (a long name shortened, with a hash), carries the
  process id, and that process is gone. The
  pid and the random part hold no dots, so a temp names exactly one target: the temp of
  ``net.json.20240101`` is never taken for one of ``net.json``;
- the target keeps its permission bits (and, where allowed, its owner); a new file follows the umask;
- a symbolic link is followed: the file it points to is replaced and the link stays a link;
- a directory, device, pipe or socket is refused, never replaced.
Every file-system failure is a ``SaveError`` naming the target, not the temp file.
"""
from __future__ import annotations

import hashlib
import os
import signal
import stat
import tempfile
import threading
from contextlib import contextmanager
from pathlib import Path
from typing import Any, Callable, Iterator


class SaveError(OSError):
    """A file could not be written: the message names the target and why."""


def write_atomic(path: str | os.PathLike, write: Callable[[Any], None], mode: str = "wb") -> None:
    """Write ``path`` by calling ``write(f)`` on a temp file in the same folder, then fsync and
    rename it over ``path`` (see the module's docstring for what is kept and refused)."""
    target = _target(Path(path))
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
        _remove_stale_temps(target)
        fd, tmp = tempfile.mkstemp(dir=target.parent, prefix=f"{TEMP_PREFIX}{os.getpid()}.",
                                   suffix=f".{_name_in_temp(target.name)}")
    except OSError as exc:
        raise _failed(path, exc) from None
    try:
        with _sigterm_raises(), os.fdopen(fd, mode) as f:
            write(f)
            f.flush()
            os.fsync(f.fileno())
            _copy_permissions(target, tmp)
            os.replace(tmp, target)
    except BaseException as exc:
        try:
            os.unlink(tmp)
        except FileNotFoundError:
            pass
        if isinstance(exc, OSError) and not isinstance(exc, SaveError):
            raise _failed(path, exc) from None
        raise


def _failed(path: str | os.PathLike, exc: OSError) -> SaveError:
    """The error of a failed write, naming the target (not the temp file); ``errno`` kept."""
    error = SaveError(f"cannot write {path}: {exc.strerror or exc}")
    error.errno = exc.errno
    return error


def _target(path: Path) -> Path:
    """The file to replace: ``path``, or the file a symbolic link points to; refuse what is not a file."""
    if path.is_symlink():
        path = Path(os.path.realpath(path))
    if path.exists() and not path.is_file():
        kind = "a directory" if path.is_dir() else "not a regular file (a device, pipe or socket)"
        raise SaveError(f"cannot write {path}: it is {kind}; refusing to replace it")
    return path


def _copy_permissions(target: Path, tmp: str) -> None:
    """Give the temp file the target's mode (and owner, where allowed), or the umask's for a new file."""
    try:
        info = os.stat(target)
    except FileNotFoundError:
        umask = os.umask(0o022)
        os.umask(umask)
        os.chmod(tmp, 0o666 & ~umask)
        return
    os.chmod(tmp, stat.S_IMODE(info.st_mode))
    if (info.st_uid, info.st_gid) != (os.getuid(), os.getgid()):
        try:
            os.chown(tmp, info.st_uid, info.st_gid)
        except PermissionError:
            pass


TEMP_PREFIX = ".tmp."


def _temp_of(name: str) -> tuple[int, str] | None:
    """(pid, target name) of a temp file's name ``.tmp.<pid>.<random>.<target>``, or None."""
    if not name.startswith(TEMP_PREFIX):
        return None
    pid, _, rest = name[len(TEMP_PREFIX):].partition(".")
    random, dot, target = rest.partition(".")
    if not pid.isdigit() or not random or not dot or not target:
        return None
    return int(pid), target


def _name_in_temp(name: str) -> str:
    """The target's name in its temp's name: itself, or, if long (the temp's name must stay within
    the 255 bytes a file name may have), its start and a hash of the whole."""
    if len(name.encode()) <= 200:
        return name
    return name.encode()[:80].decode(errors="ignore") + "~" + hashlib.sha256(name.encode()).hexdigest()[:16]


def _remove_stale_temps(target: Path) -> None:
    """Remove temp files of earlier saves of ``target`` whose process no longer exists."""
    for entry in os.scandir(target.parent):
        found = _temp_of(entry.name)
        if found and found[1] == _name_in_temp(target.name) and not _alive(found[0]):
            try:
                os.unlink(entry.path)
            except FileNotFoundError:
                pass


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True  # someone else's process
    return True


@contextmanager
def _sigterm_raises() -> Iterator[None]:
    """While saving, SIGTERM raises SystemExit (exit status 143), so the temp file is removed on
    the way out. Only where the default handler is in force, and only in the main thread."""
    if threading.current_thread() is not threading.main_thread() or signal.getsignal(signal.SIGTERM) is not signal.SIG_DFL:
        yield
        return

    def terminate(signum: int, frame: Any) -> None:
        raise SystemExit(128 + signum)

    signal.signal(signal.SIGTERM, terminate)
    try:
        yield
    finally:
        signal.signal(signal.SIGTERM, signal.SIG_DFL)
