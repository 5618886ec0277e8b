"""Shared support of the comparison tests: Tern's tools side by side with mosquitto's.

Each test runs tern_pub, tern_sub or tern_rr and the mosquitto tool of the same name with the same
arguments against one real `tern` broker (tests/interop/interop_broker.py, imported, not copied)
and compares what they do: the bytes a subscriber prints, what a subscriber sees of what a
publisher sent, exit codes, the first line of an error.

Tool paths come from the environment: TERN_PUB, TERN_SUB and TERN_RR (set by CTest; pointing them
at mosquitto's own tools must make every test pass, which shows the tests are deterministic) and
TERN_BINARY for the broker. A test is skipped when a tool's file does not exist yet.

Subscribers are started with an explicit client id; the broker, run with -v, logs "ID QOS FILTER"
for each subscription, and the tests publish only once every subscriber's last filter is in the
log. Every process runs under a timeout; nothing touches the network beyond 127.0.0.1.
"""

import os
import re
import shutil
import subprocess
import sys
import time
import unittest

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(os.path.dirname(os.path.dirname(HERE)), "interop"))

from interop_broker import Broker, HOST, wait_until  # noqa: E402

PROCESS_TIMEOUT = 15  # seconds for any one client process
SUBSCRIBE_WAIT = 10.0  # seconds for a subscriber's subscriptions to reach the broker

MOSQUITTO = {"pub": "mosquitto_pub", "sub": "mosquitto_sub", "rr": "mosquitto_rr"}
TERN_ENV = {"pub": "TERN_PUB", "sub": "TERN_SUB", "rr": "TERN_RR"}


def mosquitto_tool(kind):
    path = shutil.which(MOSQUITTO[kind])
    if path is None:
        raise unittest.SkipTest("%s is not installed (Debian: mosquitto-clients)" % MOSQUITTO[kind])
    return path


def tern_tool(kind):
    path = os.environ.get(TERN_ENV[kind])
    if not path:
        raise unittest.SkipTest("%s is not set" % TERN_ENV[kind])
    if not os.path.exists(path):
        raise unittest.SkipTest("%s does not exist yet" % path)
    return path


def tools(kind):
    """The pair (mosquitto's tool, Tern's tool) to compare; skips the test when one is missing."""
    return mosquitto_tool(kind), tern_tool(kind)


def start_broker(config_lines=()):
    return Broker(["allow_anonymous true"] + list(config_lines)).start()


_counter = [0]


def unique(prefix):
    """A name no other test of this run uses (client ids, topics)."""
    _counter[0] += 1
    return "%s-%d-%d" % (prefix, os.getpid(), _counter[0])


def connection(broker):
    return ["-h", HOST, "-p", str(broker.port)]


def run(cmd, stdin=None, timeout=PROCESS_TIMEOUT):
    """Runs a process to completion; returns the CompletedProcess (bytes)."""
    return subprocess.run(cmd, input=stdin, capture_output=True, timeout=timeout)


def run_ok(cmd, stdin=None):
    done = run(cmd, stdin=stdin)
    if done.returncode != 0:
        raise AssertionError("%s exited with %d: %r" % (cmd, done.returncode, done.stderr))
    return done


def neutral(text, names=("mosquitto_pub", "mosquitto_sub", "mosquitto_rr", "tern_pub",
                         "tern_sub", "tern_rr")):
    """Output with the tools' own names replaced, so that two tools' messages compare."""
    for name in names:
        text = text.replace(name.encode(), b"TOOL")
    return text


def first_line(data):
    """The first line that is not empty (mosquitto_sub puts a blank line before some errors)."""
    return data.lstrip(b"\n").split(b"\n", 1)[0]


class Process:
    """A client process running in the background with its output collected in files."""

    def __init__(self, cmd, stdin=None, tmpdir=None):
        self.cmd = cmd
        self._result = None
        self._out = open(os.path.join(tmpdir, unique("out")), "w+b")
        self._err = open(os.path.join(tmpdir, unique("err")), "w+b")
        self.process = subprocess.Popen(cmd, stdin=subprocess.PIPE if stdin is not None else
                                        subprocess.DEVNULL, stdout=self._out, stderr=self._err)
        if stdin is not None:
            self.process.stdin.write(stdin)
            self.process.stdin.close()

    def running(self):
        return self.process.poll() is None

    def finish(self, timeout=PROCESS_TIMEOUT):
        """Waits for the exit (killing the process after `timeout`); (returncode, out, err)."""
        if self._result is not None:
            return self._result
        try:
            self.process.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()
        self._out.seek(0)
        self._err.seek(0)
        out, err = self._out.read(), self._err.read()
        self._out.close()
        self._err.close()
        self._result = (self.process.returncode, out, err)
        return self._result

    def kill(self):
        if self.running():
            self.process.kill()
        return self.finish()


def wait_subscribed(test, broker, subscribers, processes=(), timeout=SUBSCRIBE_WAIT):
    """Waits until the broker logged each (client id, filter); fails the test otherwise.

    `subscribers` maps client id to its last filter (the one the log shows last). When one of
    `processes` exits first, the wait ends at once and the failure shows what it printed."""
    patterns = {cid: re.compile(r"(^|\s)%s \d+ %s$" % (re.escape(cid), re.escape(flt)),
                                re.MULTILINE)
                for cid, flt in subscribers.items()}

    def all_logged():
        log = broker.log()
        return all(p.search(log) for p in patterns.values())

    def done():
        return all_logged() or any(not p.running() for p in processes)

    wait_until(done, timeout, 0.02)
    if all_logged():
        return
    log = broker.log()
    missing = [cid for cid, p in patterns.items() if not p.search(log)]
    exited = [(p.cmd, p.finish(0)) for p in processes if not p.running()]
    test.fail("no subscription from %s within %.0f s; exited early: %r; broker log tail:\n%s" %
              (missing, timeout, exited, log[-3000:]))


def clear_retained(broker, topic):
    run_ok([mosquitto_tool("pub")] + connection(broker) + ["-t", topic, "-r", "-n"])


def sleep_briefly():
    """Lets a broker finish delivering before the next step (only where nothing can be awaited)."""
    time.sleep(0.2)
