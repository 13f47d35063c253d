"""Telling a CDN in front of the storage to forget the pages a deploy changed, so readers see
the new ones before the cached copies expire. CloudFront, through boto3 (credentials as for
s3://; `AWS_ENDPOINT_URL_CLOUDFRONT` or `AWS_ENDPOINT_URL` point it elsewhere)."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from typing import Any
from urllib.parse import quote

from blogsmith.deploy.targets.base import DeployFailed, DeploySettings

SAFE_IN_PATH = "/!$&'()*+,;=:@"
"""Characters a browser sends as they are in a path, so CloudFront's cache key has them so:
everything else (non-ASCII, spaces, `%`, `?`, `#`) is percent-encoded, as CloudFront wants,
or the invalidation misses the cached copy."""


def invalidate(settings: DeploySettings, paths: list[str]) -> str:
    """Invalidates these URL paths (`/europe/ceasefire/`, unencoded) on settings.cloudfront,
    or `/*` past settings.invalidate_limit of them (CloudFront charges per path); returns a line
    for the deploy's output, empty when there is no distribution or nothing changed."""
    distribution = settings.cloudfront
    wanted = unique(paths)
    if not distribution or not wanted:
        return ""
    sent = ["/*"] if len(wanted) > settings.invalidate_limit else [encoded(p) for p in wanted]
    identifier = create_invalidation(distribution, sent)
    return describe(distribution, identifier, wanted, sent, settings.invalidate_limit)


def unique(paths: Sequence[str]) -> list[str]:
    """Each path once, in order (a CloudFront batch refuses duplicates)."""
    return list(dict.fromkeys(paths))


def encoded(path: str) -> str:
    """The path as CloudFront matches it: leading `/`, UTF-8 percent-encoded."""
    return quote(path if path.startswith("/") else "/" + path, safe=SAFE_IN_PATH)


def describe(
    distribution: str, identifier: str, wanted: list[str], sent: list[str], limit: int
) -> str:
    if sent == ["/*"]:
        return (
            f"CloudFront {distribution}: invalidating /* ({len(wanted)} changed paths, "
            f"more than {limit}), invalidation {identifier}"
        )
    count = f"{len(sent)} path" + ("" if len(sent) == 1 else "s")
    return f"CloudFront {distribution}: invalidating {count}, invalidation {identifier}"


def create_invalidation(distribution: str, paths: list[str]) -> str:
    """The invalidation's id; DeployFailed, with what to do by hand, when CloudFront refuses
    (the files are already sent by then)."""
    try:
        client = cloudfront_client()
        answer = client.create_invalidation(
            DistributionId=distribution,
            InvalidationBatch={
                "Paths": {"Quantity": len(paths), "Items": paths},
                "CallerReference": f"blogsmith-{uuid.uuid4()}",
            },
        )
    except DeployFailed:
        raise
    except Exception as error:
        raise DeployFailed(failure_message(distribution, paths, error)) from None
    return answer["Invalidation"]["Id"]


def cloudfront_client() -> Any:
    try:
        import boto3
    except ImportError:
        raise DeployFailed(
            "CloudFront invalidation needs boto3: pip install 'blogsmith[deploy]'"
        ) from None
    session = boto3.session.Session()
    # CloudFront is global: requests are signed for us-east-1 whatever region is set.
    region = session.region_name or "us-east-1"
    return session.client("cloudfront", region_name=region, config=retrying())


def retrying() -> Any:
    from botocore.config import Config

    return Config(retries={"mode": "standard"}, connect_timeout=10)


def failure_message(distribution: str, paths: list[str], error: BaseException) -> str:
    by_hand = (
        f"fix that, or invalidate by hand: aws cloudfront create-invalidation "
        f"--distribution-id {distribution} --paths '/*'"
    )
    return f"CloudFront {distribution}: {reason(error)}: {by_hand}"


def reason(error: BaseException) -> str:
    """What CloudFront said, in the user's terms."""
    from botocore import exceptions as boto

    if isinstance(error, boto.NoCredentialsError | boto.PartialCredentialsError):
        return "no credentials (set AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY or AWS_PROFILE)"
    if isinstance(error, boto.ClientError):
        code = error.response.get("Error", {}).get("Code", "")
        if code == "NoSuchDistribution":
            return "no such distribution (check deploy.cloudfront in blogsmith.yaml)"
        if code in {"AccessDenied", "InvalidClientTokenId", "SignatureDoesNotMatch"}:
            return "access denied (the credentials need cloudfront:CreateInvalidation)"
        if code == "TooManyInvalidationsInProgress":
            return "too many invalidations in progress (wait for them)"
        return f"{code}: {error.response.get('Error', {}).get('Message', '')}"
    if isinstance(error, boto.EndpointConnectionError | boto.ConnectTimeoutError):
        return "cannot connect (check AWS_ENDPOINT_URL and the network)"
    return f"{type(error).__name__}: {error}"
