"""The comment service's builder process: it keeps its last build, so that an approved
comment reaches readers in about a second (the service talks to it through
`service.builder.Builder`).

An approval changes one comments file. A new `blogsmith build` process spends seconds on a
large archive remaking the graph and the page keys of every article before it finds that one
page changed; this process keeps what its last build made and patches the changed file in, as
the live preview does (preview.patch), then saves the cache as a build would and deploys. It
notices what a build would: anything beyond content files changed since its own last build (a
template, the config, another process's build) and it builds as `blogsmith build` does.

It runs one thread, so a build may fork its workers, which a process serving requests on
threads may not. It reads one request per line on stdin and answers each with one line of
JSON; what else it prints goes to its stderr, the service's log.
"""

from __future__ import annotations

import argparse
import io
import json
import os
import time
from contextlib import redirect_stderr, redirect_stdout
from pathlib import Path
from typing import BinaryIO

from blogsmith.build import BuildError, BuildResult, BuiltSite, build, default_cache_dir
from blogsmith.cache.build_cache import BuildCache
from blogsmith.cache.persist import CacheFolder
from blogsmith.deploy.command import DeployRequest, deploy_command
from blogsmith.deploy.run import DeployOptions
from blogsmith.output.publisher import Publisher
from blogsmith.output.writer import NotOwned
from blogsmith.preview.live import LiveSite
from blogsmith.preview.patch import patch

Step = tuple[int | None, str]
"""A step's exit code (None: it did not finish) and what it printed."""


class KeptSite:
    """The builder's state: the last build it committed, and the cache and output folder
    publisher that build used."""

    def __init__(self, site_dir: Path, output: Path | None):
        self.site_dir = site_dir.resolve()
        self.output = (output or self.site_dir / "public").resolve()
        self.folder = CacheFolder(default_cache_dir(self.output))
        self.publisher = Publisher(self.output)
        self.live: LiveSite | None = None
        self.cache: BuildCache | None = None
        self.saved: tuple[int, int, int] | None = None
        """The mark of the manifest its last build left (CacheFolder.manifest_mark): the build
        sets the kept state aside when the one on disk has another."""
        self.patched: LiveSite | None = None
        """The site as the last build's patch left it (None: that build was not a patch)."""

    def build(self, keep: bool) -> Step:
        """As `blogsmith build`, patched into the kept build when only content changed.
        `keep`: make the graph even when nothing changed, for the builds that follow."""
        if self.saved is None:  # nothing on disk to check the kept state against
            self.live = self.cache = None
        self.patched = None
        try:
            result = build(
                self.site_dir,
                self.output,
                cache=self.cache,
                publisher=self.publisher,
                cache_dir=self.folder.folder,
                patch=self._patch if self.live is not None else None,
                keep_site=keep and self.live is None,
                kept_mark=self.saved if self.cache is not None else None,
            )
        except BuildError as failed:
            self.live = self.cache = None
            self.saved = None
            errors = [str(error) for error in failed.errors]
            count = len(errors)
            note = f"{count} error{'s' if count != 1 else ''}; the previous output is unchanged"
            return 1, "\n".join([*errors, note])
        except BaseException:
            self.live = self.cache = self.saved = None  # the next build starts from disk
            raise
        if self.patched is not None:
            self.live = self.patched
        elif result.site is not None:
            self.live = LiveSite.of(self.site_dir, self.output, result)
            self.cache = result.site.cache
        self.saved = result.cache_mark
        return 0, result.summary(self.output)

    def _patch(self, changed: set[str]) -> BuildResult | None:
        assert self.live is not None and self.cache is not None
        try:
            patched = patch(self.live, self.cache, changed, self.publisher)
        except NotOwned:
            return None  # a build reports what is in the way
        if patched is None:
            return None
        result, self.patched = patched
        live = self.patched
        result.site = BuiltSite(
            live.graph,
            live.jobs,
            live.renderer,
            live.version,
            live.images,
            live.static_paths,
            self.cache,
        )
        return result

    def deploy(self) -> Step:
        """As `blogsmith deploy` to the configured target."""
        said = io.StringIO()
        request = DeployRequest(self.site_dir, self.output, None, DeployOptions(), None)
        with redirect_stdout(said), redirect_stderr(said):
            try:
                code = deploy_command(request)
            except BuildError as failed:
                code = 1
                for error in failed.errors:
                    print(error)
        return code, said.getvalue()


def serve_requests(site: KeptSite, requests: BinaryIO, answers: BinaryIO) -> None:
    """Until stdin closes (the service ended): build, then deploy when asked, per request."""
    for line in requests:
        asked = json.loads(line)
        started = time.perf_counter()
        deployed: Step | None = None
        try:
            built = site.build(bool(asked.get("keep")))
        except Exception as failed:  # the service keeps serving; the moderator sees why
            built = (1, f"internal error while building: {failed!r}")
        built_at = time.perf_counter()
        if asked.get("deploy") and built[0] == 0:
            try:
                deployed = site.deploy()
            except Exception as failed:
                deployed = (1, f"internal error while deploying: {failed!r}")
        answer = {
            "build": built,
            "deploy": deployed,
            "patched": site.patched is not None,
            "build_seconds": built_at - started,
            "deploy_seconds": time.perf_counter() - built_at,
        }
        try:
            answers.write(json.dumps(answer, ensure_ascii=False).encode() + b"\n")
            answers.flush()
        except BrokenPipeError:  # the service ended meanwhile
            return


def main() -> None:
    parser = argparse.ArgumentParser(prog="python -m blogsmith.service.build_process")
    parser.add_argument("--site", type=Path, required=True)
    parser.add_argument("--output", type=Path)
    args = parser.parse_args()
    # The requests and answers move to descriptors no child inherits (a deploy's ssh may
    # leave a process behind); the standard ones become /dev/null and the log.
    requests = os.fdopen(os.dup(0), "rb")
    answers = os.fdopen(os.dup(1), "wb")
    quiet = os.open(os.devnull, os.O_RDONLY)
    os.dup2(quiet, 0)
    os.dup2(2, 1)
    serve_requests(KeptSite(args.site, args.output), requests, answers)


if __name__ == "__main__":
    main()
