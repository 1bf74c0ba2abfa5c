"""Issue 17, side by side in one run: ours, Debian's hunspell and symspellpy on the same inputs.

    python -m bench.spell.side_by_side [--sample 5000] [--pairs 1000]

Needs `apt-get install hunspell hunspell-en-us hunspell-sv wamerican wbritish wswedish cfi-sv
debian-edu-doc-legacy-sv`; a missing input is reported as missing, never replaced.

- **Valid-word false flags**: words (lowercase, letters only, 3+ letters) from Debian's word
  lists, the held-out half by a stable hash (bench/spell/confidence.py tunes on the other).
  Ours: `knows`; hunspell: listed by `hunspell -l`; symspellpy: not in its dictionary.
- **First-suggestion accuracy** (held-out splits): codespell's list of common misspellings
  (derived in part from Wikipedia's lists), keyboard typos of frequent English and Swedish
  words. Ours: `suggest(w, 1)`; hunspell: its first suggestion; symspellpy: `lookup(w,
  CLOSEST, 2)`'s top hit.
- **Running text**: flags per 1,000 words in real prose: the Swedish book "Copyright finns
  inte" (Linus Walleij, Debian `cfi-sv`), the Swedish Audacity manual of Debian Edu (a
  translation), and for English the GPL-3 text (/usr/share/common-licenses). All three look at
  the same words: lowercase words of the text (capitalised ones may be names, which each
  tool treats its own way). Ours: flagged words (corrections and unknown) in full `check()`,
  of which rewritten.
- **Speed**: a full `check()` of each text (tokenising, looking up, five candidates for every
  flagged word, the corrected text) per CPU-second of this process: cold (the per-word caches
  emptied first) and warm (the same text again). hunspell: the first 2,000 words (letters only) of
  the text through `hunspell -a` (which suggests for each misspelt word; some Swedish words
  take it seconds), per CPU-second of the hunspell process, its start (~0.5 s)
  included; symspellpy: every word looked up, `lookup(w, CLOSEST, 2)` for the unknown ones.
- **Memory**: RSS growth loading both languages, each tool in a fresh process (hunspell: the
  RSS of its two processes, one per language).
"""

from __future__ import annotations

import argparse
import html
import random
import re
import resource
import subprocess
import sys
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from importlib import resources
from pathlib import Path

from symspellpy import SymSpell, Verbosity

from bench.spell import confidence, pairs
from bench.spell.peers import _counts
from services.spell_checker.spelling.checking import SpellChecker, checker_for
from services.spell_checker.spelling.tokenizer import Shape, words

SPEED_SAMPLE = 2000
HUNSPELL_DICTIONARIES = {"en": "en_US", "sv": "sv_SE"}
WORD_LISTS = {
    "en-US": ("en", Path("/usr/share/dict/american-english")),
    "en-GB": ("en", Path("/usr/share/dict/british-english")),
    "sv": ("sv", Path("/usr/share/dict/swedish")),
}
TEXTS = {
    "sv: Copyright finns inte (book)": ("sv", Path("/usr/share/doc/cfi-sv/cfi.html")),
    "sv: Audacity manual (translation)": (
        "sv",
        Path("/usr/share/doc/debian-edu-doc-legacy-sv/audacity-manual.html"),
    ),
    "en: GPL-3 (licence text)": ("en", Path("/usr/share/common-licenses/GPL-3")),
}


class Hunspell:
    """Debian's hunspell, run as a subprocess on a whole batch at a time: `-l` lists the
    misspelt words, `-a` (pipe mode) gives each word's suggestions."""

    def __init__(self, language: str) -> None:
        self.command = ["hunspell", "-d", HUNSPELL_DICTIONARIES[language], "-i", "utf-8"]
        self.cpu = 0.0  # CPU seconds its runs took (children's rusage)

    def _run(self, mode: str, batch: Sequence[str]) -> str:
        before = resource.getrusage(resource.RUSAGE_CHILDREN)
        out = subprocess.run(
            [*self.command, mode],
            input="".join(f"{word}\n" for word in batch),
            capture_output=True,
            text=True,
            encoding="utf-8",
            check=True,
        ).stdout
        after = resource.getrusage(resource.RUSAGE_CHILDREN)
        self.cpu += (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
        return out

    def misspelt(self, batch: Sequence[str]) -> list[str]:
        """The words of `batch` hunspell does not accept, with repeats."""
        return self._run("-l", batch).splitlines()

    def first_suggestions(self, batch: Sequence[str]) -> list[str | None]:
        """Each word's first suggestion (None when it is known or has none); the words must be
        single tokens (letters only)."""
        lines = self._run("-a", [f"^{word}" for word in batch]).splitlines()[1:]
        groups: list[list[str]] = [[]]
        for line in lines:
            if line == "":
                groups.append([])
            else:
                groups[-1].append(line)
        found: list[str | None] = []
        for group in groups[: len(batch)]:
            first = next((g for g in group if g.startswith("&") and ": " in g), None)
            found.append(first.split(": ", 1)[1].split(", ")[0] if first else None)
        if len(found) != len(batch):
            raise RuntimeError(f"hunspell answered {len(found)} of {len(batch)} words")
        return found

    def rss_mib(self) -> float:
        """RSS of a hunspell process with the dictionary loaded (waiting at its prompt)."""
        process = subprocess.Popen(
            [*self.command, "-a"], stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True
        )
        assert process.stdout is not None
        process.stdout.readline()  # the banner: loaded
        status = Path(f"/proc/{process.pid}/status").read_text()
        process.terminate()
        process.wait()
        for line in status.splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
        return 0.0


class SymspellPeer:
    def __init__(self, language: str, checker: SpellChecker) -> None:
        self.engine = SymSpell(max_dictionary_edit_distance=2, prefix_length=7)
        if language == "en":
            path = resources.files("symspellpy") / "frequency_dictionary_en_82_765.txt"
            self.engine.load_dictionary(str(path), term_index=0, count_index=1)
        else:  # symspellpy ships no Swedish: it gets our Swedish frequency list
            for word, count in _counts(checker.lexicon).items():
                self.engine.create_dictionary_entry(word, count)

    def knows(self, word: str) -> bool:
        return word in self.engine.words

    def suggest(self, word: str) -> list[str]:
        found = self.engine.lookup(word, Verbosity.CLOSEST, max_edit_distance=2)
        return [s.term for s in found[:5]]


def prose(path: Path) -> str:
    text = path.read_text(encoding="utf-8", errors="replace")
    if path.suffix == ".html":
        text = re.sub(r"<(script|style)[^>]*>.*?</\1>", " ", text, flags=re.S | re.I)
        text = html.unescape(re.sub(r"<[^>]+>", " ", text))
    return re.sub(r"\s+", " ", text)


def held_out_words(path: Path, size: int) -> list[str]:
    text = path.read_text(encoding="utf-8", errors="replace")
    found = sorted({w for w in text.split() if len(w) >= 3 and w.isalpha() and w == w.lower()})
    test = [w for w in found if confidence.in_split(w, "test")]
    return random.Random(1).sample(test, min(size, len(test)))


def pct(part: float, whole: float) -> str:
    return f"{100 * part / whole:.1f} %" if whole else "n/a"


@dataclass
class Tools:
    checker: SpellChecker
    hunspell: Hunspell
    symspell: SymspellPeer


def valid_flags(tools: dict[str, Tools], size: int) -> None:
    print("\n### Valid word forms flagged (held-out half of Debian's word lists)\n")
    print("| list | words | ours | hunspell | symspellpy |\n|---|---|---|---|---|")
    for name, (language, path) in WORD_LISTS.items():
        if not path.exists():
            print(f"| {name} | missing: {path} | | | |")
            continue
        sample = held_out_words(path, size)
        t = tools[language]
        ours = [w for w in sample if not t.checker.knows(w)]
        theirs = len(t.hunspell.misspelt(sample))
        sym = sum(1 for w in sample if not t.symspell.knows(w))
        print(
            f"| {name} | {len(sample)} | {pct(len(ours), len(sample))} "
            f"| {pct(theirs, len(sample))} | {pct(sym, len(sample))} |"
        )
        print(f"<!-- {name}, ours flags e.g.: {' '.join(ours[:12])} -->")


def accuracy(tools: dict[str, Tools], size: int) -> None:
    print("\n### First-suggestion accuracy (held-out splits, the same pairs for all)\n")
    print("| set | pairs | ours | hunspell | symspellpy |\n|---|---|---|---|---|")
    en, sv = tools["en"], tools["sv"]
    sets: list[tuple[str, Tools, list[pairs.Pair]]] = [
        ("en: codespell (Wikipedia-style)", en, pairs.english_pairs(en.checker.knows, size)),
        (
            "en: keyboard typos",
            en,
            confidence.english_keyboard_pairs(en.checker.knows, size, "test"),
        ),
        ("sv: keyboard typos", sv, pairs.swedish_pairs(sv.checker.knows, size)),
    ]
    for name, t, sample in sets:
        ours = sum(1 for w, r in sample if t.checker.suggest(w, 1)[:1] == [r])
        answers = t.hunspell.first_suggestions([w for w, _ in sample])
        theirs = sum(1 for (_, r), s in zip(sample, answers, strict=True) if s == r)
        sym = sum(1 for w, r in sample if t.symspell.suggest(w)[:1] == [r])
        print(
            f"| {name} | {len(sample)} | {pct(ours, len(sample))} | {pct(theirs, len(sample))} "
            f"| {pct(sym, len(sample))} |"
        )


def lowercase_words(text: str) -> list[str]:
    return [w.text for w in words(text) if w.shape is Shape.LOWER and len(w.text) >= 2]


def running_text(tools: dict[str, Tools]) -> None:
    print("\n### Running text: flags per 1,000 words\n")
    print(
        "| text | words | ours: flagged (rewritten) | ours: full check, flagged + unknown "
        "(rewritten) | hunspell | symspellpy |\n|---|---|---|---|---|---|"
    )
    for name, (language, path) in TEXTS.items():
        if not path.exists():
            print(f"| {name} | missing: {path} | | | | |")
            continue
        text = prose(path)
        t = tools[language]
        checked = t.checker.check(text)
        n = checked.word_count
        lower = lowercase_words(text)
        ours = [w for w in lower if not t.checker.knows(w)]
        rewritten = sum(1 for w in ours if t.checker.assess(w).sure)
        theirs = len(t.hunspell.misspelt(lower))
        sym = sum(1 for w in lower if not t.symspell.knows(w))
        flags = checked.error_count + checked.unknown_count
        print(
            f"| {name} | {n:,} | {1000 * len(ours) / n:.1f} ({1000 * rewritten / n:.1f}) "
            f"| {1000 * flags / n:.1f} ({1000 * checked.corrected_count / n:.1f}) "
            f"| {1000 * theirs / n:.1f} | {1000 * sym / n:.1f} |"
        )
        print(f"<!-- {name}, ours flags e.g.: {' '.join(ours[:20])} -->")


def speed(tools: dict[str, Tools]) -> None:
    print("\n### Speed: words per CPU-second, the whole text\n")
    print(
        "| text | words | ours `check`, cold | ours `check`, warm | hunspell -a | symspellpy |"
        "\n|---|---|---|---|---|---|"
    )
    for name, (language, path) in TEXTS.items():
        if not path.exists():
            continue
        text = prose(path)
        t = tools[language]
        morphology = t.checker._morphology
        rates = []
        for cold in (True, False):
            if cold and morphology is not None:
                morphology._cached.cache_clear()
            started = time.process_time()
            result = t.checker.check(text)
            rates.append(result.word_count / (time.process_time() - started))
        tokens = [w.text for w in words(text)]
        # hunspell -a suggests for every misspelt word: a few seconds for some Swedish ones,
        # so it gets the first SPEED_SAMPLE words only
        sample = [w for w in tokens[:SPEED_SAMPLE] if w.isalpha()]
        before = t.hunspell.cpu
        t.hunspell.first_suggestions(sample)
        spent = t.hunspell.cpu - before
        started = time.process_time()
        for token in tokens:
            word = token.lower()
            if not t.symspell.knows(word):
                t.symspell.suggest(word)
        sym = len(tokens) / (time.process_time() - started)
        hun = f"{len(sample) / spent:,.0f}" if spent > 0 else "n/a"
        print(
            f"| {name} | {len(tokens):,} | {rates[0]:,.0f} | {rates[1]:,.0f} | {hun} | {sym:,.0f} |"
        )


def rss_growth(code: str) -> float:
    """RSS growth (MiB) of running `code` in a fresh process."""
    program = (
        "import os\n"
        "def rss():\n"
        "    return int(open('/proc/self/statm').read().split()[1]) * os.sysconf('SC_PAGE_SIZE')\n"
        f"before = rss()\n{code}\nprint((rss() - before) / 2**20)\n"
    )
    out = subprocess.run(
        [sys.executable, "-c", program], capture_output=True, text=True, check=True
    ).stdout
    return float(out.strip().splitlines()[-1])


def memory() -> None:
    ours = rss_growth("import services.spell_checker.spelling.checking as c\nc.preload()")
    sym = rss_growth(
        "from bench.spell.side_by_side import SymspellPeer\n"
        "from services.spell_checker.spelling.dictionaries import load_lexicon\n"
        "class L:\n    pass\n"
        "peers = []\n"
        "for lang in ('en', 'sv'):\n"
        "    fake = L(); fake.lexicon = load_lexicon(lang)\n"
        "    peers.append(SymspellPeer(lang, fake))\n"
        "    del fake\n"
    )
    hun = sum(Hunspell(language).rss_mib() for language in ("en", "sv"))
    print("\n### Memory: both languages loaded (RSS growth, fresh process each)\n")
    print("| ours | hunspell (two processes) | symspellpy |\n|---|---|---|")
    print(f"| {ours:.0f} MiB | {hun:.0f} MiB | {sym:.0f} MiB |")
    print(
        "\n(symspellpy's figure includes the Swedish frequency list it is given, loaded "
        "through our lexicon loader.)"
    )


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--sample", type=int, default=5000)
    parser.add_argument("--pairs", type=int, default=1000)
    parser.add_argument(
        "--parts", default="memory,valid,accuracy,text,speed", help="comma-separated"
    )
    args = parser.parse_args()
    parts = set(args.parts.split(","))
    started = time.perf_counter()
    if "memory" in parts:
        memory()
    tools: dict[str, Tools] = {}
    for language in ("en", "sv"):
        checker = checker_for(language)
        tools[language] = Tools(checker, Hunspell(language), SymspellPeer(language, checker))
    steps: list[tuple[str, Callable[[], None]]] = [
        ("valid", lambda: valid_flags(tools, args.sample)),
        ("accuracy", lambda: accuracy(tools, args.pairs)),
        ("text", lambda: running_text(tools)),
        ("speed", lambda: speed(tools)),
    ]
    for name, step in steps:
        if name in parts:
            step()
    print(f"\n(one run, {time.perf_counter() - started:.0f} s, on a shared 2-core machine)")


if __name__ == "__main__":
    main()
