"""Where a deploy goes: one module per kind of target, each a `Target` (see base)."""

from __future__ import annotations

from urllib.parse import urlsplit

from blogsmith.deploy.targets.base import DeployFailed, DeploySettings, Target

SCHEMES = ("file", "ssh", "s3", "git+file", "git+ssh")


def open_target(url: str, settings: DeploySettings) -> Target:
    """The target a URL names; DeployFailed for one blogsmith cannot deploy to."""
    scheme = urlsplit(url).scheme
    if scheme == "file":
        from blogsmith.deploy.targets.folder import FolderTarget

        return FolderTarget(url, settings)
    if scheme == "ssh":
        from blogsmith.deploy.targets.ssh import SshTarget

        return SshTarget(url, settings)
    if scheme == "s3":
        from blogsmith.deploy.targets.s3 import S3Target

        return S3Target(url, settings)
    if scheme in ("git+file", "git+ssh"):
        from blogsmith.deploy.targets.git import GitTarget

        return GitTarget(url, settings)
    raise DeployFailed(
        f"cannot deploy to {url!r}: use file:///path/, ssh://[user@]host[:port]/path/, "
        "s3://bucket/prefix/, git+file:///path/repo.git#branch or git+ssh://host/repo.git#branch"
    )
