"""`blogsmith deploy`: the settings and target for the command line, and what it prints."""

from __future__ import annotations

import sys
from dataclasses import dataclass
from pathlib import Path

from blogsmith.cache.location import default_cache_dir
from blogsmith.core.config import Config, require_config
from blogsmith.deploy.names import some
from blogsmith.deploy.plan import PHASES
from blogsmith.deploy.run import DeployOptions, DeployRefused, DeployReport, deploy
from blogsmith.deploy.settings import deploy_settings
from blogsmith.deploy.targets import open_target
from blogsmith.deploy.targets.base import DeployFailed, DeploySettings
from blogsmith.deploy.urls import absolute_url, url_path

LISTED = 50
"""Files named one per line under a refusal, at most."""


@dataclass(frozen=True)
class DeployRequest:
    site: Path
    output: Path
    to: str | None
    options: DeployOptions
    changed_urls: Path | None


def deploy_command(request: DeployRequest) -> int:
    """Runs the deploy and prints what it did; BuildError for a config with errors."""
    config = require_config(request.site)
    url = request.to or config.deploy.to
    try:
        if not url:
            raise DeployFailed(
                "where to? pass --to URL or set deploy.to in blogsmith.yaml (file:///srv/www/, "
                "s3://bucket/prefix/, ssh://user@host/path/, git+ssh://host/repo.git#branch)"
            )
        settings = deploy_settings(config, request.output)
        target = open_target(url, settings)
        announcer = _Announcer(config, settings, request.changed_urls)
        try:
            cache_dir = default_cache_dir(request.output)
            report = deploy(request.output, cache_dir, target, request.options, announcer)
        finally:
            target.close()
    except DeployRefused as refused:
        _say(str(refused))
        for path in refused.files[:LISTED]:
            print(f"  {path}", file=sys.stderr)
        return 1
    except DeployFailed as failed:
        return _say(f"{failed}")
    except OSError as failed:
        return _say(_os_failure(url, failed))
    except KeyboardInterrupt:
        _say("interrupted; what was sent is recorded: deploy again to finish")
        return 130
    _print(report, url, request.options.dry_run)
    for line in announcer.lines:
        print(line)
    return 0 if announcer.ok else 1


class _Announcer:
    """After a deploy: the changed URLs to the file asked for, the paths to the CDN."""

    def __init__(self, config: Config, settings: DeploySettings, changed_urls: Path | None):
        self.config, self.settings, self.changed_urls = config, settings, changed_urls
        self.ok = True
        self.lines: list[str] = []

    def __call__(self, changed: list[str]) -> bool:
        if self.changed_urls is not None:
            urls = "".join(f"{absolute_url(self.config, path)}\n" for path in changed)
            self.changed_urls.write_text(urls, encoding="utf-8")
        if self.settings.cloudfront and changed:
            try:
                from blogsmith.deploy import cdn

                paths = list(dict.fromkeys(url_path(self.config, path) for path in changed))
                line = cdn.invalidate(self.settings, paths)
            except (DeployFailed, OSError, ImportError) as exc:
                self.ok = False
                _say(
                    f"the files are deployed, but the CDN was not told: {exc} (the next deploy "
                    "tells it again)"
                )
                return False
            if line:
                self.lines.append(line)
        return True


def _print(report: DeployReport, url: str, dry_run: bool) -> None:
    plan = report.plan
    if report.left_out:
        _say(
            f"warning: left out {len(report.left_out)} listed name(s) that are symbolic links "
            f"or not regular files (never followed or sent): {some(report.left_out)}"
        )
    if dry_run:
        for phase in PHASES:
            for upload in plan.sends[phase]:
                print(f"would upload ({phase}): {upload.path}")
        for path in plan.deletes:
            print(f"would delete: {path}")
        print(
            f"dry run for {url}: would upload {len(plan.uploads):,}, delete "
            f"{len(plan.deletes):,}; {plan.unchanged:,} unchanged; nothing was changed"
        )
        return
    notes = ""
    if plan.adopt:
        notes += f" ({len(plan.adopt):,} already there, adopted)"
    if plan.forget:
        notes += f" ({len(plan.forget):,} changed or removed by hand, left as they are)"
    print(
        f"deployed to {url}: {report.uploaded:,} uploaded, {report.deleted:,} deleted, "
        f"{plan.unchanged:,} unchanged{notes} in {report.seconds:.1f} s"
    )


def _os_failure(url: str, failed: OSError) -> str:
    where = f" ({failed.filename})" if failed.filename else ""
    return (
        f"cannot deploy to {url}: {failed.strerror or failed}{where}. Everything sent so far "
        "is recorded: fix this and deploy again to finish"
    )


def _say(message: str) -> int:
    print(f"blogsmith deploy: {message}", file=sys.stderr)
    return 1
