"""`s3://bucket/prefix/`: any S3-compatible object storage (AWS S3, Cloudflare R2, MinIO,
Wasabi...) through boto3, which reads the credentials, region and endpoint the way every AWS
tool does (`AWS_ACCESS_KEY_ID`, `AWS_SECRET_ACCESS_KEY`, `AWS_DEFAULT_REGION`,
`AWS_ENDPOINT_URL`, `AWS_PROFILE`, ~/.aws/config), so blogsmith has no settings of its own for
them.

Each file is one PutObject with its Content-MD5, so the storage refuses bytes that arrive
damaged, and its ETag (the MD5 of a single-part upload) lets the next deploy compare a
listing with the output without reading anything back.
"""

from __future__ import annotations

import base64
import hashlib
import re
from collections.abc import Callable, Sequence
from concurrent.futures import FIRST_COMPLETED, Future, ThreadPoolExecutor, wait
from fnmatch import fnmatchcase
from typing import Any
from urllib.parse import urlsplit

from blogsmith.core.media_types import content_type
from blogsmith.deploy.targets.base import DeployFailed, DeploySettings, Done, Upload

WORKERS = 8
"""Uploads at once: small files are round trips, so a few in flight hide the latency."""
DELETE_BATCH = 1000
"""The most keys one DeleteObjects takes."""
LIST_PAGE = 1000
"""Keys per ListObjectsV2 answer (S3's most)."""


PLAIN_MD5 = re.compile(r"[0-9a-f]{32}")

THROTTLED = {"SlowDown", "Throttling", "ThrottlingException", "RequestLimitExceeded", "503"}
REFUSED = {
    "AccessDenied",
    "AllAccessDisabled",
    "InvalidAccessKeyId",
    "SignatureDoesNotMatch",
    "InvalidToken",
    "ExpiredToken",
    "AccountProblem",
    "403",
}


def cache_control(path: str, rules: Sequence[tuple[str, str]]) -> str | None:
    """The value of the first rule whose glob matches the path (`*` crosses `/`, so
    `assets/*` is everything under assets/); None leaves the storage's default."""
    for pattern, value in rules:
        if fnmatchcase(path, pattern):
            return value
    return None


def plain_md5(etag: str | None) -> str | None:
    """The MD5 hex an ETag is, or None for one that is not (a multipart upload's
    `<md5 of md5s>-<parts>`, or a storage that encrypts with its own keys)."""
    if not etag:
        return None
    bare = etag.strip('"').lower()
    return bare if PLAIN_MD5.fullmatch(bare) else None


def content_md5(digest: str) -> str:
    """The Content-MD5 header: the same MD5, base64 of its bytes rather than hex."""
    return base64.b64encode(bytes.fromhex(digest)).decode("ascii")


def split_url(url: str) -> tuple[str, str]:
    """(bucket, key prefix ending in `/` or empty) of `s3://bucket/prefix/`."""
    parts = urlsplit(url)
    bucket = parts.netloc
    if not bucket or parts.query or parts.fragment:
        raise DeployFailed(
            f"cannot deploy to {url!r}: write it s3://bucket/ or s3://bucket/prefix/"
        )
    prefix = parts.path.strip("/")
    return bucket, f"{prefix}/" if prefix else ""


def read_checked(upload: Upload) -> bytes:
    """The file's bytes, refused when they are no longer the ones the deploy planned to send
    (a build ran meanwhile): the deploy would record the wrong digest."""
    try:
        body = upload.source.read_bytes()
    except OSError as error:
        raise DeployFailed(f"cannot read {upload.source}: {error.strerror or error}") from None
    if hashlib.md5(body).hexdigest() != upload.digest:
        raise DeployFailed(
            f"{upload.path} changed while deploying (a build ran?): deploy again once it is done"
        )
    return body


class S3Target:
    """A bucket, or a prefix of one, as a deploy target."""

    def __init__(self, url: str, settings: DeploySettings) -> None:
        self.url = url
        self.bucket, self.prefix = split_url(url)
        self._settings = settings
        self._made: Any = None

    def _connect(self) -> Any:
        """The client, made on first use: importing boto3 takes 0.4 s, and a deploy with
        nothing to send never needs it."""
        if self._made is None:
            self._made = self._guarded(make_client)
        return self._made

    @property
    def _client(self) -> Any:
        return self._connect()

    def holdings(self) -> dict[str, str | None]:
        return self._guarded(self._list)

    def send(self, uploads: Sequence[Upload], done: Done) -> None:
        if uploads:
            self._connect()  # here, once: not by every upload thread at the same moment
        self._put_in_parallel(uploads, done)

    def delete(self, paths: Sequence[str], done: Done) -> None:
        for start in range(0, len(paths), DELETE_BATCH):
            batch = paths[start : start + DELETE_BATCH]
            for path in self._guarded(lambda batch=batch: self._delete_batch(batch)):
                done(path)

    def finish(self, message: str) -> None:
        """Nothing: each file was in place as soon as its PutObject returned."""

    def close(self) -> None:
        if self._made is not None:
            self._made.close()

    def _list(self) -> dict[str, str | None]:
        found: dict[str, str | None] = {}
        pages = self._client.get_paginator("list_objects_v2")
        for page in pages.paginate(
            Bucket=self.bucket, Prefix=self.prefix, PaginationConfig={"PageSize": LIST_PAGE}
        ):
            for entry in page.get("Contents", ()):
                path = entry["Key"][len(self.prefix) :]
                if path and not path.endswith("/"):  # a console's "folder" marker is no file
                    found[path] = plain_md5(entry.get("ETag"))
        return found

    def _put(self, upload: Upload) -> None:
        body = read_checked(upload)
        headers = {"ContentType": content_type(upload.path)}
        control = cache_control(upload.path, self._settings.cache_control)
        if control:
            headers["CacheControl"] = control
        location = self._settings.redirects.get(upload.path)
        if location:  # the website endpoint answers a 301 instead of the redirect page
            headers["WebsiteRedirectLocation"] = location
        self._client.put_object(
            Bucket=self.bucket,
            Key=self.prefix + upload.path,
            Body=body,
            ContentMD5=content_md5(upload.digest),
            **headers,
        )

    def _delete_batch(self, paths: Sequence[str]) -> list[str]:
        """Deletes one batch; the paths now gone, or DeployFailed after recording none of a
        batch that had refusals (DeleteObjects answers 200 and lists them)."""
        answer = self._client.delete_objects(
            Bucket=self.bucket,
            Delete={"Objects": [{"Key": self.prefix + path} for path in paths], "Quiet": True},
        )
        errors = answer.get("Errors") or []
        if errors:
            first = errors[0]
            raise DeployFailed(
                f"{self.url}: {len(errors)} file(s) could not be deleted, the first "
                f"{first.get('Key')!r}: {first.get('Code')} ({first.get('Message')}); "
                f"{advice(first.get('Code', ''), self.bucket)}"
            )
        return list(paths)

    def _put_in_parallel(self, uploads: Sequence[Upload], done: Done) -> None:
        """Puts WORKERS files at a time and calls `done` as each is in place (in this thread,
        so the deploy's record needs no lock); on the first failure the puts not started are
        dropped, the ones running finish (and count), and it raises."""
        with ThreadPoolExecutor(WORKERS, thread_name_prefix="s3-put") as pool:
            futures = {pool.submit(self._put, upload): upload.path for upload in uploads}
            pending: set[Future] = set(futures)
            failure: BaseException | None = None
            while pending:
                finished, pending = wait(pending, return_when=FIRST_COMPLETED)
                for future in finished:
                    if future.cancelled():
                        continue
                    if future.exception() is None:
                        done(futures[future])
                    elif failure is None:
                        failure = future.exception()
                        for other in pending:
                            other.cancel()
        if failure is not None:
            raise self._explained(failure)

    def _guarded(self, call: Callable[[], Any]) -> Any:
        """What the call returns; any failure as one DeployFailed."""
        try:
            return call()
        except Exception as error:
            raise self._explained(error) from None

    def _explained(self, error: BaseException) -> DeployFailed:
        """One message that names the bucket and what to do, for any way boto3 fails."""
        if isinstance(error, DeployFailed):
            return error
        where = f"{self.url} (at {endpoint_of(self._made)})"
        return DeployFailed(explain(error, where, self.bucket))


def make_client() -> Any:
    """One client for every thread (boto3 clients are thread-safe), with a connection per
    worker, and retries that back off when the storage says it is busy."""
    try:
        import boto3
        from botocore.config import Config
    except ImportError:
        raise DeployFailed("s3:// targets need boto3: pip install 'blogsmith[deploy]'") from None
    return boto3.session.Session().client("s3", config=Config(**client_options()))


def client_options() -> dict[str, Any]:
    options: dict[str, Any] = {
        "max_pool_connections": WORKERS,
        "retries": {"mode": "standard"},
        "connect_timeout": 10,
    }
    if supports_checksum_choice():
        # Checksums only where S3 requires them: we send Content-MD5 ourselves, and several
        # S3-compatible stores refuse the CRC32 trailers newer boto3 adds by default.
        options["request_checksum_calculation"] = "when_required"
    return options


def supports_checksum_choice() -> bool:
    """botocore 1.36 and later (boto3 1.36) have request_checksum_calculation."""
    from botocore.config import Config

    return "request_checksum_calculation" in Config.OPTION_DEFAULTS


def endpoint_of(client: Any) -> str:
    return getattr(getattr(client, "meta", None), "endpoint_url", None) or "the default endpoint"


def explain(error: BaseException, where: str, bucket: str) -> str:
    """What went wrong, in the user's terms, with the next step."""
    from botocore import exceptions as boto

    if isinstance(error, boto.NoCredentialsError | boto.PartialCredentialsError):
        return (
            f"{where}: no credentials: set AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY "
            "(or AWS_PROFILE) in the environment"
        )
    if isinstance(error, boto.ProfileNotFound):
        return f"{where}: {error}: fix AWS_PROFILE or ~/.aws/config"
    if isinstance(
        error,
        boto.EndpointConnectionError | boto.ConnectionClosedError | boto.ConnectTimeoutError,
    ):
        return (
            f"{where}: cannot connect: check AWS_ENDPOINT_URL and the network, "
            "then deploy again (it sends only what is missing)"
        )
    if isinstance(error, boto.ReadTimeoutError):
        return (
            f"{where}: the storage stopped answering: deploy again (it sends only what is missing)"
        )
    if isinstance(error, boto.ClientError):
        code = str(error.response.get("Error", {}).get("Code", ""))
        message = error.response.get("Error", {}).get("Message", "") or str(error)
        return f"{where}: {code}: {message}: {advice(code, bucket)}"
    if isinstance(error, boto.BotoCoreError | ValueError):
        return f"{where}: {error}"
    return f"{where}: {type(error).__name__}: {error}"


def advice(code: str, bucket: str = "") -> str:
    """The next step for an S3 error code."""
    if code == "NoSuchBucket":
        return f"create the bucket {bucket!r}, or fix the name in deploy.to (or AWS_ENDPOINT_URL)"
    if code in REFUSED:
        return (
            f"check the credentials: they need s3:ListBucket, s3:PutObject and "
            f"s3:DeleteObject on {bucket or 'the bucket'}"
        )
    if code in THROTTLED:
        return "the storage is throttling requests: wait a minute and deploy again"
    if code in {"PermanentRedirect", "AuthorizationHeaderMalformed", "IllegalLocationConstraint"}:
        return "the bucket is in another region: set AWS_DEFAULT_REGION to it"
    return "deploy again once that is fixed (it sends only what is missing)"
