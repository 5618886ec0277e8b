"""Shared support of the interop tests: the real `tern` binary in a child process.

Broker writes a configuration (`listener PORT 127.0.0.1` plus the lines a test asks for) into
its own temporary directory, starts `$TERN_BINARY -c FILE -v` with stderr captured to a file
there, waits (bounded polling) until the port accepts connections, and on stop() sends SIGTERM
and raises AssertionError when the broker did not exit within 5 s, exited non-zero, or printed a
sanitizer report. Nothing here touches the network beyond 127.0.0.1.
"""

import os
import shutil
import signal
import socket
import subprocess
import tempfile
import time

HOST = "127.0.0.1"
TESTS_DIR = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
PASSWORD_FILE = os.path.join(TESTS_DIR, "auth", "data", "mosquitto_passwd.txt")

START_TIMEOUT = 10.0  # seconds for the broker to accept connections
STOP_TIMEOUT = 5.0  # seconds for the broker to exit after SIGTERM
SANITIZER_MARKERS = ("AddressSanitizer", "runtime error:", "LeakSanitizer",
                     "ThreadSanitizer")


def tern_binary():
    path = os.environ.get("TERN_BINARY")
    if not path:
        raise RuntimeError("TERN_BINARY is not set: run the tests through ctest, or set it to "
                           "the path of the tern binary")
    if not os.access(path, os.X_OK):
        raise RuntimeError("TERN_BINARY=%s is not an executable file" % path)
    return path


def free_port():
    """A loopback port that was free a moment ago (bind to port 0 and let the kernel choose)."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind((HOST, 0))
        return s.getsockname()[1]


def wait_until(predicate, timeout, interval=0.02):
    """Polls predicate() until it is true or `timeout` seconds have passed; returns its value."""
    deadline = time.monotonic() + timeout
    while True:
        value = predicate()
        if value or time.monotonic() >= deadline:
            return value
        time.sleep(interval)


class Broker:
    def __init__(self, config_lines=(), copy_password_file=False, verbose=True):
        self.dir = tempfile.mkdtemp(prefix="tern-interop-")
        self.port = free_port()
        lines = ["listener %d %s" % (self.port, HOST)]
        if copy_password_file:
            self.password_file = os.path.join(self.dir, "passwd")
            shutil.copyfile(PASSWORD_FILE, self.password_file)
            lines.append("password_file %s" % self.password_file)
        lines.extend(config_lines)
        self.config_path = os.path.join(self.dir, "tern.conf")
        with open(self.config_path, "w") as f:
            f.write("\n".join(lines) + "\n")
        self.log_path = os.path.join(self.dir, "stderr.log")
        self.verbose = verbose
        self.process = None

    def start(self):
        args = [tern_binary(), "-c", self.config_path]
        if self.verbose:
            args.append("-v")
        self._log_file = open(self.log_path, "wb")
        self.process = subprocess.Popen(args, stdin=subprocess.DEVNULL, stdout=self._log_file,
                                        stderr=subprocess.STDOUT, cwd=self.dir)
        if not wait_until(self._accepts, START_TIMEOUT, 0.05):
            self._kill()
            raise AssertionError("tern did not accept connections on %s:%d within %.0f s; "
                                 "log:\n%s" % (HOST, self.port, START_TIMEOUT, self.log()))
        return self

    def _accepts(self):
        if self.process.poll() is not None:
            raise AssertionError("tern exited with status %s at start; log:\n%s" %
                                 (self.process.returncode, self.log()))
        try:
            with socket.create_connection((HOST, self.port), timeout=0.5):
                return True
        except OSError:
            return False

    def log(self):
        try:
            with open(self.log_path, "rb") as f:
                return f.read().decode("utf-8", "replace")
        except OSError:
            return ""

    def alive(self):
        return self.process is not None and self.process.poll() is None

    def _kill(self):
        if self.process is not None and self.process.poll() is None:
            self.process.kill()
            self.process.wait(timeout=STOP_TIMEOUT)
        self._log_file.close()

    def stop(self):
        """SIGTERM, then checks the exit and the log; removes the directory when all is well."""
        if self.process is None:
            return
        problems = []
        if self.process.poll() is not None:
            problems.append("tern had already exited (status %s) before SIGTERM" %
                            self.process.returncode)
        else:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(timeout=STOP_TIMEOUT)
            except subprocess.TimeoutExpired:
                problems.append("tern did not exit within %.0f s of SIGTERM" % STOP_TIMEOUT)
                self.process.kill()
                self.process.wait(timeout=STOP_TIMEOUT)
            else:
                if self.process.returncode != 0:
                    problems.append("tern exited with status %d after SIGTERM" %
                                    self.process.returncode)
        self._log_file.close()
        log = self.log()
        for marker in SANITIZER_MARKERS:
            if marker in log:
                problems.append("tern's log contains %r" % marker)
        self.process = None
        if problems:
            tail = log[-20000:]
            raise AssertionError("; ".join(problems) + "\nlog (%s):\n%s" % (self.log_path, tail))
        shutil.rmtree(self.dir, ignore_errors=True)
