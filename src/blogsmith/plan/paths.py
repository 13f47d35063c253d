"""Whether every output path can be written, by every file system, without one page taking
another's place: two pages on one file, a page's file that another needs as a folder,
names no file system holds, the search index's folder, static files in a page's way."""

from __future__ import annotations

import re
from collections.abc import Collection

from blogsmith.core import urls
from blogsmith.core.errors import ErrorBag
from blogsmith.core.settings import CONFIG_NAME
from blogsmith.plan.job import Job

LONGEST_NAME_BYTES = 255
"""What a file or folder name may hold on Linux, macOS and Windows file systems."""
_CONTROL = re.compile(r"[\x00-\x1f\x7f]")


def check_paths(jobs: list[Job], bag: ErrorBag, search: bool) -> None:
    owners: dict[str, Job] = {}
    for job in jobs:
        target = job.output_file
        problem = unwritable(target) or (
            INSIDE_SEARCH if search and in_search_folder(target) else None
        )
        if problem:
            shown = job.path if len(job.path) < 60 else job.path[:40] + "..."
            bag.add(job.origin, job.line, f"URL {shown!r} {problem}")
            continue
        other = owners.get(target)
        if other is None:
            owners[target] = job
            continue
        first, second = sorted((other, job), key=_generated_last)
        if not _is_content(second):
            first, second = second, first
        owners[target] = first
        bag.add(
            second.origin,
            second.line,
            f"URL {job.path} is also the URL of "
            f"{_describe(first)}; give one of them another slug or alias",
        )

    _check_folders(owners, bag)


INSIDE_SEARCH = (
    "is inside /search/, where the search index is written; choose another path "
    "(or turn search off with 'search: false')"
)


def in_search_folder(target: str) -> bool:
    """An output file the search index's files could be, or could need as a folder."""
    return target.startswith(urls.SEARCH_PATH.lstrip("/")) and target != urls.output_file(
        urls.SEARCH_PATH
    )


def unwritable(target: str) -> str | None:
    """Why the output file `target` cannot be written on any file system, or None."""
    if ".." in target.split("/") or target.startswith("/"):
        return "would be written outside the output folder; remove '..' from it"
    if _CONTROL.search(target):
        return "holds a control character (like NUL), which no file name may; remove it"
    for segment in target.split("/"):
        size = len(segment.encode("utf-8", "surrogatepass"))
        if size > LONGEST_NAME_BYTES:
            return (
                f"has a part of {size} bytes ({segment[:12]}...), longer than the "
                f"{LONGEST_NAME_BYTES} bytes a file name may have; shorten the slug or alias"
            )
    return None


def _check_folders(owners: dict[str, Job], bag: ErrorBag) -> None:
    """A page's file cannot also be a folder of another page's (`/feed.xml` and
    `/feed.xml/x/`)."""
    for target, job in owners.items():
        folder = next((f for f in urls.folders_of(target) if f in owners), None)
        if folder is None:
            continue
        other = owners[folder]
        if _is_content(job) or not _is_content(other):
            bag.add(
                job.origin,
                job.line,
                f"URL {job.path} needs {folder} as a folder, but it is the file of "
                f"{_describe(other)}; give it another slug or alias",
            )
        else:
            bag.add(
                other.origin,
                other.line,
                f"URL {other.path} is the file {folder}, which {_describe(job)} needs as a "
                "folder; give it another slug or alias",
            )


def _is_content(job: Job) -> bool:
    """Whether an editor wrote the job's path: in content/ or in blogsmith.yaml's redirects."""
    return job.origin.startswith("content/") or job.origin == CONFIG_NAME


def _generated_last(job: Job) -> tuple:
    """Articles first, then blogsmith.yaml's redirects, then what the site makes: the later
    of two on one URL is the one the error names."""
    rank = 0 if job.origin.startswith("content/") else 1 if job.origin == CONFIG_NAME else 2
    return (rank, job.origin, job.line)


def _describe(job: Job) -> str:
    if _is_content(job) and job.line:
        return f"{job.origin}:{job.line}"
    return job.origin


def check_static_conflicts(
    jobs: list[Job], statics: Collection[str], bag: ErrorBag, search: bool
) -> None:
    pages = {job.output_file: job for job in jobs}
    for job in jobs:
        if job.output_file in statics:
            bag.add(
                f"static/{job.output_file}",
                0,
                f"would overwrite the page {job.path} of "
                f"{job.origin}; rename or remove the static file",
            )
    folders = {folder: job for target, job in pages.items() for folder in urls.folders_of(target)}
    in_page: dict[str, Job | None] = {}
    """A static file's folder -> the page whose file is one of its folders (a photo archive
    has thousands of files in one folder: each folder is looked at once)."""
    for relative in statics:
        if search and in_search_folder(relative):
            bag.add(f"static/{relative}", 0, INSIDE_SEARCH)
        page = folders.get(relative)
        if page is not None:
            bag.add(
                f"static/{relative}",
                0,
                f"is a file where the page {page.path} of {page.origin} needs a folder; "
                "rename or move the static file",
            )
        folder = relative.rpartition("/")[0]
        if folder not in in_page:
            within = urls.folders_of(relative)
            in_page[folder] = next((pages[f] for f in within if f in pages), None)
        page = in_page[folder]
        if page is not None:
            bag.add(
                f"static/{relative}",
                0,
                f"needs a folder where the page {page.path} of {page.origin} has its file; "
                "rename or move the static file",
            )
