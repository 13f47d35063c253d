"""The second pass, one post at a time: its Markdown file with front matter, and its
comment file beside it."""

from __future__ import annotations

from blogsmith.authoring.wordpress import wxr
from blogsmith.authoring.wordpress.catalogue import Catalogue
from blogsmith.authoring.wordpress.content import Context, Converted, convert
from blogsmith.authoring.wordpress.files import Files
from blogsmith.authoring.wordpress.media import Media
from blogsmith.authoring.wordpress.planning import Plan, Plans
from blogsmith.authoring.wordpress.report import Report
from blogsmith.authoring.wordpress.threads import comment_thread
from blogsmith.authoring.wordpress.values import moment, plain
from blogsmith.content.load import COMMENTS_SUFFIX, CONTENT_DIR
from blogsmith.core.config import Config
from blogsmith.core.urls import tag_slug
from blogsmith.core.yamlwrite import dump, front_matter


class PostWriter:
    """Writes each planned post as the site's source files, telling the report what it
    could not carry over."""

    def __init__(
        self,
        catalogue: Catalogue,
        plans: Plans,
        config: Config,
        media: Media,
        files: Files,
        report: Report,
    ) -> None:
        self.catalogue, self.plans, self.config = catalogue, plans, config
        self.media, self.files, self.report = media, files, report

    def write(self, item: wxr.Item, plan: Plan) -> None:
        source = f"{CONTENT_DIR}/{plan.key}"
        converted = self._body(item, plan, source)
        fields = self._front_matter(item, plan, converted, source)
        self._count(plan)
        self.files.write(source, front_matter(fields, converted.markdown).encode("utf-8"))
        self._comments(item, source)

    def _body(self, item: wxr.Item, plan: Plan, source: str) -> Converted:
        """The post's HTML as Markdown, links to other posts led to their new files."""
        context = Context(
            item.id,
            self.catalogue.attachments,
            lambda url: self.plans.old_links.target(plan.key, url),
            self.media.url,
        )
        converted = convert(item.content, context)
        notes = self.report.notes
        for tag in converted.kept_html:
            self.report.unconverted.append(f"{source}: {tag}")
        for shortcode in converted.shortcodes:
            notes.append(f"{source}: shortcode {shortcode} left as text")
        if converted.script_links:
            notes.append(
                f"{source}: {converted.script_links} links to javascript:, vbscript: or data: "
                "URLs were made plain text (they would run script on the new site)"
            )
        for missing in converted.missing:
            notes.append(f"{source}: {missing} is not in the export")
        return converted

    def _front_matter(
        self, item: wxr.Item, plan: Plan, converted: Converted, source: str
    ) -> dict[str, object]:
        fields: dict[str, object] = {
            "title": self._title(item, source),
            "date": moment(item.date, item.date_gmt, self.config.zone),
        }
        if plan.kind == "page":
            fields["kind"] = "page"
        else:
            fields["category"] = plan.category
        tags = self._tags(item, source)
        if tags:
            fields["tags"] = tags
        summary = plain(item.excerpt) or converted.more
        if summary:
            fields["summary"] = summary
        author = self.catalogue.channel.authors.get(item.creator, item.creator).strip()
        if author:
            fields["author"] = plain(author)
        eyecatch = self._eyecatch(item)
        if eyecatch is not None:
            fields["eyecatch"] = eyecatch
        if plan.aliases:
            fields["aliases"] = plan.aliases
        if plan.comment_feed_aliases:
            fields["comment_feed_aliases"] = plan.comment_feed_aliases
        if plan.draft:
            fields["draft"] = True
        return fields

    def _title(self, item: wxr.Item, source: str) -> str:
        title = plain(item.title)
        if not title:
            title = "(無題)" if self.config.language == "ja" else "(untitled)"
            self.report.notes.append(f"{source}: the post has no title; it is called {title}")
        return title

    def _tags(self, item: wxr.Item, source: str) -> list[str]:
        """The post's tags, once each; a tag that could have no page of its own is left out."""
        tags = []
        for term in item.terms:
            if term.kind == "post_tag" and term.name:
                name = plain(term.name)
                if tag_slug(name):
                    tags.append(name)
                else:
                    self.report.notes.append(
                        f"{source}: tag {name!r} has no letter or digit; left out"
                    )
        return list(dict.fromkeys(tags))

    def _eyecatch(self, item: wxr.Item) -> dict[str, str] | None:
        """The post's featured image (WordPress's thumbnail), with its alt text and caption."""
        eyecatch = self.catalogue.attachments.get(item.meta.get("_thumbnail_id", ""))
        if eyecatch is None or not eyecatch.url:
            return None
        return (
            {"image": self.media.url(eyecatch.url)}
            | ({"alt": eyecatch.alt} if eyecatch.alt else {})
            | ({"credit": eyecatch.caption} if eyecatch.caption else {})
        )

    def _count(self, plan: Plan) -> None:
        if plan.draft:
            self.report.drafts[plan.draft] += 1
        elif plan.kind == "page":
            self.report.pages += 1
        else:
            self.report.articles += 1

    def _comments(self, item: wxr.Item, source: str) -> None:
        thread = comment_thread(item.comments, self.config, self.report, source)
        if thread:
            comments_file = source[: -len(".md")] + COMMENTS_SUFFIX
            if self.files.write(comments_file, dump(thread).encode("utf-8")):
                self.report.comment_files += 1
                self.report.comments += len(thread)
