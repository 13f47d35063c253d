"""The reference corpus (../shared/corpus/gen_corpus.py beside the checkout, or beside the one
it was cloned from): articles as heavy as real ones, the same archive as a blogsmith, a Hugo
and a Pelican site. Every bench that measures speed or search quality measures on it."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

SEED = 20220914
BESIDE = "shared/corpus/gen_corpus.py"


def _generator() -> Path:
    """The generator beside this checkout, or beside the checkout it was cloned from (a
    clone made elsewhere, as CI's is)."""
    checkout = Path(__file__).resolve().parents[1]
    here = checkout.parent / BESIDE
    if here.is_file():
        return here
    origin = subprocess.run(
        ["git", "-C", str(checkout), "config", "--get", "remote.origin.url"],
        capture_output=True,
        text=True,
    ).stdout.strip()
    if origin and Path(origin).is_dir():
        beside_origin = Path(origin).resolve().parent / BESIDE
        if beside_origin.is_file():
            return beside_origin
    return here


GENERATOR = _generator()


def corpus(work: Path, articles: int, generator: Path = GENERATOR) -> Path:
    """WORK/corpus, generated unless it holds this many articles already."""
    pristine = work / "corpus"
    done = pristine / "generated.json"
    wanted = {"articles": articles, "seed": SEED}
    if done.is_file() and json.loads(done.read_text()) == wanted:
        print(f"reusing the corpus in {pristine}", flush=True)
        return pristine
    if not generator.is_file():
        raise SystemExit(f"the corpus generator is not at {generator} (--generator PATH)")
    shutil.rmtree(pristine, ignore_errors=True)
    print(f"generating {articles} articles into {pristine}", flush=True)
    subprocess.run(
        [sys.executable, str(generator), "--articles", str(articles), "--out", str(pristine)]
        + ["--format", "all", "--seed", str(SEED)],
        check=True,
        stdout=subprocess.DEVNULL,
    )
    done.write_text(json.dumps(wanted))
    return pristine
