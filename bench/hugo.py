"""The same archive as a Hugo site, for measuring beside Hugo (and Hugo + Pagefind).

The articles keep their front matter (Hugo reads the same YAML; categories and tags become its
taxonomies); comment threads become data files that the article template lists, with their
vote counts; pages show previous/next, six related articles (Hugo's own related content), a
recent-articles sidebar (rendered once, `partialCached`) and paginated lists: about the work
blogsmith's default theme does, written as a well-made Hugo theme would.
The article template marks its text `data-pagefind-body`, as a Hugo site with Pagefind would.

    python bench/hugo.py SITE_DIR HUGO_DIR
"""

from __future__ import annotations

import re
import shutil
import sys
from pathlib import Path

CONFIG = """\
baseURL = "https://bench.example.org/"
languageCode = "ja"
title = "大規模アーカイブ"
hasCJKLanguage = true
disableKinds = ["RSS"]
[pagination]
  pagerSize = 10
[taxonomies]
  category = "categories"
  tag = "tags"
[permalinks]
  articles = "/:slug/"
[related]
  includeNewer = true
  threshold = 1
  toLower = false
  [[related.indices]]
    name = "tags"
    weight = 100
  [[related.indices]]
    name = "categories"
    weight = 20
"""

BASEOF = """<!doctype html>
<html lang="ja"><head><meta charset="utf-8"><title>{{ .Title }} | {{ site.Title }}</title>
<link rel="stylesheet" href="/assets/site.css"></head>
<body><header><p><a href="/">{{ site.Title }}</a></p>{{ partialCached "nav.html" . }}</header>
<main>{{ block "main" . }}{{ end }}</main>{{ partialCached "recent.html" . }}
<footer><a href="#top">ページの先頭へ</a></footer></body></html>
"""

# Rendered once and reused on every page (partialCached), as a well-made Hugo theme does.
NAV = """<nav>{{ range site.Taxonomies.categories }}
<a href="{{ .Page.RelPermalink }}">{{ .Page.Title }}</a> {{ end }}</nav>
"""

RECENT = """<aside><h2>最近の記事</h2><ul>
{{ range first 10 (where site.RegularPages "Section" "articles") }}
<li><a href="{{ .RelPermalink }}">{{ .Title }}</a></li>{{ end }}</ul></aside>
"""

SINGLE = """{{ define "main" }}<article data-pagefind-body>
<p>{{ range .GetTerms "categories" }}<a href="{{ .RelPermalink }}">{{ .LinkTitle }}</a>{{ end }}</p>
<h1>{{ .Title }}</h1><time>{{ .Date.Format "2006年1月2日" }}</time>
{{ with .Params.eyecatch }}<figure><img src="{{ .image }}" alt="{{ .alt }}">
<figcaption>{{ .credit }}</figcaption></figure>{{ end }}
{{ .Content }}
{{ with .Params.sources }}<h2>参考</h2><ul>{{ range . }}
<li><a href="{{ .url }}">{{ .title }}</a></li>{{ end }}</ul>{{ end }}
<p>{{ range .GetTerms "tags" }}<a href="{{ .RelPermalink }}">{{ .LinkTitle }}</a> {{ end }}</p>
</article>
<nav>{{ with .PrevInSection }}<a rel="next" href="{{ .RelPermalink }}">{{ .Title }}</a>{{ end }}
{{ with .NextInSection }}<a rel="prev" href="{{ .RelPermalink }}">{{ .Title }}</a>{{ end }}</nav>
<section id="related"><h2>関連記事</h2><ul>{{ range first 6 (site.RegularPages.Related .) }}
<li><a href="{{ .RelPermalink }}">{{ .Title }}</a> {{ .Date.Format "2006年1月2日" }}</li>
{{ end }}</ul></section>
<section id="comments">{{ with index site.Data.comments .File.ContentBaseName }}<ol>{{ range . }}
<li id="comment-{{ .id }}"><b>{{ .author }}</b> {{ .date }}{{ with .parent }} (>>{{ . }}){{ end }}
<p>{{ .body }}</p><span>{{ default 0 .votes }}</span></li>{{ end }}</ol>{{ end }}</section>
{{ end }}
"""

LIST = """{{ define "main" }}<h1>{{ .Title }}</h1><ul>{{ range .Paginator.Pages }}
<li><a href="{{ .RelPermalink }}">{{ .Title }}</a> {{ .Date.Format "2006年1月2日" }}
<p>{{ .Summary | plainify | truncate 120 }}</p></li>{{ end }}</ul>
{{ template "_internal/pagination.html" . }}{{ end }}
"""

FRONT = re.compile(r"\A---\n(.*?)\n---\n", re.S)


def write_hugo_site(site: Path, hugo: Path) -> None:
    shutil.rmtree(hugo, ignore_errors=True)
    (hugo / "layouts/_default").mkdir(parents=True)
    (hugo / "layouts/partials").mkdir(parents=True)
    (hugo / "layouts/partials/nav.html").write_text(NAV, encoding="utf-8")
    (hugo / "layouts/partials/recent.html").write_text(RECENT, encoding="utf-8")
    (hugo / "hugo.toml").write_text(CONFIG, encoding="utf-8")
    (hugo / "layouts/_default/baseof.html").write_text(BASEOF, encoding="utf-8")
    (hugo / "layouts/_default/single.html").write_text(SINGLE, encoding="utf-8")
    (hugo / "layouts/_default/list.html").write_text(LIST, encoding="utf-8")
    (hugo / "layouts/index.html").write_text(
        LIST.replace(
            ".Paginator.Pages", '(.Paginate (where site.RegularPages "Section" "articles")).Pages'
        ),
        encoding="utf-8",
    )
    if (site / "static").is_dir():
        shutil.copytree(site / "static", hugo / "static")
    data = hugo / "data/comments"
    data.mkdir(parents=True)
    for source in sorted((site / "content/articles").rglob("*.md")):
        sync_article(site, hugo, source)
    for thread in sorted((site / "content/articles").rglob("*.comments.yaml")):
        shutil.copyfile(thread, data / (thread.name.removesuffix(".comments.yaml") + ".yaml"))


def sync_article(site: Path, hugo: Path, source: Path) -> Path:
    """Write (or rewrite) one article of the site into the Hugo site; returns its path."""
    relative = source.relative_to(site / "content/articles")
    target = hugo / "content/articles" / relative
    target.parent.mkdir(parents=True, exist_ok=True)
    text = source.read_text(encoding="utf-8")
    match = FRONT.match(text)
    front, body = (match.group(1), text[match.end() :]) if match else ("", text)
    front = re.sub(r"^category: (.+)$", r"categories: [\1]", front, flags=re.M)
    front = re.sub(
        r"^date: (\d{4}-\d\d-\d\d) (\d\d:\d\d)$", r"date: \1T\2:00+09:00", front, flags=re.M
    )
    front += f"\nslug: {source.stem}"
    target.write_text(f"---\n{front}\n---\n{body}", encoding="utf-8")
    return target


if __name__ == "__main__":
    write_hugo_site(Path(sys.argv[1]), Path(sys.argv[2]))
