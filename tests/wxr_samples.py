"""WordPress exports written by tests: small ones with every case the importer handles, and
large ones for the memory test. The markup follows what WordPress 6 writes."""

from __future__ import annotations

from datetime import datetime, timedelta
from pathlib import Path
from xml.sax.saxutils import escape

HEAD = """<?xml version="1.0" encoding="UTF-8" ?>
<rss version="2.0"
  xmlns:excerpt="{scheme}://wordpress.org/export/1.{version}/excerpt/"
  xmlns:content="http://purl.org/rss/1.0/modules/content/"
  xmlns:wfw="http://wellformedweb.org/CommentAPI/"
  xmlns:dc="http://purl.org/dc/elements/1.1/"
  xmlns:wp="{scheme}://wordpress.org/export/1.{version}/">
<channel>
  <title>軍事ニュース旧ブログ</title>
  <link>https://old.example.jp</link>
  <language>ja</language>
  <wp:wxr_version>1.{version}</wp:wxr_version>
  <wp:base_site_url>https://old.example.jp</wp:base_site_url>
  <wp:base_blog_url>https://old.example.jp</wp:base_blog_url>
  <wp:author><wp:author_id>1</wp:author_id><wp:author_login><![CDATA[admin]]></wp:author_login><wp:author_display_name><![CDATA[管理人]]></wp:author_display_name></wp:author>
  <wp:category><wp:term_id>3</wp:term_id><wp:category_nicename>%e6%ac%a7%e5%b7%9e</wp:category_nicename><wp:category_parent></wp:category_parent><wp:cat_name><![CDATA[欧州関連]]></wp:cat_name></wp:category>
  <wp:category><wp:term_id>4</wp:term_id><wp:category_nicename>japan</wp:category_nicename><wp:category_parent></wp:category_parent><wp:cat_name><![CDATA[日本関連]]></wp:cat_name></wp:category>
"""


def cdata(text: str) -> str:
    return "<![CDATA[" + text.replace("]]>", "]]]]><![CDATA[>") + "]]>"


def comment(
    number: int,
    body: str,
    parent: int = 0,
    approved: str = "1",
    kind: str = "",
    author: str = "読者",
    meta: dict[str, str] | None = None,
) -> str:
    metas = "".join(
        f"<wp:commentmeta><wp:meta_key>{cdata(k)}</wp:meta_key>"
        f"<wp:meta_value>{cdata(v)}</wp:meta_value></wp:commentmeta>"
        for k, v in (meta or {}).items()
    )
    return f"""
    <wp:comment>
      <wp:comment_id>{number}</wp:comment_id>
      <wp:comment_author>{cdata(author)}</wp:comment_author>
      <wp:comment_author_email>{cdata("a@example.org")}</wp:comment_author_email>
      <wp:comment_author_url>https://reader.example.org/</wp:comment_author_url>
      <wp:comment_date>{cdata(f"2022-09-14 10:{number % 60:02d}:00")}</wp:comment_date>
      <wp:comment_date_gmt>{cdata(f"2022-09-14 01:{number % 60:02d}:00")}</wp:comment_date_gmt>
      <wp:comment_content>{cdata(body)}</wp:comment_content>
      <wp:comment_approved>{cdata(approved)}</wp:comment_approved>
      <wp:comment_type>{cdata(kind)}</wp:comment_type>
      <wp:comment_parent>{parent}</wp:comment_parent>
      {metas}
    </wp:comment>"""


def item(
    number: int,
    title: str,
    body: str,
    *,
    slug: str | None = None,
    kind: str = "post",
    status: str = "publish",
    date: str = "2022-09-14 06:30:00",
    category: tuple[str, str] | None = ("%e6%ac%a7%e5%b7%9e", "欧州関連"),
    tags: tuple[str, ...] = (),
    comments: str = "",
    meta: dict[str, str] | None = None,
    password: str = "",
    excerpt: str = "",
    parent: int = 0,
    attachment_url: str = "",
) -> str:
    slug = f"post-{number}" if slug is None else slug
    year, month, day = date[:4], date[5:7], date[8:10]
    link = (
        f"https://old.example.jp/{year}/{month}/{day}/{slug}/"
        if kind == "post"
        else f"https://old.example.jp/{slug}/"
    )
    terms = ""
    if category:
        terms += (
            f'<category domain="category" nicename="{category[0]}">{cdata(category[1])}</category>'
        )
    for tag in tags:
        terms += f'<category domain="post_tag" nicename="{escape(tag)}">{cdata(tag)}</category>'
    metas = "".join(
        f"<wp:postmeta><wp:meta_key>{cdata(k)}</wp:meta_key>"
        f"<wp:meta_value>{cdata(v)}</wp:meta_value></wp:postmeta>"
        for k, v in (meta or {}).items()
    )
    gmt = (datetime.fromisoformat(date) - timedelta(hours=9)).isoformat(" ")
    return f"""
  <item>
    <title>{cdata(title)}</title>
    <link>{escape(link)}</link>
    <dc:creator>{cdata("admin")}</dc:creator>
    <guid isPermaLink="false">https://old.example.jp/?p={number}</guid>
    <content:encoded>{cdata(body)}</content:encoded>
    <excerpt:encoded>{cdata(excerpt)}</excerpt:encoded>
    <wp:post_id>{number}</wp:post_id>
    <wp:post_date>{cdata(date)}</wp:post_date>
    <wp:post_date_gmt>{cdata(gmt)}</wp:post_date_gmt>
    <wp:post_name>{cdata(slug)}</wp:post_name>
    <wp:status>{cdata(status)}</wp:status>
    <wp:post_parent>{parent}</wp:post_parent>
    <wp:post_type>{cdata(kind)}</wp:post_type>
    <wp:post_password>{cdata(password)}</wp:post_password>
    <wp:attachment_url>{cdata(attachment_url)}</wp:attachment_url>
    {terms}{metas}{comments}
  </item>"""


def export(items: list[str], scheme: str = "https", version: int = 2) -> str:
    return HEAD.format(scheme=scheme, version=version) + "".join(items) + "\n</channel>\n</rss>\n"


def write_large_export(path: Path, posts: int, comments_per_post: int) -> None:
    """A long export written item by item (never whole in memory), threads ten deep."""
    body = "<p>" + "国境付近で砲撃が続いている。" * 40 + "</p>\n<p>続報を待ちたい。</p>"
    with open(path, "w", encoding="utf-8") as stream:
        stream.write(HEAD.format(scheme="https", version=2))
        number = 100_000
        for post in range(1, posts + 1):
            thread = []
            for n in range(comments_per_post):
                number += 1
                parent = number - 1 if n % 10 else 0
                thread.append(comment(number, f"コメント{n}です。" * 5, parent))
            day = 1 + post % 28
            stream.write(
                item(
                    post,
                    f"記事{post}",
                    body,
                    date=f"2020-{1 + post % 12:02d}-{day:02d} 10:{post % 60:02d}:00",
                    tags=(f"タグ{post % 50}",),
                    comments="".join(thread),
                )
            )
        stream.write("\n</channel>\n</rss>\n")
