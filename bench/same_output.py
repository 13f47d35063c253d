"""Is the output of this checkout byte for byte what another revision built? For refactors.

Builds the example archive at the repository's root and a generated archive (default 1,000
articles, see generate.py) with the default config, search included, cold (no cache), and
records a SHA-256 per output file. `save` writes the record; `compare` builds again and lists
every file that was added, removed or changed.

    git stash; python bench/same_output.py save /tmp/before.json; git stash pop
    python bench/same_output.py compare /tmp/before.json
"""

from __future__ import annotations

import argparse
import hashlib
import json
import subprocess
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from generate import write_site  # noqa: E402

REPO = Path(__file__).resolve().parent.parent


def digests(site: Path, output: Path) -> dict[str, str]:
    run = subprocess.run(
        [sys.executable, "-m", "blogsmith", "build", "--site", site, "--output", output,
         "--no-cache", "-q"],
        capture_output=True, text=True, cwd=REPO,
    )  # fmt: skip
    if run.returncode != 0:
        raise SystemExit(f"the build of {site} failed:\n{run.stderr}")
    return {
        path.relative_to(output).as_posix(): hashlib.sha256(path.read_bytes()).hexdigest()
        for path in sorted(output.rglob("*"))
        if path.is_file()
    }


def record(articles: int, seed: int) -> dict[str, dict[str, str]]:
    with tempfile.TemporaryDirectory(prefix="blogsmith-same-") as work:
        work_dir = Path(work)
        generated = work_dir / "generated"
        write_site(generated, articles, seed)
        return {
            "example": digests(REPO, work_dir / "example-out"),
            f"generated-{articles}": digests(generated, work_dir / "generated-out"),
        }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("action", choices=("save", "compare"))
    parser.add_argument("file", type=Path)
    parser.add_argument("--articles", type=int, default=1000)
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args()
    now = record(args.articles, args.seed)
    if args.action == "save":
        args.file.write_text(json.dumps(now, indent=1, sort_keys=True), encoding="utf-8")
        print(", ".join(f"{name}: {len(files)} files" for name, files in now.items()))
        return
    before = json.loads(args.file.read_text(encoding="utf-8"))
    differences = 0
    for name in sorted(set(before) | set(now)):
        old, new = before.get(name, {}), now.get(name, {})
        for path in sorted(set(old) | set(new)):
            if old.get(path) != new.get(path):
                what = "added" if path not in old else "removed" if path not in new else "changed"
                print(f"{name}: {what}: {path}")
                differences += 1
        print(f"{name}: {len(new)} files, {differences} differences so far")
    sys.exit(1 if differences else 0)


if __name__ == "__main__":
    main()
