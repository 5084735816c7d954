"""Compiled indexes kept in the user's cache folder: a gazetteer that takes
seconds to key (the world, ``geonames:N``) is compiled the first time it is
asked for, with a progress bar, and mapped from the cache from then on.

The folder is ``$NAMENORM_CACHE_DIR`` if set, else the platform's user cache
folder for namenorm (platformdirs: ``~/.cache/namenorm`` on Linux). A cached
file is named by what it was made of (the sources' key, the core's
fingerprint and the package's fitted data), written to a temporary name and renamed into place, so that
processes that build it at once never read half a file; one that is stale
or damaged is built again.
"""

from __future__ import annotations

import hashlib
import os
import sys
import tempfile
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from functools import lru_cache
from importlib import resources
from pathlib import Path
from typing import TYPE_CHECKING

import platformdirs
from tqdm import tqdm

from . import _core
from ._compiled import SUFFIX, read_index
from ._errors import GazetteerError

if TYPE_CHECKING:
    from ._gazetteer import Gazetteer


def cache_dir() -> Path:
    """Where compiled gazetteers are cached."""
    folder = os.environ.get("NAMENORM_CACHE_DIR")
    return Path(folder) if folder else Path(platformdirs.user_cache_dir("namenorm", appauthor=False))


def cached(
    name: str,
    key: str,
    build: Callable[[Callable[[str], None]], Gazetteer],
    *,
    progress: bool | None = None,
) -> Gazetteer:
    """The gazetteer `name`, mapped from the cache, or built by `build` and
    compiled into the cache first.

    Args:
        name: What it is called in the file name and the progress bar.
        key: What it was made of (the versions of its sources): another key
            builds it again.
        build: Makes the gazetteer, calling its argument with each step it
            takes ("reading GeoNames", ...).
        progress: Show a progress bar on stderr while it is built; by
            default, when stderr is a terminal.

    Raises:
        OSError: If the cache folder cannot be written.
    """
    from ._gazetteer import Gazetteer

    fingerprint = hashlib.sha256(f"{key} {_core.VERSION} {_core.fingerprint()} {_settings()}".encode()).hexdigest()[:16]
    folder = cache_dir()
    path = folder / f"{name}-{fingerprint}{SUFFIX}"
    try:
        return Gazetteer._of_index(read_index(path), str(path))
    except (GazetteerError, OSError):
        pass  # not built yet, or stale or damaged: build it
    folder.mkdir(parents=True, exist_ok=True)
    with _ticking(f"compiling {name} into {folder}", progress) as step:
        gazetteer = build(step)
        step("keying names")
        gazetteer._candidate_index()
        step("measuring false matches")
        handle, temporary = tempfile.mkstemp(prefix=f".{name}-", suffix=SUFFIX, dir=folder)
        os.close(handle)
        try:
            gazetteer.compile(temporary)
            os.replace(temporary, path)
        finally:
            if os.path.exists(temporary):
                os.unlink(temporary)
    for old in folder.glob(f"{name}-*{SUFFIX}"):
        if old != path:
            old.unlink(missing_ok=True)
    return Gazetteer._of_index(read_index(path), str(path))


@lru_cache(maxsize=1)
def _settings() -> str:
    """A hash of the package's fitted data (calibration, ranker, tables),
    which the false-match rates a compiled file carries were measured with."""
    digest = hashlib.sha256()
    folder = resources.files("namenorm") / "data"
    for item in sorted(folder.iterdir(), key=lambda item: item.name):
        if item.is_file():
            digest.update(item.name.encode())
            digest.update(item.read_bytes())
    return digest.hexdigest()


@contextmanager
def _ticking(what: str, progress: bool | None) -> Iterator[Callable[[str], None]]:
    """A bar that names the step under way and its time, refreshed every
    second (the steps run in the core, which reports no counts)."""
    if progress is None:
        progress = sys.stderr.isatty()
    bar = tqdm(desc=what, total=None, file=sys.stderr, disable=not progress, bar_format="{desc}: {elapsed}")
    done = threading.Event()

    def tick() -> None:
        while not done.wait(0.5):
            bar.refresh()

    ticker = threading.Thread(target=tick, daemon=True)
    ticker.start()
    started = time.perf_counter()
    try:
        yield lambda step: bar.set_description_str(f"{what}: {step}")
    finally:
        done.set()
        ticker.join()
        bar.set_description_str(f"{what}: done in {time.perf_counter() - started:.0f} s")
        bar.close()
