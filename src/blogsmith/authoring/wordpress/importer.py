"""`blogsmith import wordpress`: a WordPress export as articles, pages and comment files.

Two passes over the export, each streaming: the first catalogues what every post needs from
the others (`catalogue`) and plans its new file and its old URLs (`planning`); the second
converts and writes one post at a time (`writing`), its comments repaired into a thread that
builds (`threads`). What is written is a function of the export and the site's config alone,
so a second run finds every file as it left it and writes nothing (`files`).
"""

from __future__ import annotations

from pathlib import Path

from blogsmith.authoring.wordpress import wxr
from blogsmith.authoring.wordpress.catalogue import Catalogue
from blogsmith.authoring.wordpress.files import Files
from blogsmith.authoring.wordpress.media import Media
from blogsmith.authoring.wordpress.planning import plan_posts
from blogsmith.authoring.wordpress.report import ImportRefused, Report
from blogsmith.authoring.wordpress.site_config import load_config, site_config
from blogsmith.authoring.wordpress.writing import PostWriter
from blogsmith.content.load import CONTENT_DIR
from blogsmith.core.config import CONFIG_NAME


def import_wordpress(
    export: Path, site_dir: Path, attachments: Path | None = None, force: bool = False
) -> Report:
    """The export as the site's sources. The first pass reads the whole export before any
    file is written, so a broken export is refused, with where it breaks, having written none."""
    if not export.is_file():
        raise ImportRefused(f"{export}: no such file; give the path of the WordPress export")
    if attachments is not None and not attachments.is_dir():
        raise ImportRefused(f"--attachments {attachments}: no such folder")
    site_dir.mkdir(parents=True, exist_ok=True)
    report = Report(export)
    files = Files(site_dir, force, report)
    try:
        existing = load_config(site_dir).category_names if (site_dir / CONFIG_NAME).exists() else {}
        catalogue = Catalogue.scan(export, report, existing)
        config = site_config(site_dir, catalogue, files, report)
        plans = plan_posts(catalogue, config, report)
        media = Media(attachments, files, report)
        writer = PostWriter(catalogue, plans, config, media, files, report)
        (site_dir / CONTENT_DIR).mkdir(exist_ok=True)  # a site, even from an export of nothing
        for position, item in enumerate(wxr.read(export)):
            if position in plans.by_position:
                writer.write(item, plans.by_position[position])
    except wxr.ExportUnreadable as exc:
        raise ImportRefused(str(exc)) from None
    return report


__all__ = ["ImportRefused", "Report", "import_wordpress"]
