"""The `blogsmith` command."""

from __future__ import annotations

import argparse
import os
import re
import sys
from pathlib import Path
from typing import TYPE_CHECKING

from blogsmith import __version__
from blogsmith.core.config import CONFIG_NAME
from blogsmith.core.errors import (
    WARNINGS_PER_KIND,
    BuildError,
    LocatedError,
    warning_lines,
)
from blogsmith.core.progress import ProgressBar

if TYPE_CHECKING:  # the build's modules load only for the commands that build (not deploy)
    from blogsmith.graph.content_graph import BuildOptions


def run() -> None:
    """The console command: main(), then an exit that skips freeing the build's objects one by
    one (a second or more on a large archive) since the process ends anyway."""
    code = main()
    sys.stdout.flush()
    sys.stderr.flush()
    os._exit(code)


def main(argv: list[str] | None = None) -> int:
    parser = _parser()
    args = parser.parse_args(argv)
    if not getattr(args, "command", None):
        parser.print_help()
        return 2
    try:
        return args.handler(args)
    except BuildError as exc:  # blogsmith.yaml refused by a command that does not build
        return _fail(exc, False, f"'blogsmith {args.command}' did nothing")
    except KeyboardInterrupt:  # Ctrl-C: what was being written is abandoned, never half-done
        print(f"blogsmith {args.command}: stopped by Ctrl-C before it finished", file=sys.stderr)
        return 130


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="blogsmith",
        description="Build a news archive of Markdown articles into a static site.",
    )
    parser.add_argument("--version", action="version", version=f"blogsmith {__version__}")
    commands = parser.add_subparsers(dest="command", metavar="COMMAND")

    _build_commands(commands)
    _authoring_commands(commands)
    _deploy_command(commands)
    _comment_commands(commands)
    return parser


def _build_options(command: argparse.ArgumentParser) -> None:
    """What build, check and serve share: the site, drafts, future articles, quiet."""
    _site_option(command)
    command.add_argument("--drafts", action="store_true", help="build drafts too")
    command.add_argument(
        "--future", action="store_true", help="build articles dated in the future too"
    )
    command.add_argument("-q", "--quiet", action="store_true", help="print nothing but errors")


def _build_commands(commands) -> None:
    """build, check and serve."""
    build_cmd = commands.add_parser("build", help="build the site into public/")
    _build_options(build_cmd)
    build_cmd.add_argument(
        "--output", type=Path, metavar="DIR", help="where to write the site (default: SITE/public)"
    )
    build_cmd.add_argument(
        "--no-cache",
        action="store_true",
        help="neither use nor keep the build cache (.public.blogsmith-cache/)",
    )
    build_cmd.set_defaults(handler=_build)

    check_cmd = commands.add_parser("check", help="report every problem without writing")
    _build_options(check_cmd)
    check_cmd.set_defaults(handler=_check)

    serve_cmd = commands.add_parser(
        "serve", help="build, serve on 127.0.0.1 and rebuild and reload on every change"
    )
    _build_options(serve_cmd)
    serve_cmd.add_argument(
        "--host",
        default="127.0.0.1",
        help="address to listen on (default: 127.0.0.1, this machine only)",
    )
    serve_cmd.add_argument(
        "--port",
        type=int,
        default=8000,
        help="port (default: 8000; the next free one if it is taken)",
    )
    serve_cmd.add_argument(
        "--output",
        type=Path,
        metavar="DIR",
        help="where to write the preview (default: a temporary folder)",
    )
    serve_cmd.set_defaults(handler=_serve)


def _authoring_commands(commands) -> None:
    """What writes sources: new, import."""
    new_cmd = commands.add_parser("new", help="start an article: content/articles/YYYY/MM/SLUG.md")
    new_cmd.add_argument("title", help="the article's title, in quotes")
    new_cmd.add_argument("--category", required=True, metavar="KEY", help="a key of categories")
    new_cmd.add_argument("--slug", help="its URL segment (default: made from the title)")
    new_cmd.add_argument("--site", type=Path, default=Path("."), metavar="DIR")
    new_cmd.set_defaults(handler=_new)

    import_cmd = commands.add_parser("import", help="import another blog's archive")
    sources = import_cmd.add_subparsers(dest="source", metavar="SOURCE", required=True)
    wordpress = sources.add_parser(
        "wordpress", help="a WordPress export (Tools > Export > All content)"
    )
    wordpress.add_argument("export", type=Path, metavar="EXPORT.xml")
    wordpress.add_argument(
        "--site", type=Path, default=Path("."), metavar="DIR", help="the site to import into"
    )
    wordpress.add_argument(
        "--attachments",
        type=Path,
        metavar="DIR",
        help="a copy of the old site's wp-content/uploads: images found there are copied "
        "into static/uploads/ and linked from there",
    )
    wordpress.add_argument(
        "--force", action="store_true", help="overwrite files that differ from the import"
    )
    wordpress.set_defaults(handler=_import_wordpress)


def _site_option(command: argparse.ArgumentParser) -> argparse.ArgumentParser:
    command.add_argument(
        "--site",
        type=Path,
        default=Path("."),
        metavar="DIR",
        help="the site folder holding blogsmith.yaml (default: .)",
    )
    return command


def _deploy_command(commands) -> None:
    deploy = _site_option(
        commands.add_parser("deploy", help="upload the last build of the output to the site")
    )
    deploy.add_argument(
        "--output", type=Path, metavar="DIR", help="the built site (default: SITE/public)"
    )
    deploy.add_argument("--to", metavar="URL", help="where to (default: deploy.to in the config)")
    deploy.add_argument(
        "--dry-run",
        action="store_true",
        help="print what would be sent and deleted; change nothing",
    )
    deploy.add_argument(
        "--verify",
        action="store_true",
        help="compare with what the target holds and repair files changed or removed there",
    )
    deploy.add_argument(
        "--max-deletes",
        type=_count,
        metavar="N",
        help="stop, changing nothing, rather than delete more files (default: 10%% of the "
        "files deployed, at least 50)",
    )
    deploy.add_argument(
        "--changed-urls",
        type=Path,
        metavar="FILE",
        help="write the URLs the deploy changed there, one per line",
    )
    deploy.set_defaults(handler=_deploy)


def _count(text: str) -> int:
    if not text.isdigit():
        raise argparse.ArgumentTypeError(f"must be a whole number of 0 or more, got {text!r}")
    return int(text)


def _deploy(args: argparse.Namespace) -> int:
    from blogsmith.deploy.command import DeployRequest, deploy_command
    from blogsmith.deploy.run import DeployOptions

    options = DeployOptions(args.dry_run, args.verify, args.max_deletes)
    output = (args.output or args.site / "public").resolve()
    request = DeployRequest(args.site, output, args.to, options, args.changed_urls)
    try:
        return deploy_command(request)
    except BuildError as exc:
        return _fail(exc, False, "nothing was deployed")


def _comment_commands(commands) -> None:
    comments = commands.add_parser("comments", help="the comment service and moderation")
    actions = comments.add_subparsers(dest="action", metavar="ACTION", required=True)
    for add in (_service_commands, _decision_commands, _published_commands, _people_commands):
        add(actions, _site_option)


def _service_commands(actions, site) -> None:
    """Running the service, and what waits for it."""
    serve = site(actions.add_parser("serve", help="run the comment service"))
    serve.add_argument("--host", default="127.0.0.1", help="address to listen on (127.0.0.1)")
    serve.add_argument("--port", type=int, default=8081, help="port (default 8081)")
    serve.add_argument(
        "--output",
        type=Path,
        default=None,
        metavar="DIR",
        help="where approvals rebuild the site (default: public/)",
    )
    serve.add_argument(
        "--trusted-proxy",
        action="append",
        default=None,
        metavar="ADDRESS",
        help="a reverse proxy whose X-Forwarded-For is believed (default: 127.0.0.1 and ::1)",
    )
    serve.add_argument(
        "--fold-every",
        type=float,
        default=3600.0,
        metavar="SECONDS",
        help="publish new vote totals this often (default 3600; approvals publish at once)",
    )
    serve.set_defaults(handler=_comments_serve)
    site(actions.add_parser("pending", help="list the comments awaiting moderation")).set_defaults(
        handler=lambda args: _service().pending(args.site)
    )


def _decision_commands(actions, site) -> None:
    """A moderator's decisions on waiting comments, and on their readers."""
    for action in ("approve", "reject", "spam", "restore"):
        what = (
            "let rejected or spam comments wait again, by number"
            if action == "restore"
            else f"{action} pending comments by number"
        )
        command = site(actions.add_parser(action, help=what))
        command.add_argument(
            "rows",
            type=_row_as_read,
            nargs="+",
            metavar="NUMBER[@SEEN]",
            help="a comment's number, as `pending` lists it with what was read (12@3f9a2c1b): "
            "a comment its reader changed since is then left waiting",
        )
        if action == "approve":
            command.add_argument(
                "--no-publish",
                action="store_true",
                help="write the files only; no build, no publish command",
            )
        command.set_defaults(handler=_comments_decide, decision=action)
    for verb, blocking, what in (
        ("block", True, "block the readers of comments by number (email and address)"),
        ("unblock", False, "let the readers of comments by number comment again"),
    ):
        command = site(actions.add_parser(verb, help=what))
        command.add_argument("rows", type=int, nargs="+", metavar="NUMBER")
        command.set_defaults(
            handler=lambda args, b=blocking: _service().block(args.site, args.rows, b)
        )


def _published_commands(actions, site) -> None:
    """What is done to published comments and to the site: takedowns, edits, publishing."""
    remove = site(
        actions.add_parser(
            "remove", help="take a published comment down (its replies stay, under a placeholder)"
        )
    )
    remove.add_argument(
        "link",
        metavar="LINK",
        help="the comment's link (https://…/europe/ceasefire/#comment-102, as its date links), "
        "or the article's file and its id (articles/2022/09/ceasefire.md#comment-102)",
    )
    remove.add_argument(
        "--no-publish", action="store_true", help="change the file only; no build, no publish"
    )
    remove.set_defaults(
        handler=lambda args: _service().remove(args.site, args.link, not args.no_publish)
    )
    editing = site(
        actions.add_parser(
            "edit", help="change a comment's text (read from stdin), recorded as an edit"
        )
    )
    editing.add_argument(
        "which",
        metavar="NUMBER|LINK",
        help="a waiting comment's number, or a published comment's link (as for remove)",
    )
    editing.add_argument(
        "--no-publish", action="store_true", help="change the file only; no build, no publish"
    )
    editing.set_defaults(
        handler=lambda args: _service().edit_comment(
            args.site, args.which, sys.stdin.read(), not args.no_publish
        )
    )
    unsubscribing = site(
        actions.add_parser("unsubscribe", help="stop all mail to these addresses (a reader asked)")
    )
    unsubscribing.add_argument("addresses", nargs="+", metavar="ADDRESS")
    unsubscribing.set_defaults(
        handler=lambda args: _service().unsubscribe(args.site, args.addresses)
    )
    site(actions.add_parser("edits", help="list the comments moderators edited")).set_defaults(
        handler=lambda args: _service().list_edits(args.site)
    )
    site(
        actions.add_parser("publish", help="fold votes in, build, run the publish command")
    ).set_defaults(handler=lambda args: _service().publish_site(args.site))


def _people_commands(actions, site) -> None:
    """Moderators, their sessions and the mail."""
    moderator = site(
        actions.add_parser(
            "moderator", help="add a moderator, or set a new password (ending their sessions)"
        )
    )
    moderator.add_argument("name")
    mailing = moderator.add_mutually_exclusive_group()
    mailing.add_argument(
        "--email",
        metavar="ADDRESS",
        help="mail this moderator about waiting comments (batched; needs comments.mail)",
    )
    mailing.add_argument("--no-email", action="store_true", help="stop mailing this moderator")
    moderator.set_defaults(handler=_comments_moderator)
    mail = site(
        actions.add_parser("mail", help="what the mail queue holds; --test sends a mail now")
    )
    mail.add_argument(
        "--test", metavar="ADDRESS", help="send a test mail to ADDRESS through comments.mail.smtp"
    )
    mail.set_defaults(handler=lambda args: _service().mail_report(args.site, args.test))
    logout = site(actions.add_parser("logout", help="end moderators' sessions on every device"))
    whom = logout.add_mutually_exclusive_group(required=True)
    whom.add_argument("names", nargs="*", default=[], metavar="NAME", help="these moderators")
    whom.add_argument("--all", action="store_true", help="every moderator")
    logout.set_defaults(handler=lambda args: _service().end_sessions(args.site, args.names))


def _service():
    from blogsmith.service import run

    return run


def _comments_serve(args: argparse.Namespace) -> int:
    proxies = args.trusted_proxy or ["127.0.0.1", "::1"]
    return _service().serve(args.site, args.host, args.port, args.output, proxies, args.fold_every)


def _row_as_read(text: str) -> tuple[int, str]:
    """NUMBER or NUMBER@SEEN, SEEN the start of the digest `pending` printed of the text."""
    number, _, seen = text.partition("@")
    if not number.isdigit() or (seen and not re.fullmatch(r"[0-9a-f]{8,20}", seen)):
        raise argparse.ArgumentTypeError(
            f"{text!r} is not a comment's number, like 12, or a number and what was read, "
            "like 12@3f9a2c1b (as `blogsmith comments pending` lists them)"
        )
    return int(number), seen


def _comments_decide(args: argparse.Namespace) -> int:
    publish = args.decision == "approve" and not args.no_publish
    return _service().decide_many(args.site, args.rows, args.decision, publish)


def _comments_moderator(args: argparse.Namespace) -> int:
    """A password asked for a new moderator (or a new password); only the address changed
    for one who exists when --email or --no-email is given."""
    import getpass

    if args.email is not None or args.no_email:
        done = _service().moderator_email(args.site, args.name, args.email)
        if done is not None:
            return done
    if sys.stdin.isatty():
        password = getpass.getpass(f"password for {args.name}: ")
    else:
        password = sys.stdin.readline().rstrip("\n")
    added = _service().add_moderator(args.site, args.name, password)
    if added == 0 and args.email is not None:
        return _service().moderator_email(args.site, args.name, args.email) or 0
    return added


def _options(args: argparse.Namespace) -> BuildOptions:
    from blogsmith.graph.content_graph import BuildOptions

    return BuildOptions(drafts=args.drafts, future=args.future)


def _build(args: argparse.Namespace) -> int:
    from blogsmith.build import build, default_cache_dir

    bar = ProgressBar() if sys.stderr.isatty() and not args.quiet else None
    try:
        output = (args.output or args.site / "public").resolve()
        cache_dir = None if args.no_cache else default_cache_dir(output)
        result = build(args.site, output, _options(args), progress=bar, cache_dir=cache_dir)
    except BuildError as exc:
        return _fail(
            exc, args.quiet, "nothing was written; the previous output is unchanged", capped=True
        )
    finally:
        if bar:
            bar.clear()
    _print_warnings(result.warnings, args.quiet, capped=True)
    if not args.quiet:
        output = args.output or args.site / "public"
        print(result.summary(output))
    return 0


def _check(args: argparse.Namespace) -> int:
    from blogsmith.build import build

    try:
        result = build(args.site, None, _options(args), write=False)
    except BuildError as exc:
        return _fail(exc, args.quiet, "found by blogsmith check")
    _print_warnings(result.warnings, args.quiet)
    if not args.quiet:
        print(f"no problems: {result.pages} pages checked in {result.seconds:.2f} s")
    return 0


def _serve(args: argparse.Namespace) -> int:
    from blogsmith.preview.serve import serve

    return serve(args.site, args.host, args.port, _options(args), args.output)


def _new(args: argparse.Namespace) -> int:
    from blogsmith.authoring.new_article import NewArticleRefused, new_article

    try:
        path = new_article(args.site, args.title, args.category, args.slug)
    except NewArticleRefused as exc:
        print(f"blogsmith new: {exc}", file=sys.stderr)
        return 1
    except BuildError as exc:
        return _fail(exc, False, f"fix {CONFIG_NAME} first")
    print(path)
    return 0


def _import_wordpress(args: argparse.Namespace) -> int:
    from blogsmith.authoring.wordpress.importer import ImportRefused, import_wordpress

    try:
        report = import_wordpress(args.export, args.site, args.attachments, args.force)
    except ImportRefused as exc:
        print(f"blogsmith import: {exc}", file=sys.stderr)
        return 1
    print(report.text(args.site))
    return 1 if report.conflicts else 0


def _fail(exc: BuildError, quiet: bool, note: str, capped: bool = False) -> int:
    _print_warnings(exc.warnings, quiet, capped)
    for error in exc.errors:
        print(f"{error}", file=sys.stderr)
    count = len(exc.errors)
    print(f"{count} error{'s' if count != 1 else ''}; {note}", file=sys.stderr)
    return 1


def _print_warnings(warnings: list[LocatedError], quiet: bool, capped: bool = False) -> None:
    """Every warning (`check`), or a build's first few of each kind and how many more."""
    if quiet:
        return
    for line in warning_lines(warnings, WARNINGS_PER_KIND if capped else None):
        print(line, file=sys.stderr)


if __name__ == "__main__":
    run()
