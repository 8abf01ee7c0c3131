"""Runs a program in a new pseudo-terminal, waits until it has printed TEXT and then one second
more (a frame drawn), then hangs the terminal up (closes the pty's master side, as
a dropped SSH connection does) and waits for the program to end.

    hangup.py SECONDS TEXT PROGRAM [ARG...]

Prints one line: `exit CODE` or `signal N` once the program ended, or `running` if it was still
running SECONDS after the hang-up (it is then killed). Exits 2 if TEXT never showed.
"""

import os
import pty
import select
import signal
import sys
import time


def main() -> None:
    limit, text, argv = float(sys.argv[1]), sys.argv[2].encode(), sys.argv[3:]
    pid, fd = pty.fork()
    if pid == 0:
        os.execvp(argv[0], argv)
    seen = b""
    deadline = time.monotonic() + 30
    while True:
        if text in seen:
            deadline = min(deadline, time.monotonic() + 1)
        left = deadline - time.monotonic()
        ready, _, _ = select.select([fd], [], [], max(left, 0))
        if not ready and text in seen:
            break
        if not ready:
            os.kill(pid, signal.SIGKILL)
            print(f"{text.decode()!r} never showed", file=sys.stderr)
            sys.exit(2)
        try:
            seen += os.read(fd, 65536)
        except OSError:
            break
    os.close(fd)
    deadline = time.monotonic() + limit
    while time.monotonic() < deadline:
        done, status = os.waitpid(pid, os.WNOHANG)
        if done:
            if os.WIFSIGNALED(status):
                print(f"signal {os.WTERMSIG(status)}")
            else:
                print(f"exit {os.WEXITSTATUS(status)}")
            return
        time.sleep(0.05)
    os.kill(pid, signal.SIGKILL)
    os.waitpid(pid, 0)
    print("running")


if __name__ == "__main__":
    main()
