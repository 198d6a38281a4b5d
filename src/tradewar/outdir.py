"""Safe output folders: what every tradewar command that writes files does to ``--out``.

One mechanism for every writer (``tradewar run``, the game commands, World bundles):

1. **Check** (:func:`check_destination`, before any expensive work). The destination
   may be

   * a path that does not exist (its parent folders are created);
   * an empty folder;
   * a previous tradewar output of the same kind: a folder holding the marker file
     :data:`MARKER` (``.tradewar-output``, JSON ``{"kind", "version", "created"}``) that
     every folder written here gets, or a folder an older tradewar wrote (recognised by
     its files, see ``recognise``).

   Anything else is refused with a :class:`~tradewar.errors.DataError` unless
   ``force=True`` (``--force``): a non-empty folder that is not a tradewar output of this
   kind, a file, or a symbolic link. Some paths are refused even with ``force``: the
   empty path and ``.``, the current folder or any folder above it, the home folder, the
   file-system root, and special files (devices such as ``/dev/null``, pipes, sockets).
2. **Write** (:func:`output_folder`): the caller writes into a fresh hidden temporary
   folder ``.NAME.partial-PID-XXXX`` beside the destination; the marker goes in last.
3. **Swap**: the finished folder replaces the destination atomically. Where the kernel
   offers ``renameat2(RENAME_EXCHANGE)`` (Linux) the two are exchanged in one step, so
   the destination always exists; elsewhere the old one is renamed to
   ``.NAME.old-PID-XXXX`` and the new one into place (two renames). SIGINT and SIGTERM are
   held back during the swap and the removal of the old folder, so an interrupt lands
   before (the destination is untouched) or after (the new output is complete).
4. **Clean up**: an exception, Ctrl-C (SIGINT) or SIGTERM during the write removes the
   temporary folder and leaves the destination as it was. Only ``SIGKILL`` or a power cut
   can leave a ``.NAME.partial-*`` or ``.NAME.old-*`` folder behind; the next write to the
   same destination (:func:`recover`) puts a stranded ``.NAME.old-*`` back as ``NAME`` if
   ``NAME`` is missing and removes the other leftovers of processes that are no longer
   running.

Nothing outside the destination and these hidden siblings is ever removed.
"""

from __future__ import annotations

import contextlib
import ctypes
import datetime as dt
import errno
import json
import os
import re
import shutil
import signal
import stat
import tempfile
import threading
from collections.abc import Callable, Iterator
from pathlib import Path
from types import FrameType

from tradewar.errors import DataError

#: Name of the marker file in every folder tradewar writes.
MARKER = ".tradewar-output"
#: Version of the marker's JSON layout.
MARKER_VERSION = 1

#: ``recognise(folder) -> bool``: whether a folder without a marker was written by an
#: older tradewar (so it may be replaced without ``force``).
Recogniser = Callable[[Path], bool]

#: How messages name each kind of output.
KIND_LABELS = {"run": "run output", "game": "game output", "world-bundle": "World bundle"}

_SIGNALS = tuple(s for s in (getattr(signal, "SIGINT", None), getattr(signal, "SIGTERM", None)) if s)


class Terminated(KeyboardInterrupt):
    """Raised in the main thread on SIGTERM while a write (or a CLI command) is running.

    A subclass of :class:`KeyboardInterrupt` so that it unwinds like Ctrl-C: ``finally``
    blocks run and no ``except Exception`` swallows it.
    """


def _raise_terminated(signum: int, frame: FrameType | None) -> None:
    raise Terminated(f"signal {signum}")


@contextlib.contextmanager
def sigterm_raises() -> Iterator[None]:
    """Turn SIGTERM into :class:`Terminated` inside the block (main thread, default handler only).

    Python's default for SIGTERM ends the process without running ``finally`` blocks, which
    would strand temporary folders. A handler someone else installed is left alone.
    """
    sigterm = getattr(signal, "SIGTERM", None)
    if (
        sigterm is None
        or threading.current_thread() is not threading.main_thread()
        or signal.getsignal(sigterm) is not signal.SIG_DFL
    ):
        yield
        return
    signal.signal(sigterm, _raise_terminated)
    try:
        yield
    finally:
        signal.signal(sigterm, signal.SIG_DFL)


@contextlib.contextmanager
def _signals_held() -> Iterator[None]:
    """Hold SIGINT and SIGTERM back inside the block; they are delivered when it ends."""
    if not hasattr(signal, "pthread_sigmask") or not _SIGNALS:
        yield
        return
    previous = signal.pthread_sigmask(signal.SIG_BLOCK, _SIGNALS)
    try:
        yield
    finally:
        signal.pthread_sigmask(signal.SIG_SETMASK, previous)


# ------------------------------------------------------------------------------ checking
def _refuse(path: str, message: str, fix: str, *, forceable: bool) -> DataError:
    return DataError(
        message,
        file=path,
        field="--out",
        expected="a new path, an empty folder, or a previous tradewar output of the same kind",
        fix=fix + (", or --force to replace it" if forceable else ""),
    )


def read_marker(folder: Path) -> dict[str, object] | None:
    """The marker of ``folder`` as a dict (``{}`` if unreadable), or None if it has none."""
    marker = folder / MARKER
    if not marker.is_file():
        return None
    try:
        data = json.loads(marker.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError):
        return {}
    return data if isinstance(data, dict) else {}


def _is_above_or_at(path: Path, inner: Path) -> bool:
    return path == inner or path in inner.parents


def _cwd() -> Path:
    try:
        return Path.cwd().resolve()
    except OSError:  # the current folder was deleted: nothing can be above it
        return Path("/\0deleted")


def _home() -> Path | None:
    try:
        return Path.home().resolve()
    except (RuntimeError, KeyError, OSError):
        return None


def destination(path: str | os.PathLike[str]) -> Path:
    """The absolute path output written to ``path`` ends up at (links above it resolved)."""
    dest = Path(os.path.abspath(Path(os.fspath(path)).expanduser()))
    return dest.parent.resolve() / dest.name if dest.name else dest.resolve()


def check_destination(
    path: str | os.PathLike[str],
    kind: str,
    *,
    force: bool = False,
    recognise: Recogniser | None = None,
) -> Path:
    """Check that writing output ``kind`` to ``path`` replaces nothing it should not.

    See the module docstring for the rules. Nothing is created or removed.

    Parameters
    ----------
    path:
        The destination folder.
    kind:
        What is written (``"run"``, ``"game"``, ``"world-bundle"``); a folder whose marker
        names another kind needs ``force``.
    force:
        Replace a non-empty folder that is not a tradewar output of this kind, a file or
        a symbolic link.
    recognise:
        Recognises folders of this kind written before markers existed.

    Returns
    -------
    Path
        The destination as an absolute path (symbolic links in the parent resolved).

    Raises
    ------
    DataError
        If the destination is refused; the message names the path and the fix.
    """
    text = os.fspath(path)
    if text.strip() in ("", "."):
        raise _refuse(
            repr(text),
            "the output path is empty or '.', the current folder; tradewar never replaces it",
            "name a new folder, e.g. --out tradewar-out",
            forceable=False,
        )
    given = Path(text).expanduser()
    dest = destination(given)
    real = dest.resolve()
    if not dest.name or real == Path(real.anchor) or real == _home() or _is_above_or_at(real, _cwd()):
        raise _refuse(
            str(given),
            "is the current folder, a folder above it, the home folder or the root; "
            "tradewar never replaces it",
            "name a new folder inside it, e.g. --out tradewar-out",
            forceable=False,
        )
    if not os.path.lexists(dest):
        _check_parent(dest, given)
        return dest
    st = os.lstat(dest)
    if stat.S_ISLNK(st.st_mode):
        if not force:
            raise _refuse(
                str(given),
                f"is a symbolic link (to {os.readlink(dest)}); tradewar does not write through links",
                "give the folder itself or a new path",
                forceable=True,
            )
    elif stat.S_ISREG(st.st_mode):
        if not force:
            raise _refuse(str(given), "is a file, not a folder", "give a new folder name", forceable=True)
    elif not stat.S_ISDIR(st.st_mode):
        raise _refuse(
            str(given),
            "is a device, pipe or socket; tradewar never replaces it",
            "give a new folder name",
            forceable=False,
        )
    elif not force:
        _check_folder(dest, given, kind, recognise)
    _check_parent(dest, given)
    return dest


def _check_folder(dest: Path, given: Path, kind: str, recognise: Recogniser | None) -> None:
    try:
        entries = os.listdir(dest)
    except OSError as err:
        raise _refuse(
            str(given), f"cannot list the folder: {err.strerror}", "check it", forceable=False
        ) from None
    if not entries:
        return
    marker = read_marker(dest)
    if marker is not None:
        found = marker.get("kind")
        if found == kind:
            return
        raise _refuse(
            str(given),
            f"holds a tradewar output of another kind ({found!r}), not a tradewar "
            f"{KIND_LABELS.get(kind, kind)}",
            "give another folder name",
            forceable=True,
        )
    if recognise is not None and recognise(dest):
        return
    shown = ", ".join(sorted(entries)[:5]) + (" ..." if len(entries) > 5 else "")
    raise _refuse(
        str(given),
        f"is a folder with other files ({shown}), not a tradewar {KIND_LABELS.get(kind, kind)}; "
        "it would be replaced",
        "give a new or empty folder",
        forceable=True,
    )


def _check_parent(dest: Path, given: Path) -> None:
    """The nearest existing folder above ``dest`` must be a writable folder."""
    parent = dest.parent
    while not os.path.lexists(parent) and parent != parent.parent:
        parent = parent.parent
    if not parent.is_dir():
        raise _refuse(str(given), f"{parent} is not a folder", "give a path inside a folder", forceable=False)
    if not os.access(parent, os.W_OK | os.X_OK):
        raise _refuse(
            str(given),
            f"cannot write in {parent} (read-only or no permission)",
            "give a path in a folder you can write to",
            forceable=False,
        )


# ------------------------------------------------------------------------------ leftovers
def _leftover_pattern(dest: Path) -> re.Pattern[str]:
    return re.compile(rf"^\.{re.escape(dest.name)}\.(partial|old)-(\d+)-[^/]*$")


def _alive(pid: int) -> bool:
    if pid == os.getpid():
        return False
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except (PermissionError, OSError):
        return True
    return True


def _remove(path: Path) -> None:
    if path.is_dir() and not path.is_symlink():
        shutil.rmtree(path, ignore_errors=True)
    else:
        with contextlib.suppress(FileNotFoundError):
            path.unlink()


def _mtime(path: Path) -> float:
    try:
        return path.stat().st_mtime
    except OSError:
        return 0.0


def recover(path: str | os.PathLike[str]) -> list[Path]:
    """Repair what a killed writer of ``path`` left behind; return the leftovers handled.

    If ``path`` is missing and a ``.NAME.old-*`` folder of a dead process exists (a kill
    between the two renames of a swap), the newest one is renamed back to ``path``. Every
    other ``.NAME.partial-*`` and ``.NAME.old-*`` of a process that is no longer running is
    removed. Leftovers of a running process (another writer) are left alone.
    """
    dest = Path(path)
    parent = dest.parent
    if not parent.is_dir():
        return []
    pattern = _leftover_pattern(dest)
    stale: list[tuple[str, Path]] = []
    with contextlib.suppress(OSError):
        for name in os.listdir(parent):
            m = pattern.match(name)
            if m and not _alive(int(m.group(2))):
                stale.append((m.group(1), parent / name))
    if not stale:
        return []
    with _signals_held():
        olds = sorted((p for k, p in stale if k == "old"), key=_mtime, reverse=True)
        if olds and not os.path.lexists(dest):
            os.rename(olds[0], dest)
            stale = [(k, p) for k, p in stale if p != olds[0]]
        for _, p in stale:
            _remove(p)
    return [p for _, p in stale]


# ------------------------------------------------------------------------------ writing
_AT_FDCWD = -100
_RENAME_EXCHANGE = 2


def _exchange(a: Path, b: Path) -> bool:
    """Swap ``a`` and ``b`` atomically (Linux ``renameat2``); False where unsupported."""
    try:
        libc = ctypes.CDLL(None, use_errno=True)
        fn = libc.renameat2
    except (OSError, AttributeError):
        return False
    fn.argtypes = [ctypes.c_int, ctypes.c_char_p, ctypes.c_int, ctypes.c_char_p, ctypes.c_uint]
    fn.restype = ctypes.c_int
    if fn(_AT_FDCWD, os.fsencode(a), _AT_FDCWD, os.fsencode(b), _RENAME_EXCHANGE) == 0:
        return True
    err = ctypes.get_errno()
    if err in (errno.EINVAL, errno.ENOSYS, errno.EOPNOTSUPP, errno.EPERM):
        return False
    raise OSError(err, os.strerror(err), str(b))


def _swap_into_place(new: Path, dest: Path) -> None:
    """Put the finished folder ``new`` at ``dest``, removing what was there (signals held)."""
    with _signals_held():
        if not os.path.lexists(dest):
            os.rename(new, dest)
            return
        if _exchange(new, dest):
            _remove(new)  # now holds the previous output
            return
        old = Path(tempfile.mkdtemp(prefix=f".{dest.name}.old-{os.getpid()}-", dir=dest.parent))
        old.rmdir()
        os.rename(dest, old)
        try:
            os.rename(new, dest)
        except BaseException:
            os.rename(old, dest)
            raise
        _remove(old)


def write_marker(folder: Path, kind: str) -> None:
    """Write the marker file (:data:`MARKER`) saying ``folder`` is a tradewar output of ``kind``."""
    created = dt.datetime.now(dt.UTC).isoformat(timespec="seconds")
    payload = {"kind": kind, "version": MARKER_VERSION, "created": created}
    (folder / MARKER).write_text(json.dumps(payload) + "\n", encoding="utf-8")


@contextlib.contextmanager
def output_folder(
    path: str | os.PathLike[str],
    kind: str,
    *,
    force: bool = False,
    recognise: Recogniser | None = None,
) -> Iterator[Path]:
    """Write a tradewar output folder safely; yields the temporary folder to write into.

    ::

        with output_folder("tradewar-out", "run") as tmp:
            table.to_csv(tmp / "regions.csv")

    On leaving the block normally the marker is written and the folder replaces ``path``
    atomically; on an exception (Ctrl-C and SIGTERM included) the temporary folder is
    removed and ``path`` is left as it was. See the module docstring for the rules.

    Raises
    ------
    DataError
        If ``path`` is refused (see :func:`check_destination`) or cannot be written.
    """
    given = os.fspath(path)
    dest = check_destination(given, kind, force=force, recognise=recognise)
    with sigterm_raises():
        try:
            recover(dest)
            dest = check_destination(given, kind, force=force, recognise=recognise)
            dest.parent.mkdir(parents=True, exist_ok=True)
            tmp = Path(tempfile.mkdtemp(prefix=f".{dest.name}.partial-{os.getpid()}-", dir=dest.parent))
            umask = os.umask(0)
            os.umask(umask)
            tmp.chmod(0o777 & ~umask)  # mkdtemp makes 0700; the result is an ordinary folder
        except OSError as err:
            raise DataError(
                f"cannot write here: {err.strerror or err}",
                file=str(given),
                field="--out",
                fix="give a path in a folder you can write to",
            ) from None
        try:
            yield tmp
            write_marker(tmp, kind)
            _swap_into_place(tmp, dest)
        except OSError as err:
            _remove(tmp)
            raise DataError(
                f"cannot write the output: {err.strerror or err}",
                file=str(err.filename or given),
                field="--out",
                fix="check free disk space and permissions, or give another path",
            ) from None
        except BaseException:
            _remove(tmp)
            raise
