from blogsmith.core import yamlread
from blogsmith.core.config import Config, validate_config
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
    assert (config.per_page, config.related_count, config.comments_max_depth) == (10, 6, 5)


def test_base_url_path_becomes_the_base_path_of_every_link():
    config, _, _ = check("title: T\nbase_url: https://a.example/archive\n")
    assert config.base_url == "https://a.example/archive/"
    assert config.base_path == "/archive/"


def test_categories_keep_their_order_and_names():
    config, _, _ = check(
        "title: T\nbase_url: https://a.example/\ncategories:\n"
        "  europe: 欧州関連\n  americas: 北米/南米関連\n"
    )
    assert config.categories == (("europe", "欧州関連"), ("americas", "北米/南米関連"))


def test_category_keys_may_be_japanese_but_not_punctuation():
    config, errors, _ = check(
        "title: T\nbase_url: https://a.example/\n"
        "categories:\n  あさひ: あさひ\n  自衛隊-2: 自衛隊\n"
    )
    assert config.categories == (("あさひ", "あさひ"), ("自衛隊-2", "自衛隊"))
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
