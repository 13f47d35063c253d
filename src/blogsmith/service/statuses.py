"""A comment's life in the service's database: waiting (pending), being approved (its id in
the file reserved), approved (in its article's file), rejected, spam, or removed (taken down
after publication, what the reader typed erased)."""

PENDING, APPROVING, APPROVED, REJECTED, SPAM, REMOVED = (
    "pending approving approved rejected spam removed".split()
)
READER_WAITING = (PENDING, SPAM)
"""What a reader is told still waits: a spam verdict is never revealed to its sender (a
spammer learns nothing from how their comment was judged)."""
