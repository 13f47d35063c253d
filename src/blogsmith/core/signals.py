"""How the long-running commands (`serve`, `comments serve`) are stopped: Ctrl-C or SIGTERM
(systemd's stop, a CI runner's), either way cleanly, through KeyboardInterrupt.

SIGINT is set explicitly: a process started in the background by a script inherits it
ignored, and would then outlive the Ctrl-C a test or a supervisor sends it."""

from __future__ import annotations

import signal


def _interrupt(signum, frame) -> None:
    raise KeyboardInterrupt


def stop_on_interrupt_or_term() -> None:
    signal.signal(signal.SIGINT, _interrupt)
    signal.signal(signal.SIGTERM, _interrupt)
