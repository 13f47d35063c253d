"""Full-text search: Pagefind indexes the finished site into /pagefind/.

Pagefind runs as its own binary (shipped by the pagefind[extended] wheel, which also splits
Japanese into words) over the published output, writing the bundle to a temporary folder that
is then moved into the output like any other files: a failure leaves the old bundle as it was.
"""

from __future__ import annotations

import functools
import subprocess
import tempfile
from contextlib import AbstractContextManager, nullcontext
from pathlib import Path

from .writer import StagedWriter

BUNDLE = "pagefind"
TIMEOUT_SECONDS = 600


@functools.cache
def pagefind_binary() -> tuple[Path | None, str]:
    """The binary and '' when it runs here; None and the reason when it does not."""
    try:
        from pagefind.service import get_executable
    except ImportError:
        return None, "the pagefind package is not installed (pip install 'pagefind[extended]')"
    binary = get_executable()
    if binary is None:
        return None, "no Pagefind binary is installed (pip install 'pagefind[extended]')"
    try:
        subprocess.run([str(binary), "--version"], capture_output=True, timeout=60, check=True)
    except (OSError, subprocess.SubprocessError) as exc:
        return None, f"the Pagefind binary {binary} cannot run here ({exc})"
    return binary, ""


def index_site(output: Path, guard: AbstractContextManager | None = None) -> str | None:
    """Index `output` and move the new bundle in; returns a problem to warn about, or None."""
    binary, reason = pagefind_binary()
    if binary is None:
        return reason
    with tempfile.TemporaryDirectory(prefix=".pagefind-", dir=output.parent) as temporary:
        bundle = Path(temporary) / BUNDLE
        try:
            run = subprocess.run(
                [str(binary), "--site", str(output), "--output-path", str(bundle), "--silent"],
                capture_output=True,
                text=True,
                timeout=TIMEOUT_SECONDS,
            )
        except (OSError, subprocess.SubprocessError) as exc:
            return f"Pagefind failed ({exc}); the previous search index is kept"
        if run.returncode != 0 or not (bundle / "pagefind.js").is_file():
            detail = (run.stderr or run.stdout).strip().splitlines()
            return (
                "Pagefind failed"
                + (f": {detail[-1]}" if detail else "")
                + "; the previous search index is kept"
            )
        writer = StagedWriter(output, scope=BUNDLE + "/", label="search-staging")
        for path in sorted(bundle.rglob("*")):
            if path.is_file():
                writer.put(f"{BUNDLE}/{path.relative_to(bundle).as_posix()}", path.read_bytes())
        with guard or nullcontext():
            writer.commit()
    return None
