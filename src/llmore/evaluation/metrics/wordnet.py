"""WordNet for METEOR's synonym stage, found offline.

nltk's corpus downloader cannot run here (no network at run time), so the data comes from, in order:
nltk's own ``corpora/wordnet`` when someone installed it; Debian's ``wordnet-base`` package
(``/usr/share/wordnet``, the same Princeton WordNet 3.0 database files nltk ships), laid out once as
an nltk data folder under the user's cache with the ``lexnames`` table nltk's reader also wants
(bundled here; Debian leaves it out). Without either, METEOR still runs exact and stem matching and
the result says that synonyms were not used.
"""

from __future__ import annotations

import os
import shutil
import warnings
from functools import cache
from importlib import resources
from pathlib import Path
from typing import Any

DEBIAN_WORDNET = Path("/usr/share/wordnet")
_WORDNET_FILES = (
    "adj.exc", "adv.exc", "noun.exc", "verb.exc",
    "data.adj", "data.adv", "data.noun", "data.verb",
    "index.adj", "index.adv", "index.noun", "index.verb",
)


def _cache_root() -> Path:
    base = Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache")
    return base / "llmore" / "nltk_data"


def _materialise_debian_wordnet(source: Path, data_root: Path) -> None:
    """Copy Debian's files (28 MB, once) into ``data_root/corpora/wordnet``.

    Copies, not links: nltk refuses symbolic links out of its data folders and hard links alike.
    """
    target = data_root / "corpora" / "wordnet"
    if (target / "lexnames").exists():
        return
    staging = target.with_name(f"wordnet.{os.getpid()}.tmp")
    staging.mkdir(parents=True, exist_ok=True)
    for name in _WORDNET_FILES:
        shutil.copyfile(source / name, staging / name)
    (staging / "lexnames").write_bytes(resources.files(__package__).joinpath("data/lexnames").read_bytes())
    try:
        staging.rename(target)  # atomic: concurrent processes never see half a folder
    except OSError:
        shutil.rmtree(staging, ignore_errors=True)  # another process won the race


def _reader(root: str) -> Any:
    """nltk's reader over WordNet 3.0 files at ``root``."""
    from nltk.corpus.reader.wordnet import WordNetCorpusReader

    class WordNet30Reader(WordNetCorpusReader):
        """Skips the sense-key mapping to nltk's own copy: these files are WordNet 3.0 already."""

        def map_wn(self, version: str = "wordnet") -> None:
            return None

    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)  # "multilingual functions are not available": not used
        return WordNet30Reader(root, None)


@cache
def load_wordnet() -> Any | None:
    """nltk's WordNet reader, or None when no WordNet data is on this machine."""
    import nltk

    try:
        return _reader(nltk.data.find("corpora/wordnet"))
    except LookupError:
        pass
    if not all((DEBIAN_WORDNET / name).is_file() for name in _WORDNET_FILES):
        return None
    data_root = _cache_root()
    _materialise_debian_wordnet(DEBIAN_WORDNET, data_root)
    if str(data_root) not in nltk.data.path:
        nltk.data.path.append(str(data_root))
    return _reader(str(data_root / "corpora" / "wordnet"))


class NoSynonyms:
    """A stand-in WordNet with no synsets, so nltk's METEOR skips only its synonym stage."""

    def synsets(self, word: str) -> list[Any]:
        return []
