"""What a page says about itself to feed readers, search engines and link previews."""

from __future__ import annotations

import re
from urllib.parse import urljoin

from markupsafe import escape

from blogsmith.content.model import Article
from blogsmith.core import urls
from blogsmith.core.config import Config

_URL_ATTRIBUTE = re.compile(r'\b(href|src)="([^"]*)"')


def absolute_html(html: str, page_url: str) -> str:
    """Every link and image source in `html` made absolute against the page's URL, as feed
    readers show content away from the site."""

    def absolute(match: re.Match[str]) -> str:
        value = match.group(2).replace("&amp;", "&")
        joined = urljoin(page_url, value).replace("&", "&amp;")
        return f'{match.group(1)}="{joined}"'

    return _URL_ATTRIBUTE.sub(absolute, html)


def feed_content(
    config: Config, article: Article, sources_label: str, credit_label: str = ""
) -> str:
    """An entry's full content for feed readers: eyecatch (with its credit, as the page
    shows it), body and sources, all absolute."""
    page_url = urls.absolute_url(config, article.path)
    parts = []
    if article.eyecatch:
        credit = article.eyecatch.credit
        caption = (
            f"<figcaption>{escape(credit_label)}:{escape(credit)}</figcaption>" if credit else ""
        )
        parts.append(
            f'<figure><img src="{escape(image_url(config, article.eyecatch.image))}" '
            f'alt="{escape(article.eyecatch.alt)}">{caption}</figure>'
        )
    parts.append(absolute_html(article.html, page_url))
    if article.sources:
        items = "".join(
            f'<li>{escape(sources_label)}:<a href="{escape(source.url)}">'
            f"{escape(source.title)}</a></li>"
            for source in article.sources
        )
        parts.append(f"<ul>{items}</ul>")
    return "".join(parts)


def image_url(config: Config, image: str) -> str:
    return urls.absolute_url(config, image) if image.startswith("/") else image


def news_article(config: Config, article: Article, size_of=lambda path: None) -> dict:
    """schema.org NewsArticle, for the JSON-LD block of an article page: what Google's
    Article rules ask for (an image with its size, the author with a URL, the publisher's
    logo). `size_of(site path)` is an image's (width, height), when measured."""
    data: dict = {
        "@context": "https://schema.org",
        "@type": "NewsArticle",
        "headline": article.title,
        "description": article.excerpt,
        "datePublished": article.date.isoformat(),
        "dateModified": (article.updated or article.date).isoformat(),
        "mainEntityOfPage": urls.absolute_url(config, article.path),
        "url": urls.absolute_url(config, article.path),
        "inLanguage": config.language,
        "articleSection": article.category.name,
        "author": author_of(config, article.author),
        "publisher": publisher_of(config, size_of),
    }
    image = article.eyecatch.image if article.eyecatch else config.default_image or config.logo
    if image:
        data["image"] = [image_object(config, image, size_of)]
    if article.tags:
        data["keywords"] = [tag.name for tag in article.tags]
    return data


def author_of(config: Config, name: str) -> dict:
    """A Person with a name and a URL: the page `authors` names for them, else the home page
    (the default author is the site's own: `author`, or the site's title)."""
    name = name or config.author
    if not name:
        return {"@type": "Organization", "name": config.title, "url": config.base_url}
    return {"@type": "Person", "name": name, "url": dict(config.authors).get(name, config.base_url)}


def publisher_of(config: Config, size_of=lambda path: None) -> dict:
    publisher: dict = {"@type": "Organization", "name": config.title, "url": config.base_url}
    if config.logo:
        publisher["logo"] = image_object(config, config.logo, size_of)
    return publisher


def image_object(config: Config, image: str, size_of=lambda path: None) -> dict:
    found: dict = {"@type": "ImageObject", "url": image_url(config, image)}
    size = size_of(image)
    if size is not None:
        found["width"], found["height"] = size
    return found


def collection_page(config: Config, title: str, description: str, path: str, items) -> dict:
    """schema.org CollectionPage for a list page: what it is and the articles it lists."""
    return {
        "@context": "https://schema.org",
        "@type": "CollectionPage",
        "name": title or config.title,
        "description": description,
        "url": urls.absolute_url(config, path),
        "inLanguage": config.language,
        "isPartOf": {"@type": "WebSite", "name": config.title, "url": config.base_url},
        # The list's order is the array's (schema.org's ItemList takes plain URLs as items);
        # a ListItem with a position each would weigh a kilobyte more on every list page.
        "mainEntity": {
            "@type": "ItemList",
            "itemListElement": [urls.absolute_url(config, card.path) for card in items],
        },
    }


def tag_uri(config: Config, article: Article) -> str:
    """An Atom entry id that survives a change of permalink or domain (RFC 4151)."""
    host = urls.absolute_url(config, "/").split("/")[2].split(":")[0]
    return f"tag:{host},{article.date:%Y-%m-%d}:{article.key}"
