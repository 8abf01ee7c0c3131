"""A program in a pseudo-terminal for the benchmarks: keys in, the screen out, with the time
(from just before the fork) at which each thing first appeared.

The screen is kept by a minimal terminal emulator that understands what ratatui's crossterm
backend writes (cursor moves, erases, colours, the alternate screen): enough to tell what text is
on screen, which a search of the raw bytes cannot (a frame only rewrites the cells that changed,
so a name can be drawn in pieces). Standard library only.
"""

import codecs
import errno
import fcntl
import os
import re
import select
import signal
import struct
import termios
import time

# ESC [ params intermediates final | ESC ] ... BEL/ST | ESC one-char
_SEQ = re.compile(
    r"\x1b\[([0-9;?<=>]*)([ -/]*)([@-~])"
    r"|\x1b\][^\x07\x1b]*(?:\x07|\x1b\\)"
    r"|\x1b[()*+][0-9A-Za-z]"
    r"|\x1b[^\[\]]"
)


class Screen:
    """A grid of `rows` x `cols` characters that terminal output is drawn on."""

    def __init__(self, rows, cols):
        self.rows, self.cols = rows, cols
        self.grid = [[" "] * cols for _ in range(rows)]
        self.r = self.c = 0
        self._pending = ""
        self._utf8 = codecs.getincrementaldecoder("utf-8")("replace")

    def feed(self, raw):
        # An incomplete UTF-8 character or escape sequence waits for the next read.
        data = self._pending + self._utf8.decode(raw)
        self._pending = ""
        cut = data.rfind("\x1b")
        if cut != -1 and not _SEQ.match(data, cut) and len(data) - cut < 64:
            data, self._pending = data[:cut], data[cut:]
        i = 0
        while i < len(data):
            m = _SEQ.search(data, i)
            end = m.start() if m else len(data)
            text = data[i:end]
            if text:
                self._text(text)
            if not m:
                break
            self._escape(m)
            i = m.end()

    def _text(self, s):
        for ch in s:
            if ch == "\r":
                self.c = 0
            elif ch == "\n":
                self.r = min(self.r + 1, self.rows - 1)
            elif ch == "\b":
                self.c = max(self.c - 1, 0)
            elif ch < " " or ch == "\x7f":
                pass
            else:
                if self.c >= self.cols:
                    self.c = 0
                    self.r = min(self.r + 1, self.rows - 1)
                self.grid[self.r][self.c] = ch
                self.c += 1

    def _escape(self, m):
        if m.group(3) is None:
            return  # OSC, charset or a one-character escape: nothing drawn
        params, final = m.group(1), m.group(3)
        if params.startswith("?"):
            if params in ("?1049h", "?1049l", "?47h", "?47l") and final in "hl":
                self._clear_all()
            return
        nums = [int(p) if p.isdigit() else 0 for p in params.split(";")] if params else []

        def n(i, default):
            return nums[i] if len(nums) > i and nums[i] else default

        if final in "Hf":
            self.r = min(n(0, 1), self.rows) - 1
            self.c = min(n(1, 1), self.cols) - 1
        elif final == "A":
            self.r = max(self.r - n(0, 1), 0)
        elif final == "B":
            self.r = min(self.r + n(0, 1), self.rows - 1)
        elif final == "C":
            self.c = min(self.c + n(0, 1), self.cols - 1)
        elif final == "D":
            self.c = max(self.c - n(0, 1), 0)
        elif final == "G":
            self.c = min(n(0, 1), self.cols) - 1
        elif final == "d":
            self.r = min(n(0, 1), self.rows) - 1
        elif final == "J":
            mode = n(0, 0)
            if mode in (2, 3):
                self._clear_all()
            elif mode == 0:
                self.grid[self.r][self.c :] = [" "] * (self.cols - self.c)
                for row in range(self.r + 1, self.rows):
                    self.grid[row] = [" "] * self.cols
        elif final == "K":
            mode = n(0, 0)
            if mode == 0:
                self.grid[self.r][self.c :] = [" "] * (self.cols - self.c)
            elif mode == 2:
                self.grid[self.r] = [" "] * self.cols

    def _clear_all(self):
        self.grid = [[" "] * self.cols for _ in range(self.rows)]

    def text(self):
        return "\n".join("".join(row).rstrip() for row in self.grid)


class Pty:
    """`argv` running in a `cols` x `rows` pseudo-terminal with environment `env`.

    `started` is `time.perf_counter()` just before the fork; every time this class reports is
    relative to it.
    """

    def __init__(self, argv, env, cols=80, rows=24, cwd=None):
        self.screen = Screen(rows, cols)
        self.raw = bytearray()
        self.first_output = None
        self.closed = False
        self.status = None
        self.rusage = None
        self.started = time.perf_counter()
        pid, fd = os.forkpty()
        if pid == 0:  # the child: exec, or exit 127
            try:
                if cwd:
                    os.chdir(cwd)
                os.execve(argv[0], argv, env)
            finally:
                os._exit(127)
        self.pid, self.fd = pid, fd
        fcntl.ioctl(fd, termios.TIOCSWINSZ, struct.pack("HHHH", rows, cols, 0, 0))

    def elapsed(self):
        return time.perf_counter() - self.started

    def _read(self, timeout):
        """Reads what is there within `timeout` seconds; False once the program has gone."""
        if self.closed:
            return False
        ready, _, _ = select.select([self.fd], [], [], max(timeout, 0))
        if not ready:
            return True
        try:
            data = os.read(self.fd, 65536)
        except OSError as e:
            if e.errno == errno.EIO:
                self.closed = True
                return False
            raise
        if not data:
            self.closed = True
            return False
        if self.first_output is None:
            self.first_output = self.elapsed()
        self.raw += data
        self.screen.feed(data)
        return True

    def pump(self, timeout):
        """Reads (and draws) whatever output comes within `timeout` seconds."""
        self._read(timeout)

    def wait_until(self, what, check, timeout=30.0):
        """Reads until `check(screen text)` holds; returns the time (since the fork) it first did."""
        deadline = time.perf_counter() + timeout
        while True:
            if check(self.screen.text()):
                return self.elapsed()
            left = deadline - time.perf_counter()
            if left <= 0:
                raise TimeoutError(f"{what} not seen in {timeout:.0f} s; the screen:\n{self.screen.text()}")
            if not self._read(min(left, 0.5)):
                if check(self.screen.text()):
                    return self.elapsed()
                raise RuntimeError(f"the program ended before {what}; the screen:\n{self.screen.text()}")

    def wait_for(self, text, timeout=30.0):
        return self.wait_until(repr(text), lambda s: text in s, timeout)

    def send(self, keys):
        os.write(self.fd, keys.encode() if isinstance(keys, str) else keys)

    def hwm_kib(self):
        """Peak resident set size so far (VmHWM), in KiB."""
        with open(f"/proc/{self.pid}/status") as f:
            for line in f:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1])
        return None

    def finish(self, keys=b"\x03", timeout=5.0):
        """Types `keys` (Ctrl-C), drains the output until the program exits (killing it after
        `timeout`), reaps it and keeps its rusage."""
        if self.status is None:
            try:
                self.send(keys)
            except OSError:
                pass
            deadline = time.perf_counter() + timeout
            while time.perf_counter() < deadline:
                pid, status, ru = os.wait4(self.pid, os.WNOHANG)
                if pid:
                    self.status, self.rusage = status, ru
                    break
                self._read(0.05)
            else:
                os.kill(self.pid, signal.SIGKILL)
                _, self.status, self.rusage = os.wait4(self.pid, 0)
        try:
            os.close(self.fd)
        except OSError:
            pass
        return self.status

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        if self.status is None:
            try:
                os.kill(self.pid, signal.SIGKILL)
            except ProcessLookupError:
                pass
            _, self.status, self.rusage = os.wait4(self.pid, 0)
            try:
                os.close(self.fd)
            except OSError:
                pass
