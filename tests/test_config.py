import dataclasses
import pickle

from conftest import article, run_cli

from blogsmith.core import yamlread
from blogsmith.core.config import Category, Config, validate_config
from blogsmith.core.errors import ErrorBag


def check(text: str) -> tuple[Config | None, list[str], list[str]]:
    bag = ErrorBag()
    config = validate_config(yamlread.parse(text), bag)
    return config, [str(e) for e in bag.errors], [str(w) for w in bag.warnings]


def test_only_title_and_base_url_are_required_and_the_rest_defaults():
    config, errors, _ = check("title: T\nbase_url: https://a.example/\n")
    assert errors == []
    assert config == Config(title="T", base_url="https://a.example/")
    assert (config.language, config.timezone, config.permalink) == (
        "ja",
        "Asia/Tokyo",
        "/{category}/{slug}/",
    )
    assert (config.per_page, config.related_count, config.comments.max_depth) == (10, 6, 5)


def test_base_url_path_becomes_the_base_path_of_every_link():
    config, _, _ = check("title: T\nbase_url: https://a.example/archive\n")
    assert config.base_url == "https://a.example/archive/"
    assert config.base_path == "/archive/"


def test_categories_keep_their_order_and_names():
    config, _, _ = check(
        "title: T\nbase_url: https://a.example/\ncategories:\n"
        "  europe: 欧州関連\n  americas: 北米/南米関連\n"
    )
    assert config.categories == (
        Category("europe", "欧州関連"),
        Category("americas", "北米/南米関連"),
    )


def test_category_keys_may_be_japanese_but_not_punctuation():
    config, errors, _ = check(
        "title: T\nbase_url: https://a.example/\n"
        "categories:\n  あさひ: あさひ\n  自衛隊-2: 自衛隊\n"
    )
    assert config.categories == (Category("あさひ", "あさひ"), Category("自衛隊-2", "自衛隊"))
    _, errors, _ = check("title: T\nbase_url: https://a.example/\ncategories:\n  '-あ': x\n")
    assert "category key '-あ'" in errors[0]


def test_every_problem_is_reported_at_once_with_its_line():
    _, errors, _ = check(
        "base_url: news.example.org\n"
        "language: fr\n"
        "timezone: Asia/Tokio\n"
        "permalink: /{categry}/{slug}/\n"
        "per_page: 0\n"
        "comments:\n"
        "  max_depth: deep\n"
        "categories:\n"
        "  Europe News: 欧州\n"
        "  japan:\n"
    )
    assert errors == [
        "blogsmith.yaml:1: missing required setting 'title'",
        "blogsmith.yaml:1: 'base_url' must be an absolute http(s) URL like "
        "https://news.example.org/, got 'news.example.org'",
        "blogsmith.yaml:2: 'language' must be one of ja, en, got 'fr'",
        "blogsmith.yaml:3: unknown timezone 'Asia/Tokio'; use an IANA name like Asia/Tokyo or UTC",
        "blogsmith.yaml:4: 'permalink' has unknown field {categry}; use {category}, {slug}, "
        "{year}, {month}, {day}",
        "blogsmith.yaml:5: 'per_page' must be a whole number of at least 1, got 0",
        "blogsmith.yaml:7: 'comments.max_depth' must be a whole number from 1 to 100, got 'deep'",
        "blogsmith.yaml:9: category key 'Europe News' must be letters, digits, '-' or '_' "
        "(it becomes part of URLs), like 'europe' or 'あさひ'",
        "blogsmith.yaml:10: category 'japan' needs a display name after the colon, "
        "like 'europe: 欧州関連'",
    ]


def test_permalink_must_contain_slug_and_end_in_a_folder_or_html():
    _, errors, _ = check("title: T\nbase_url: https://a.example/\npermalink: /{year}/x/\n")
    assert errors == [
        "blogsmith.yaml:3: 'permalink' must contain {slug} so URLs are unique, "
        "like /{category}/{slug}/ or /{year}/{month}/{slug}.html"
    ]
    _, errors, _ = check("title: T\nbase_url: https://a.example/\npermalink: /{slug}\n")
    assert errors == [
        "blogsmith.yaml:3: 'permalink' must end with '/' or '.html', "
        "like /{category}/{slug}/ or /{year}/{month}/{slug}.html"
    ]


def test_unknown_settings_are_warnings_with_a_suggestion():
    config, errors, warnings = check("title: T\nbase_url: https://a.example/\nper_pgae: 5\n")
    assert config is not None and errors == []
    assert warnings == [
        "blogsmith.yaml:3: unknown setting 'per_pgae' is ignored; did you mean 'per_page'?"
    ]


def test_unknown_keys_of_a_section_are_warnings_with_a_suggestion():
    text = "title: T\nbase_url: https://a.example/\nimages:\n  qualty: 70\ndeploy:\n  too: x\n"
    config, errors, warnings = check(text)
    assert config is not None and errors == []
    assert warnings == [
        "blogsmith.yaml:4: unknown setting 'images.qualty' is ignored; did you mean 'quality'?",
        "blogsmith.yaml:6: unknown setting 'deploy.too' is ignored; did you mean 'to'?",
    ]


def test_sections_are_nested_settings_with_their_own_defaults():
    config, errors, _ = check(
        "title: T\nbase_url: https://a.example/\ncomments:\n  url: https://c.example\n"
        "  mail:\n    smtp: smtps://mail.example.org\n    from: c@a.example\n"
        "images:\n  widths: [800, 400, 400]\nfeeds:\n  content: summary\n"
    )
    assert errors == []
    assert config.comments.url == "https://c.example/"
    assert (config.comments.mail.sender, config.comments.mail.tls) == ("c@a.example", "tls")
    assert config.comments.sends_mail and config.comments.max_depth == 5
    assert config.images.widths == (400, 800) and config.images.quality == 80
    assert (config.feeds.content, config.feeds.entries) == ("summary", 20)
    assert config.deploy.cache_control is None
    # A section given only partly keeps the rest of its defaults; a mail section needs both.
    _, errors, _ = check("title: T\nbase_url: https://a.example/\ncomments:\n  mail: {}\n")
    assert [e.split(": ", 1)[1].split(",")[0] for e in errors] == [
        "'comments.mail.smtp' must be the SMTP server's URL",
        "'comments.mail.from' must be the address notices are sent from",
    ]


def test_every_setting_is_declared_with_its_check_or_as_a_section():
    def declared(kind):
        for item in dataclasses.fields(kind):
            if "section" in item.metadata:
                yield from declared(item.metadata["section"])
            else:
                yield item

    for item in declared(Config):
        assert callable(item.metadata.get("check")), item.name


def test_templates_written_for_the_flat_names_of_settings_still_build(make_site):
    site = make_site(
        {
            "content/articles/2022/09/a.md": article("記事"),
            "templates/robots.txt": "{{ site.feed_content }} {{ site.comments_max_length }} "
            "{{ site.image_widths|join(',') }} {{ site.comments_mail }} {{ site.deploy_to }}.\n",
        }
    )
    built = run_cli("build", "--site", site)
    assert built.returncode == 0, built.stderr
    robots = (site / "public" / "robots.txt").read_text("utf-8")
    assert robots == "full 4000 210,420,740,1480 False .\n"


def test_a_config_is_whole_once_made_so_workers_get_it_while_it_is_read():
    """The load stage pickles the config for its workers in one thread while the main thread
    loads files with it: reading it must change nothing that pickling walks."""
    config, _, _ = check("title: T\nbase_url: https://a.example/archive\n")
    before = pickle.dumps(config)
    assert (config.base_path, config.excerpt_chars, config.comments_url) == ("/archive/", 80, "")
    assert (config.category_names, str(config.zone)) == ({}, "Asia/Tokyo")
    assert pickle.dumps(config) == before
