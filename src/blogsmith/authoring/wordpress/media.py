"""The export's uploaded images, brought into the site when their files are at hand."""

from __future__ import annotations

from pathlib import Path
from urllib.parse import unquote, urlsplit

from blogsmith.authoring.wordpress.files import Files
from blogsmith.authoring.wordpress.report import Report


class Media:
    """Image URLs under wp-content/uploads/: copied from --attachments into static/uploads/
    and linked there when the file is found, left pointing at the old site when not."""

    MARK = "/wp-content/uploads/"

    def __init__(self, folder: Path | None, files: Files, report: Report):
        self.folder = folder.resolve() if folder is not None else None
        self.files, self.report = files, report
        self.missing: set[str] = set()

    def url(self, url: str) -> str:
        if self.folder is None or self.MARK not in url:
            return url
        relative = self._inside(unquote(urlsplit(url).path.split(self.MARK, 1)[1]))
        if relative is None:
            if url not in self.missing:
                self.missing.add(url)
                self.report.notes.append(f"not in --attachments, left linking the old site: {url}")
            return url
        self.files.write(f"static/uploads/{relative}", (self.folder / relative).read_bytes())
        return f"/uploads/{relative}"

    def _inside(self, relative: str) -> str | None:
        """The path as a plain file of the folder, or None: an export is untrusted, and
        `//etc/x`, `%2F`, `..` or a symlink out must never copy a file from elsewhere."""
        parts = relative.split("/")
        if any(part in ("", ".", "..") or "\\" in part or "\0" in part for part in parts):
            return None
        source = self.folder / relative
        try:
            if source.resolve().is_relative_to(self.folder) and source.is_file():
                return relative
        except (OSError, ValueError):
            pass
        return None
