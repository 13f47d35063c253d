"""What the comment service says to readers and moderators, in the site's language.

Code never raises words: a refusal names a key of MESSAGES and the values it needs
(`Refused(400, "email_invalid")`), and whoever shows it says it in a language: the pages and
the JSON answers in the site's (`language: ja` or `en`), the terminal in English, as the rest
of blogsmith's command line. A value named `field` is a form field (said by FIELDS) and one
named `status` a comment's status (said by STATUS_WORDS, keyed by the statuses of
store.py, which imports this module's users). Every key is in every language with
the same values (tests/test_service_messages.py checks it).
"""

from __future__ import annotations

MESSAGES: dict[str, dict[str, str]] = {
    "en": {
        "article_unknown": "this article is not on the site (or not yet): reload its page",
        "honeypot_filled": "leave the field marked 'leave empty' empty",
        "form_expired": "the form has expired or was not this article's; send it again",
        "too_fast": "sent too fast; wait {seconds} seconds and send it again",
        "form_too_old": "the form is too old; send it again",
        "parent_unknown": "the comment you reply to is not on this article; reply to one that is",
        "name_missing": "give a name (any name) to comment",
        "email_invalid": "the email address is not one (like name@example.com); or leave it out",
        "notify_needs_email": "give your email address to hear of replies, or untick the box",
        "url_invalid": "the web site must be an http:// or https:// address, or left out",
        "body_empty": "the comment is empty",
        "body_too_long": "the comment is {length} characters; at most {limit} fit",
        "too_many_links": "the comment has {links} links; at most {limit} are allowed",
        "field_too_long": "the {field} is longer than {limit} characters",
        "field_control": "the {field} holds control characters; type it again",
        "too_many_comments": "too many comments from your address; wait an hour",
        "too_many_forms": "too many forms asked for from your address; wait an hour",
        "vote_unknown": "the comment you voted for is not on this article",
        "request_too_large": "the request is larger than {kib} KiB",
        "not_found": "there is nothing here",
        "wrong_method": "this address does not take that method",
        "refused": "the request was refused",
        "service_failed": "the comment service failed for a moment; send it again",
        "login_expired": "the form expired; log in again",
        "login_locked": "too many failed logins; wait {minutes} minutes",
        "login_wrong": "wrong name or password",
        "log_in_first": "log in first",
        "session_mismatch": "the form is not from this session; reload the moderation page",
        "no_comment": "there is no comment #{row}",
        "already_approved": "comment #{row} is approved and in its article's file already",
        "decided_before": (
            "comment #{row} was {status} (by another moderator, or earlier); it is not approved"
        ),
        "decided_meanwhile": "comment #{row} was {status} meanwhile; it is not approved",
        "approved_meanwhile": "comment #{row} was approved meanwhile and is in its article's file",
        "not_written": "comment #{row} was not written (it still waits): {detail}",
        "not_written_article_gone": (
            "comment #{row} was not written (it still waits): {detail}; restore the article, or "
            "reject the comment"
        ),
        "being_approved": "comment #{row} is being approved: {detail}",
        "link_malformed": (
            "give the comment's link, as its date links on the article's page "
            "(https://…/europe/ceasefire/#comment-102), or the article's file and the id "
            "(articles/2022/09/ceasefire.md#comment-102)"
        ),
        "link_unknown_article": "no article of the site is at {link}",
        "link_unknown_comment": "there is no comment at {link} (or it was taken down)",
        "not_removed": "the comment was not removed: {detail}",
        "removed": "comment {comment} was taken out of {file}",
        "removed_placeholder": (
            "comment {comment} was taken out of {file}; its replies stay, under a line saying "
            "it was removed"
        ),
        "several_done": "{action}: {count} comments",
        "changed_since_read": (
            "comment #{row} was changed by its reader since the page was loaded; it still "
            "waits: read it again"
        ),
        "not_yours": "this comment was not sent from this browser (or too long ago)",
        "no_longer_waiting": "a moderator has decided on this comment; it can no longer be changed",
        "mine_edited": "your comment was changed; it still waits for a moderator",
        "mine_withdrawn": "your comment was withdrawn and deleted",
        "subscription_invalid": "this link is not one the comment service sent (or it was cut)",
        "confirm_question": "Send notices of replies to your comments to {email}?",
        "confirm_button": "Yes, send them",
        "confirmed": "{email} will hear of replies to the comments it asked for.",
        "confirm_too_late": (
            "{email} unsubscribed earlier; it is not subscribed again by this link."
        ),
        "unsubscribe_question": "Stop all mail from the comment service to {email}?",
        "unsubscribe_button": "Unsubscribe",
        "unsubscribed": "{email} gets no more mail from the comment service.",
        "subscribe_again_button": "Subscribe again",
        "mail_confirm_subject": "[{site}] Confirm reply notices",
        "mail_confirm_body": (
            "Someone (you, we hope) commented on {site} and asked to hear of replies at this "
            "address.\n\nTo receive reply notices, confirm here:\n{confirm}\n\nIf it was not "
            "you, do nothing: this address will get no other mail from us.\n"
        ),
        "mail_reply_subject": "[{site}] {author} replied to your comment",
        "mail_reply_body": (
            "{author} replied to your comment on \u201c{title}\u201d:\n\n{quote}\n\n"
            "Read it:\n{link}\n\nStop these notices:\n{unsubscribe}\n"
        ),
        "mail_waiting_subject": "[{site}] {count} comments await moderation",
        "mail_waiting_body": "{count} comments await moderation:\n\n{listing}\n\n{moderate}\n",
        "mail_waiting_item": "- {author} on \u201c{title}\u201d ({when}): {quote}",
        "mail_waiting_more": "- and {count} more",
        "mail_test_subject": "[{site}] Test mail from the comment service",
        "mail_test_body": "The comment service of {site} can send mail through {server}.\n",
        "edit_not_waiting": (
            "comment #{row} is {status}; a waiting comment is edited by its number, a published "
            "one by its link"
        ),
        "edited_waiting": "comment #{row} edited; it still waits for a decision",
        "edited_published": (
            "comment {comment} of {file} edited (its page says a moderator edited it); the site "
            "is published again"
        ),
        "not_edited": "the comment was not edited: {detail}",
    },
    "ja": {
        "article_unknown": (
            "この記事はサイトにありません(まだ公開されていないのかもしれません)。"
            "記事のページを読み込み直してください。"
        ),
        "honeypot_filled": (
            "「この欄は空のままにしてください」の欄には何も入れずに送信してください。"
        ),
        "form_expired": (
            "フォームの有効期限が切れたか、この記事のフォームではありません。"
            "もう一度送信してください。"
        ),
        "too_fast": "送信が早すぎます。{seconds}秒待ってから、もう一度送信してください。",
        "form_too_old": "フォームを開いてから時間が経ちすぎました。もう一度送信してください。",
        "parent_unknown": (
            "返信先のコメントがこの記事にありません。記事にあるコメントに返信してください。"
        ),
        "name_missing": "名前を入れてください(どんな名前でも構いません)。",
        "notify_needs_email": (
            "返信の通知を受け取るにはメールアドレスを入れてください(またはチェックを外してください)。"
        ),
        "email_invalid": (
            "メールアドレスの形になっていません"
            "(name@example.com のように入れるか、空欄にしてください)。"
        ),
        "url_invalid": (
            "ウェブサイトは http:// か https:// で始まるアドレスを入れるか、空欄にしてください。"
        ),
        "body_empty": "コメントが空です。",
        "body_too_long": "コメントが{length}文字あります。{limit}文字以内にしてください。",
        "too_many_links": "コメントにリンクが{links}個あります。{limit}個までにしてください。",
        "field_too_long": "{field}は{limit}文字以内にしてください。",
        "field_control": "{field}に制御文字が含まれています。入れ直してください。",
        "too_many_comments": "このアドレスからのコメントが多すぎます。1時間ほど待ってください。",
        "too_many_forms": "このアドレスからのフォームの要求が多すぎます。1時間ほど待ってください。",
        "vote_unknown": "評価しようとしたコメントがこの記事にありません。",
        "request_too_large": "送信された内容が大きすぎます({kib} KiBまで)。",
        "not_found": "ここには何もありません。",
        "wrong_method": "このアドレスはその方法では使えません。",
        "refused": "受け付けられませんでした。",
        "service_failed": ("コメントの受付で一時的な問題が起きました。もう一度送信してください。"),
        "login_expired": "フォームの有効期限が切れました。もう一度ログインしてください。",
        "login_locked": "ログインの失敗が多すぎます。{minutes}分待ってください。",
        "login_wrong": "名前またはパスワードが違います。",
        "log_in_first": "先にログインしてください。",
        "session_mismatch": (
            "このフォームは今のログインのものではありません。承認のページを読み込み直してください。"
        ),
        "no_comment": "コメント#{row}はありません。",
        "already_approved": "コメント#{row}は承認済みで、記事のコメントファイルに入っています。",
        "decided_before": (
            "コメント#{row}は(別の管理人によって、または以前に){status}になっています。"
            "承認はされていません。"
        ),
        "decided_meanwhile": "コメント#{row}はその間に{status}になりました。承認はされていません。",
        "approved_meanwhile": (
            "コメント#{row}はその間に承認され、記事のコメントファイルに入っています。"
        ),
        "not_written": "コメント#{row}を書き込めませんでした(承認待ちのままです): {detail}",
        "not_written_article_gone": (
            "コメント#{row}を書き込めませんでした(承認待ちのままです): {detail}。"
            "記事を元に戻すか、コメントを却下してください。"
        ),
        "being_approved": "コメント#{row}は承認の途中です: {detail}",
        "link_malformed": (
            "コメントのリンク(記事のページでコメントの日時が指すもの。"
            "https://…/europe/ceasefire/#comment-102)か、記事のファイルとコメントのid"
            "(articles/2022/09/ceasefire.md#comment-102)を入れてください。"
        ),
        "link_unknown_article": "{link} にはサイトの記事がありません。",
        "link_unknown_comment": "{link} にはコメントがありません(削除済みの可能性があります)。",
        "not_removed": "コメントは削除されていません: {detail}",
        "removed": "コメント{comment}を{file}から削除しました。",
        "removed_placeholder": (
            "コメント{comment}を{file}から削除しました。返信はそのまま残り、"
            "「削除されました」の表示の下に並びます。"
        ),
        "several_done": "{count}件を「{action}」にしました。",
        "changed_since_read": (
            "コメント#{row}はページを開いた後に投稿者が書き直しました。承認待ちのままです。"
            "読み直してください。"
        ),
        "not_yours": (
            "このコメントはこのブラウザーから送られたものではありません"
            "(または送ってから時間が経ちすぎました)。"
        ),
        "no_longer_waiting": "このコメントは管理人が判断済みのため、もう変えられません。",
        "mine_edited": "コメントを直しました。引き続き管理人の承認を待っています。",
        "mine_withdrawn": "コメントを取り下げ、削除しました。",
        "subscription_invalid": (
            "このリンクはコメントサービスが送ったものではありません"
            "(途中で切れている可能性があります)。"
        ),
        "confirm_question": "コメントへの返信を {email} にメールでお知らせしますか?",
        "confirm_button": "はい、受け取ります",
        "confirmed": "{email} に、希望したコメントへの返信をお知らせします。",
        "confirm_too_late": "{email} は配信停止済みです。このリンクでは再開されません。",
        "unsubscribe_question": "コメントサービスから {email} へのメールをすべて止めますか?",
        "unsubscribe_button": "配信を停止する",
        "unsubscribed": "{email} にはもうコメントサービスからメールを送りません。",
        "subscribe_again_button": "もう一度受け取る",
        "mail_confirm_subject": "[{site}] 返信通知の確認",
        "mail_confirm_body": (
            "{site} にコメントが投稿され、このアドレスに返信を知らせるよう希望がありました。\n\n"
            "返信の通知を受け取るには、次のリンクから確認してください。\n{confirm}\n\n"
            "心当たりがなければ、何もしないでください。このアドレスにはほかのメールを送りません。\n"
        ),
        "mail_reply_subject": "[{site}] {author}さんがあなたのコメントに返信しました",
        "mail_reply_body": (
            "「{title}」のあなたのコメントに{author}さんが返信しました。\n\n{quote}\n\n"
            "続きを読む:\n{link}\n\n通知の配信停止:\n{unsubscribe}\n"
        ),
        "mail_waiting_subject": "[{site}] 承認待ちのコメントが{count}件あります",
        "mail_waiting_body": "承認待ちのコメントが{count}件あります。\n\n{listing}\n\n{moderate}\n",
        "mail_waiting_item": "- {author}さん「{title}」({when}): {quote}",
        "mail_waiting_more": "- ほか{count}件",
        "mail_test_subject": "[{site}] コメントサービスのテストメール",
        "mail_test_body": "{site} のコメントサービスは {server} 経由でメールを送れます。\n",
        "edit_not_waiting": (
            "コメント#{row}は{status}です。承認待ちのコメントは番号で、公開済みのコメントは"
            "リンクで編集します。"
        ),
        "edited_waiting": "コメント#{row}を編集しました。引き続き判断を待っています。",
        "edited_published": (
            "{file} のコメント{comment}を編集しました(ページには管理人が編集したと表示されます)。"
            "サイトを公開し直します。"
        ),
        "not_edited": "コメントは編集されませんでした: {detail}",
    },
}

FIELDS: dict[str, dict[str, str]] = {
    "en": {
        "article": "article",
        "parent": "comment replied to",
        "author": "name",
        "email": "email address",
        "url": "web site",
        "body": "comment",
    },
    "ja": {
        "article": "記事",
        "parent": "返信先",
        "author": "名前",
        "email": "メールアドレス",
        "url": "ウェブサイト",
        "body": "コメント",
    },
}

STATUS_WORDS: dict[str, dict[str, str]] = {
    "en": {
        "pending": "waiting",
        "approving": "being approved",
        "approved": "approved",
        "rejected": "rejected",
        "spam": "marked as spam",
        "removed": "removed",
    },
    "ja": {
        "pending": "承認待ち",
        "approving": "承認中",
        "approved": "承認済み",
        "rejected": "却下",
        "spam": "スパム",
        "removed": "削除済み",
    },
}


def say(language: str, key: str, **values: object) -> str:
    """The message `key` with its values, in `language` (English for one not known)."""
    language = language if language in MESSAGES else "en"
    if "field" in values:
        values["field"] = FIELDS[language].get(str(values["field"]), values["field"])
    if "status" in values:
        values["status"] = STATUS_WORDS[language].get(str(values["status"]), values["status"])
    return MESSAGES[language][key].format(**values)


class Said(Exception):
    """A message of MESSAGES with its values, put into words where it is shown."""

    def __init__(self, key: str, **values: object) -> None:
        super().__init__(key)
        self.key, self.values = key, values

    def words(self, language: str) -> str:
        return say(language, self.key, **self.values)

    def __str__(self) -> str:
        return self.words("en")
