"""The s3:// target and the CloudFront invalidation against a real S3 API on loopback: moto's
server (ThreadedMotoServer) speaks S3 and CloudFront over HTTP, and boto3 finds it through
AWS_ENDPOINT_URL exactly as it finds R2 or MinIO."""

from __future__ import annotations

import hashlib
import logging
import os
import subprocess
import sys
import threading
import time
import uuid
from pathlib import Path

import pytest

boto3 = pytest.importorskip("boto3")
moto_server = pytest.importorskip("moto.server")

from botocore.exceptions import ClientError  # noqa: E402
from conftest import DEFAULT_CONFIG, article, edit, run_cli  # noqa: E402

from blogsmith.deploy.cdn import invalidate  # noqa: E402
from blogsmith.deploy.targets import open_target  # noqa: E402
from blogsmith.deploy.targets import s3 as s3_target  # noqa: E402
from blogsmith.deploy.targets.base import DeployFailed, DeploySettings, Upload  # noqa: E402
from blogsmith.deploy.targets.s3 import explain  # noqa: E402

RULES = (
    ("*.[0-9]*w.????????.*", "public, max-age=31536000, immutable"),
    ("*.html", "public, max-age=300"),
    ("*", "public, max-age=3600"),
)
SETTINGS = DeploySettings(cache_control=RULES)


class Moto:
    """A moto server on a free loopback port that can be stopped and started again on it
    (its buckets live in this process, so they outlast a restart)."""

    def __init__(self) -> None:
        self.port = 0
        self.server = None

    def start(self) -> None:
        self.server = moto_server.ThreadedMotoServer(
            ip_address="127.0.0.1", port=self.port, verbose=False
        )
        self.server.start()
        self.port = self.server.get_host_and_port()[1]

    def stop(self) -> None:
        self.server.stop()

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"


@pytest.fixture
def moto(monkeypatch, tmp_path):
    """The server, and an environment that reaches it and nothing else (no profile, no
    instance metadata)."""
    logging.getLogger("werkzeug").setLevel(logging.ERROR)
    server = Moto()
    server.start()
    for name in ("AWS_PROFILE", "AWS_SESSION_TOKEN", "AWS_ENDPOINT_URL_S3"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("AWS_ENDPOINT_URL", server.url)
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "testing")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "testing")
    monkeypatch.setenv("AWS_DEFAULT_REGION", "us-east-1")
    monkeypatch.setenv("AWS_CONFIG_FILE", str(tmp_path / "no-aws-config"))
    monkeypatch.setenv("AWS_SHARED_CREDENTIALS_FILE", str(tmp_path / "no-aws-credentials"))
    monkeypatch.setenv("AWS_EC2_METADATA_DISABLED", "true")
    monkeypatch.setenv("AWS_MAX_ATTEMPTS", "2")
    yield server
    server.stop()


@pytest.fixture
def bucket(moto) -> str:
    """A new bucket on the server (moto keeps every test's buckets: names never repeat)."""
    name = f"news-{uuid.uuid4().hex[:12]}"
    boto3.client("s3").create_bucket(Bucket=name)
    return name


def uploads_of(root: Path, files: dict[str, bytes | str]) -> list[Upload]:
    """Writes the files under root and describes them as the deploy would."""
    found = []
    for relative, content in files.items():
        data = content.encode("utf-8") if isinstance(content, str) else content
        path = root / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(data)
        found.append(Upload(relative, path, hashlib.md5(data).hexdigest(), len(data)))
    return found


def send_all(target, uploads) -> list[str]:
    done: list[str] = []
    target.send(uploads, done.append)
    return done


SITE = {
    "index.html": "<!doctype html><title>トップ</title>",
    "europe/ceasefire/index.html": "<!doctype html><title>停戦</title>",
    "news/停戦/index.html": "<!doctype html><title>日本語の道</title>",
    "feed.xml": '<?xml version="1.0"?><feed xmlns="http://www.w3.org/2005/Atom"/>',
    "category/europe/feed.xml": '<?xml version="1.0"?><feed xmlns="http://www.w3.org/2005/Atom"/>',
    "sitemap.xml": '<?xml version="1.0"?><urlset/>',
    "robots.txt": "User-agent: *\n",
    "assets/site.css": "body{}",
    "assets/search.js": "export {}",
    "assets/favicon.svg": "<svg xmlns='http://www.w3.org/2000/svg'/>",
    "search/meta.json": "{}",
    "images/photo.740w.1a2b3c4d.webp": b"RIFF\x00\x00\x00\x00WEBPVP8 ",
    "images/photo.jpg": b"\xff\xd8\xff\xe0",
}
TYPES = {
    "index.html": "text/html; charset=utf-8",
    "europe/ceasefire/index.html": "text/html; charset=utf-8",
    "news/停戦/index.html": "text/html; charset=utf-8",
    "feed.xml": "application/atom+xml; charset=utf-8",
    "category/europe/feed.xml": "application/atom+xml; charset=utf-8",
    "sitemap.xml": "application/xml; charset=utf-8",
    "robots.txt": "text/plain; charset=utf-8",
    "assets/site.css": "text/css; charset=utf-8",
    "assets/search.js": "text/javascript; charset=utf-8",
    "assets/favicon.svg": "image/svg+xml",
    "search/meta.json": "application/json",
    "images/photo.740w.1a2b3c4d.webp": "image/webp",
    "images/photo.jpg": "image/jpeg",
}


def test_send_puts_each_file_with_its_type_cache_control_and_md5_etag(bucket, tmp_path):
    uploads = uploads_of(tmp_path / "public", SITE)
    target = open_target(f"s3://{bucket}/site/", SETTINGS)
    try:
        assert sorted(send_all(target, uploads)) == sorted(SITE)
        assert target.holdings() == {u.path: u.digest for u in uploads}
    finally:
        target.close()
    s3 = boto3.client("s3")
    for upload in uploads:
        head = s3.head_object(Bucket=bucket, Key=f"site/{upload.path}")
        body = s3.get_object(Bucket=bucket, Key=f"site/{upload.path}")["Body"].read()
        assert body == upload.source.read_bytes()
        assert head["ContentType"] == TYPES[upload.path], upload.path
        assert head["ETag"] == f'"{upload.digest}"'
    cache = {u.path: s3.head_object(Bucket=bucket, Key=f"site/{u.path}") for u in uploads}
    assert cache["images/photo.740w.1a2b3c4d.webp"]["CacheControl"].endswith("immutable")
    assert cache["news/停戦/index.html"]["CacheControl"] == "public, max-age=300"
    assert cache["assets/site.css"]["CacheControl"] == "public, max-age=3600"


def test_no_rule_sends_no_cache_control(bucket, tmp_path):
    target = open_target(f"s3://{bucket}/", DeploySettings())
    send_all(target, uploads_of(tmp_path, {"a.html": "x"}))
    assert "CacheControl" not in boto3.client("s3").head_object(Bucket=bucket, Key="a.html")


def test_holdings_are_only_the_files_under_the_prefix_over_many_pages(
    bucket, tmp_path, monkeypatch
):
    """ListObjectsV2 answers a page at a time (1,000 keys; 3 here): every page counts."""
    monkeypatch.setattr(s3_target, "LIST_PAGE", 3)
    files = {f"p/{n:02}.html": f"page {n}" for n in range(10)}
    target = open_target(f"s3://{bucket}/site", SETTINGS)
    pages: list[int] = []
    target._client.meta.events.register(
        "after-call.s3.ListObjectsV2", lambda parsed, **_: pages.append(parsed["KeyCount"])
    )
    uploads = uploads_of(tmp_path, files)
    send_all(target, uploads)
    s3 = boto3.client("s3")
    s3.put_object(Bucket=bucket, Key="site-old/index.html", Body=b"a sibling prefix")
    s3.put_object(Bucket=bucket, Key="other/index.html", Body=b"outside")
    s3.put_object(Bucket=bucket, Key="site/folder/", Body=b"")  # a console's folder marker
    assert target.holdings() == {u.path: u.digest for u in uploads}
    assert pages == [3, 3, 3, 2]


def test_send_runs_requests_in_parallel_and_reports_each(bucket, tmp_path):
    in_flight = {"now": 0, "most": 0}
    threads: set[int] = set()
    lock = threading.Lock()

    def started(**_) -> None:
        with lock:
            in_flight["now"] += 1
            in_flight["most"] = max(in_flight["most"], in_flight["now"])
            threads.add(threading.get_ident())
        time.sleep(0.02)

    def ended(**_) -> None:
        with lock:
            in_flight["now"] -= 1

    target = open_target(f"s3://{bucket}/", SETTINGS)
    target._client.meta.events.register("before-call.s3.PutObject", started)
    target._client.meta.events.register("after-call.s3.PutObject", ended)
    files = {f"a/{n}.html": f"{n}" for n in range(40)}
    puts_ended_at_each_done: list[int] = []
    puts_ended: list[str] = []
    target._client.meta.events.register(
        "after-call.s3.PutObject", lambda **_: puts_ended.append("one")
    )
    done: list[str] = []

    def record(path: str) -> None:
        done.append(path)
        puts_ended_at_each_done.append(len(puts_ended))

    target.send(uploads_of(tmp_path, files), record)
    assert sorted(done) == sorted(files)
    assert puts_ended_at_each_done[0] < 20, "done waits for every put, not for its own"
    assert in_flight["most"] > 1 and len(threads) > 1
    assert threading.get_ident() not in threads
    assert len(target.holdings()) == 40


def test_delete_removes_files_in_batches_of_a_thousand(bucket, tmp_path):
    """S3 deletes a key it does not hold without a word: most of these never were."""
    files = {f"old/{n:04}.html": "gone soon" for n in range(1003)}
    held = {path: files[path] for path in ["old/0000.html", "old/0999.html", "old/1002.html"]}
    target = open_target(f"s3://{bucket}/site/", SETTINGS)
    send_all(target, uploads_of(tmp_path, {**held, "kept.html": "kept"}))
    batches: list[int] = []
    target._client.meta.events.register(
        "provide-client-params.s3.DeleteObjects",
        lambda params, **_: batches.append(len(params["Delete"]["Objects"])),
    )
    deleted: list[str] = []
    target.delete([*files, "never-there.html"], deleted.append)
    assert batches == [1000, 4]
    assert sorted(deleted) == sorted([*files, "never-there.html"])
    assert list(target.holdings()) == ["kept.html"]


def test_a_key_the_storage_refuses_to_delete_fails_the_deploy(bucket, tmp_path):
    """DeleteObjects answers 200 and lists refusals per key: each one counts."""
    target = open_target(f"s3://{bucket}/", SETTINGS)
    send_all(target, uploads_of(tmp_path, {"a.html": "a", "b.html": "b"}))

    def refuse_b(parsed, **_) -> None:
        parsed["Errors"] = [{"Key": "b.html", "Code": "AccessDenied", "Message": "Access Denied"}]

    target._client.meta.events.register("after-call.s3.DeleteObjects", refuse_b)
    deleted: list[str] = []
    with pytest.raises(DeployFailed) as failure:
        target.delete(["a.html", "b.html"], deleted.append)
    assert "'b.html'" in str(failure.value) and "AccessDenied" in str(failure.value)
    assert bucket in str(failure.value) and "s3:DeleteObject" in str(failure.value)
    assert deleted == []


def test_a_stopped_server_fails_clearly_and_the_next_send_finishes(moto, bucket, tmp_path):
    uploads = uploads_of(tmp_path, {f"{n}.html": f"page {n}" for n in range(20)})
    target = open_target(f"s3://{bucket}/site/", SETTINGS)
    done = send_all(target, uploads[:5])
    moto.stop()
    try:
        with pytest.raises(DeployFailed) as failure:
            target.send(uploads[5:], done.append)
        message = str(failure.value)
        assert f"s3://{bucket}/site/" in message and moto.url in message
        assert "cannot connect" in message and "AWS_ENDPOINT_URL" in message
        assert "Traceback" not in message and "\n" not in message
        with pytest.raises(DeployFailed, match="cannot connect"):
            target.holdings()
    finally:
        moto.start()
    assert len(done) == 5
    remaining = [u for u in uploads if u.path not in done]
    send_all(target, remaining)
    assert target.holdings() == {u.path: u.digest for u in uploads}


def test_a_missing_bucket_is_named_with_what_to_do(moto, tmp_path):
    target = open_target("s3://no-such-archive/", SETTINGS)
    with pytest.raises(DeployFailed) as failure:
        target.holdings()
    assert "s3://no-such-archive/" in str(failure.value)
    assert "NoSuchBucket" in str(failure.value) and "create the bucket" in str(failure.value)
    with pytest.raises(DeployFailed, match="NoSuchBucket"):
        target.send(uploads_of(tmp_path, {"a.html": "a"}), lambda path: None)


def test_no_credentials_says_which_variables_to_set(moto, monkeypatch):
    monkeypatch.delenv("AWS_ACCESS_KEY_ID")
    monkeypatch.delenv("AWS_SECRET_ACCESS_KEY")
    target = open_target("s3://news-archive/", SETTINGS)
    with pytest.raises(DeployFailed) as failure:
        target.holdings()
    assert "s3://news-archive/" in str(failure.value)
    assert "AWS_ACCESS_KEY_ID" in str(failure.value)


@pytest.mark.parametrize(
    ("code", "advice"),
    [
        ("AccessDenied", "s3:PutObject"),
        ("InvalidAccessKeyId", "check the credentials"),
        ("SlowDown", "throttling"),
        ("NoSuchBucket", "create the bucket 'news-archive'"),
    ],
)
def test_storage_refusals_become_one_line_with_the_next_step(code, advice):
    error = ClientError({"Error": {"Code": code, "Message": "said the server"}}, "PutObject")
    message = explain(error, "s3://news-archive/", "news-archive")
    assert message.startswith("s3://news-archive/: ") and advice in message
    assert "said the server" in message and "\n" not in message


def test_a_multipart_etag_is_not_a_digest(bucket):
    s3 = boto3.client("s3")
    s3.put_object(Bucket=bucket, Key="single.html", Body=b"one")
    started = s3.create_multipart_upload(Bucket=bucket, Key="big.webp")
    part = s3.upload_part(
        Bucket=bucket, Key="big.webp", UploadId=started["UploadId"], PartNumber=1, Body=b"x"
    )
    s3.complete_multipart_upload(
        Bucket=bucket,
        Key="big.webp",
        UploadId=started["UploadId"],
        MultipartUpload={"Parts": [{"PartNumber": 1, "ETag": part["ETag"]}]},
    )
    holdings = open_target(f"s3://{bucket}/", SETTINGS).holdings()
    assert holdings == {"single.html": hashlib.md5(b"one").hexdigest(), "big.webp": None}


def test_a_file_changed_since_the_plan_is_not_sent(bucket, tmp_path):
    [upload] = uploads_of(tmp_path, {"index.html": "planned"})
    upload.source.write_text("rebuilt meanwhile")
    target = open_target(f"s3://{bucket}/", SETTINGS)
    done: list[str] = []
    with pytest.raises(DeployFailed, match="index.html changed while deploying"):
        target.send([upload], done.append)
    assert done == [] and target.holdings() == {}


def test_a_url_without_a_bucket_is_refused():
    with pytest.raises(DeployFailed, match="s3://bucket/"):
        open_target("s3:///site/", SETTINGS)


# CloudFront


def distribution(moto) -> str:
    """A distribution in moto's CloudFront (the same server answers it)."""
    answer = boto3.client("cloudfront").create_distribution(
        DistributionConfig={
            "CallerReference": uuid.uuid4().hex,
            "Comment": "news archive",
            "Enabled": True,
            "Origins": {
                "Quantity": 1,
                "Items": [
                    {
                        "Id": "bucket",
                        "DomainName": "news-archive.s3.amazonaws.com",
                        "S3OriginConfig": {"OriginAccessIdentity": ""},
                    }
                ],
            },
            "DefaultCacheBehavior": {
                "TargetOriginId": "bucket",
                "ViewerProtocolPolicy": "redirect-to-https",
                "MinTTL": 0,
            },
        }
    )
    return answer["Distribution"]["Id"]


def invalidated_paths(distribution_id: str) -> list[list[str]]:
    """Every invalidation of the distribution, as the paths CloudFront was given."""
    cloudfront = boto3.client("cloudfront", region_name="us-east-1")
    listed = cloudfront.list_invalidations(DistributionId=distribution_id)
    found = []
    for summary in listed["InvalidationList"].get("Items", []):
        answer = cloudfront.get_invalidation(DistributionId=distribution_id, Id=summary["Id"])
        found.append(answer["Invalidation"]["InvalidationBatch"]["Paths"]["Items"])
    return found


def test_cloudfront_invalidates_exactly_the_changed_paths_percent_encoded(moto):
    target = distribution(moto)
    settings = DeploySettings(cloudfront=target, invalidate_limit=10)
    paths = ["/europe/ceasefire/", "/news/停戦/", "/feed.xml", "/a b/?#%", "/feed.xml"]
    line = invalidate(settings, paths)
    assert invalidated_paths(target) == [
        ["/europe/ceasefire/", "/news/%E5%81%9C%E6%88%A6/", "/feed.xml", "/a%20b/%3F%23%25"]
    ]
    assert line.startswith(f"CloudFront {target}: invalidating 4 paths")
    assert "\n" not in line


def test_cloudfront_past_the_limit_invalidates_everything_at_once(moto):
    target = distribution(moto)
    paths = [f"/europe/{n}/" for n in range(11)]
    line = invalidate(DeploySettings(cloudfront=target, invalidate_limit=10), paths)
    assert invalidated_paths(target) == [["/*"]]
    assert "/*" in line and "11 changed paths" in line
    invalidate(DeploySettings(cloudfront=target, invalidate_limit=11), paths)
    assert sorted(invalidated_paths(target)) == sorted([["/*"], paths])


def test_without_a_distribution_or_changes_nothing_is_invalidated(moto):
    target = distribution(moto)
    assert invalidate(DeploySettings(), ["/index.html"]) == ""
    assert invalidate(DeploySettings(cloudfront=target), []) == ""
    assert invalidated_paths(target) == []


def test_an_unknown_distribution_fails_with_what_to_do(moto):
    with pytest.raises(DeployFailed) as failure:
        invalidate(DeploySettings(cloudfront="E0NOSUCHDIST"), ["/index.html"])
    message = str(failure.value)
    assert "E0NOSUCHDIST" in message and "deploy.cloudfront" in message
    assert "aws cloudfront create-invalidation --distribution-id E0NOSUCHDIST" in message


def test_cloudfront_needs_no_region_set(moto, monkeypatch):
    """CloudFront is global: a user of R2 or MinIO may have no AWS region at all."""
    target = distribution(moto)
    monkeypatch.delenv("AWS_DEFAULT_REGION")
    monkeypatch.delenv("AWS_REGION", raising=False)
    assert invalidate(DeploySettings(cloudfront=target), ["/index.html"])
    assert invalidated_paths(target) == [["/index.html"]]


# `blogsmith deploy` from the command line, in a subprocess that finds moto through the
# environment as it would find AWS.


@pytest.fixture
def own_cache_key(tmp_path, monkeypatch):
    """One signing key for the build cache of these tests and the commands they run."""
    from blogsmith.cache import persist

    monkeypatch.setenv(persist.KEY_FILE_VARIABLE, str(tmp_path / "cache-key"))
    monkeypatch.setattr(persist, "_KEY", None)


def stored(bucket: str, prefix: str) -> dict[str, tuple[str, object]]:
    """Each object under the prefix: (ETag, LastModified); a file put again gets a new time."""
    pages = boto3.client("s3").get_paginator("list_objects_v2")
    return {
        entry["Key"][len(prefix) :]: (entry["ETag"].strip('"'), entry["LastModified"])
        for page in pages.paginate(Bucket=bucket, Prefix=prefix)
        for entry in page.get("Contents", ())
    }


def output_digests(output: Path) -> dict[str, str]:
    """What the last build wrote (its own list), by MD5: what the bucket must hold."""
    names = (output / ".blogsmith-output").read_text(encoding="utf-8").split()
    return {name: hashlib.md5((output / name).read_bytes()).hexdigest() for name in names}


def deployed(result) -> str:
    assert result.returncode == 0, result.stderr
    assert "Traceback" not in result.stderr
    return result.stdout.strip().splitlines()[-1]


def test_the_command_sends_only_what_changed_to_the_bucket(moto, bucket, make_site, own_cache_key):
    cloudfront = distribution(moto)
    config = DEFAULT_CONFIG + (
        f"deploy:\n  to: s3://{bucket}/site/\n  cloudfront: {cloudfront}\n  invalidate_limit: 20\n"
    )
    site = make_site(
        {f"content/a/s{n}.md": article(f"記事{n}", body=f"本文{n}。") for n in range(4)},
        config=config,
    )
    output = site / "public"
    assert run_cli("build", "--site", site, "-q").returncode == 0

    first = deployed(run_cli("deploy", "--site", site))
    assert first.startswith(f"CloudFront {cloudfront}: invalidating /*")  # every path is new
    before = stored(bucket, "site/")
    assert {path: etag for path, (etag, _) in before.items()} == output_digests(output)
    head = boto3.client("s3").head_object(Bucket=bucket, Key="site/europe/s1/index.html")
    assert head["ContentType"] == "text/html; charset=utf-8"
    assert head["CacheControl"] == "public, max-age=300"
    feed = boto3.client("s3").head_object(Bucket=bucket, Key="site/feed.xml")
    assert feed["ContentType"] == "application/atom+xml; charset=utf-8"

    old_output = output_digests(output)
    edit(site / "content/a/s1.md", "本文1。", "本文1、直した。")
    assert run_cli("build", "--site", site, "-q").returncode == 0
    new_output = output_digests(output)
    changed = sorted(path for path in new_output if old_output.get(path) != new_output[path])
    assert "europe/s1/index.html" in changed and len(changed) <= 20
    result = run_cli("deploy", "--site", site)
    assert f"deployed to s3://{bucket}/site/: {len(changed)} uploaded, 0 deleted" in result.stdout
    assert deployed(result).startswith(f"CloudFront {cloudfront}: invalidating {len(changed)}")
    after = stored(bucket, "site/")
    assert sorted(path for path in after if after[path] != before.get(path)) == changed
    assert "/europe/s1/" in invalidated_paths_by_size(cloudfront)[len(changed)]

    again = run_cli("deploy", "--site", site)
    assert f"s3://{bucket}/site/: 0 uploaded, 0 deleted" in deployed(again)
    assert stored(bucket, "site/") == after  # not one write


def invalidated_paths_by_size(distribution_id: str) -> dict[int, list[str]]:
    return {len(paths): paths for paths in invalidated_paths(distribution_id)}


def test_the_command_says_in_one_line_when_the_storage_is_down_and_finishes_later(
    moto, bucket, make_site, own_cache_key
):
    config = DEFAULT_CONFIG + f"deploy:\n  to: s3://{bucket}/\n"
    site = make_site({"content/a/s1.md": article()}, config=config)
    assert run_cli("build", "--site", site, "-q").returncode == 0
    moto.stop()
    try:
        result = run_cli("deploy", "--site", site)
    finally:
        moto.start()
    assert result.returncode == 1 and result.stdout == ""
    assert result.stderr.startswith(f"blogsmith deploy: s3://{bucket}/ (at {moto.url}): ")
    assert "cannot connect" in result.stderr and "Traceback" not in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1
    assert deployed(run_cli("deploy", "--site", site)).startswith(f"deployed to s3://{bucket}/")
    held = {path: etag for path, (etag, _) in stored(bucket, "").items()}
    assert held == output_digests(site / "public")


def test_a_deploy_with_nothing_to_send_never_loads_boto3(
    moto, bucket, make_site, own_cache_key, tmp_path
):
    """Importing boto3 costs 0.4 s, a third of a deploy with nothing to do: it is loaded only
    when a request is to be made. Shown with a boto3 that cannot be imported."""
    config = DEFAULT_CONFIG + f"deploy:\n  to: s3://{bucket}/\n"
    site = make_site({"content/a/s1.md": article()}, config=config)
    assert run_cli("build", "--site", site, "-q").returncode == 0
    deployed(run_cli("deploy", "--site", site))
    broken = tmp_path / "no-boto3" / "boto3"
    broken.mkdir(parents=True)
    (broken / "__init__.py").write_text("raise ImportError('boto3 is not here')\n")
    environment = {**os.environ, "PYTHONPATH": str(broken.parent)}

    def deploy_without_boto3() -> subprocess.CompletedProcess:
        command = [sys.executable, "-m", "blogsmith", "deploy", "--site", str(site)]
        return subprocess.run(command, capture_output=True, text=True, env=environment)

    assert "0 uploaded, 0 deleted" in deployed(deploy_without_boto3())
    edit(site / "content/a/s1.md", "本文です。", "本文を直した。")
    assert run_cli("build", "--site", site, "-q").returncode == 0
    needed = deploy_without_boto3()
    assert needed.returncode == 1 and "need boto3" in needed.stderr


def test_with_host_redirects_s3_old_feed_urls_become_website_redirects(
    moto, bucket, make_site, own_cache_key
):
    """S3's website endpoint answers an object's WebsiteRedirectLocation with a 301, which a
    feed reader follows; without the setting the pages are plain pages."""
    redirects = "redirects:\n  /feed/: /feed.xml\n  /comments/feed/: /comments/feed.xml\n"
    config = DEFAULT_CONFIG.replace("https://news.example.org/", "https://example.org/old/")
    config += redirects + f"deploy:\n  to: s3://{bucket}/\n"
    site = make_site(
        {"content/a/s1.md": article(comment_feed_aliases="[/2022/09/停戦/feed/]")}, config=config
    )
    assert run_cli("build", "--site", site, "-q").returncode == 0
    deployed(run_cli("deploy", "--site", site))
    s3 = boto3.client("s3")
    assert "WebsiteRedirectLocation" not in s3.head_object(Bucket=bucket, Key="feed/index.html")

    edit(site / "blogsmith.yaml", "deploy:", "host_redirects: s3\ndeploy:")
    assert run_cli("build", "--site", site, "-q").returncode == 0
    result = run_cli("deploy", "--site", site)
    deployed(result)
    # The pages changed with the setting (they say the host redirects), so they are sent again.
    locations = {
        key: s3.head_object(Bucket=bucket, Key=key).get("WebsiteRedirectLocation")
        for key in (
            "feed/index.html",
            "comments/feed/index.html",
            "2022/09/停戦/feed/index.html",
            "europe/s1/index.html",
            "_redirects",
        )
    }
    assert locations == {
        "feed/index.html": "/old/feed.xml",
        "comments/feed/index.html": "/old/comments/feed.xml",
        "2022/09/停戦/feed/index.html": "/old/comments/feed.xml",
        "europe/s1/index.html": None,
        "_redirects": None,
    }
