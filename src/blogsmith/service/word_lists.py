"""The site's word lists for comments (`comments.blocked_words`, `comments.held_words`),
matched after the folding the search uses (NFKC, so full-width letters and half-width kana
are the plain ones, and case): ｶｼﾞﾉ and ＶＩＡＧＲＡ are カジノ and viagra.

A word of Latin letters and digits matches as a whole word (viagra, not the "ass" in class);
anything else, Japanese above all, which has no spaces between words, matches anywhere.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from blogsmith.output.search.terms import normalize
from blogsmith.service.submissions import Submission

_WORDLIKE = re.compile(r"[a-z0-9]+(?:[ '\-][a-z0-9]+)*")


def _pattern(words: tuple[str, ...]) -> re.Pattern | None:
    parts = []
    for word in sorted({normalize(word).strip() for word in words}, key=len, reverse=True):
        escaped = re.escape(word)
        whole = _WORDLIKE.fullmatch(word) is not None
        parts.append(rf"(?<![a-z0-9]){escaped}(?![a-z0-9])" if whole else escaped)
    return re.compile("|".join(parts)) if parts else None


@dataclass(frozen=True)
class WordLists:
    blocked: re.Pattern | None
    held: re.Pattern | None

    @classmethod
    def of(cls, blocked: tuple[str, ...], held: tuple[str, ...]) -> WordLists:
        return cls(_pattern(blocked), _pattern(held))

    def blocked_in(self, submission: Submission) -> str | None:
        """The first blocked word the comment holds (in any field a reader typed)."""
        return _found(self.blocked, submission)

    def held_in(self, submission: Submission) -> str | None:
        return _found(self.held, submission)


def _found(pattern: re.Pattern | None, submission: Submission) -> str | None:
    if pattern is None:
        return None
    typed = "\n".join((submission.author, submission.email, submission.url, submission.body))
    match = pattern.search(normalize(typed))
    return match.group(0) if match else None
