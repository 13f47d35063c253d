"""The import's only way to write into the site: what a second run finds as it left it is
not written again, and a file someone changed is kept unless --force says otherwise."""

from __future__ import annotations

from pathlib import Path

from blogsmith.authoring.wordpress.report import Report


class Files:
    """Writes files that are new or differ; never over a different file without `force`."""

    def __init__(self, site_dir: Path, force: bool, report: Report) -> None:
        self.site_dir, self.force, self.report = site_dir, force, report

    def write(self, relative: str, data: bytes) -> bool:
        path = self.site_dir / relative
        if path.is_symlink() or not path.parent.resolve().is_relative_to(self.site_dir.resolve()):
            self.report.notes.append(f"{relative}: not written: it is reached through a symlink")
            return False
        try:
            current = path.read_bytes()
        except FileNotFoundError:
            current = None
        if current == data:
            self.report.unchanged += 1
            return True
        if current is not None and not self.force:
            self.report.conflicts.append(relative)
            return False
        path.parent.mkdir(parents=True, exist_ok=True)
        temporary = path.with_name(f".{path.name}.importing")
        temporary.write_bytes(data)
        temporary.replace(path)
        self.report.written += 1
        return True
