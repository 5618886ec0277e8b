"""Interop: tern with Mosquitto's command line clients (Debian mosquitto-clients 2.0.x).

One broker for the module, with `sys_interval 1`. mosquitto_sub cannot tell when its
subscription is in place, so every subscriber also subscribes (in the same SUBSCRIBE packet) to
a private "sync" topic holding a retained message: once that message shows up on its output,
all its subscriptions are active and the test may publish. Every client runs with a timeout
(-W and subprocess timeouts), so a broker that does not answer fails the test instead of
hanging it.
"""

import os
import queue
import re
import shutil
import signal
import subprocess
import tempfile
import threading
import time
import unittest

from interop_broker import Broker, HOST

BROKER = None
PROCESS_TIMEOUT = 10  # seconds for any one client process
LINE_WAIT = 5.0  # seconds to wait for a line that should come


def setUpModule():
    global BROKER
    for tool in ("mosquitto_pub", "mosquitto_sub"):
        if shutil.which(tool) is None:
            raise unittest.SkipTest("%s is not installed (Debian: mosquitto-clients)" % tool)
    BROKER = Broker(["allow_anonymous true", "sys_interval 1"]).start()


def tearDownModule():
    global BROKER
    broker, BROKER = BROKER, None
    if broker is not None:
        broker.stop()


def connection_args(version=None, broker=None):
    """broker: this module's BROKER unless given (test_mosquitto_v5 passes its own)."""
    args = ["-h", HOST, "-p", str((broker or BROKER).port)]
    if version is not None:
        args += ["-V", version]
    return args


def pub(*args, version=None, stdin=None, broker=None):
    """Runs mosquitto_pub to completion; fails unless it exits 0."""
    cmd = ["mosquitto_pub"] + connection_args(version, broker) + list(args)
    done = subprocess.run(cmd, input=stdin, capture_output=True, timeout=PROCESS_TIMEOUT)
    if done.returncode != 0:
        raise AssertionError("%s exited with %d: %s" %
                             (" ".join(cmd), done.returncode, done.stderr.decode(errors="replace")))


class Sub:
    """A mosquitto_sub process (or another `tool` that prints messages, such as mosquitto_rr)
    whose stdout lines are collected by a reader thread."""

    def __init__(self, test, *args, count=None, wait=8, version=None, sync=True, raw=False,
                 tool="mosquitto_sub", broker=None, sync_version=None):
        """count: -C, not counting the sync message; wait: -W in seconds; broker: this
        module's BROKER unless given; sync_version: -V of the sync message's publisher."""
        self.broker = broker
        self.sync_version = sync_version
        self.sync_topic = None
        cmd = [tool] + connection_args(version, broker) + list(args) + ["-W", str(wait)]
        if count is not None:
            cmd += ["-C", str(count + (1 if sync else 0))]
        if sync:
            self.sync_topic = "sync/%s/%d" % (test.id(), len(test.subs))
            pub("-t", self.sync_topic, "-m", "sync", "-r", "-q", "1", version=sync_version,
                broker=broker)
            cmd += ["-t", self.sync_topic]
        self.cmd = cmd
        self.raw = raw
        self.lines = queue.Queue()
        self.output = []  # every line, as received
        self.process = subprocess.Popen(cmd, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                                        stderr=subprocess.PIPE)
        self._reader = threading.Thread(target=self._read, daemon=True)
        self._reader.start()
        test.subs.append(self)

    def _read(self):
        stream = self.process.stdout
        if self.raw:
            data = stream.read()
            self.output.append(data)
            self.lines.put(data)
        else:
            for line in stream:
                line = line.decode("utf-8", "replace").rstrip("\n")
                self.output.append(line)
                self.lines.put(line)
        self.lines.put(None)  # end of output

    def next_line(self, timeout=LINE_WAIT):
        try:
            line = self.lines.get(timeout=timeout)
        except queue.Empty:
            raise AssertionError("%s printed nothing within %.0f s" %
                                 (" ".join(self.cmd), timeout)) from None
        if line is None:
            raise AssertionError("%s ended early; stderr: %s; output %r" %
                                 (" ".join(self.cmd), self.stderr(), self.output))
        return line

    def expect_no_line(self, quiet):
        """Fails if a line comes within `quiet` seconds."""
        try:
            line = self.lines.get(timeout=quiet)
        except queue.Empty:
            return
        raise AssertionError("%s printed %r too early" % (" ".join(self.cmd), line))

    def wait_subscribed(self):
        """Waits for the retained sync message; returns the line (format depends on args)."""
        line = self.next_line()
        if "sync" not in line:
            raise AssertionError("expected the sync message first, got %r" % line)
        return line

    def wait_line(self, predicate, timeout=LINE_WAIT):
        """Returns the lines read until (and including) the first for which predicate holds."""
        deadline = time.monotonic() + timeout
        seen = []
        while True:
            line = self.next_line(max(0.0, deadline - time.monotonic()))
            seen.append(line)
            if predicate(line):
                return seen

    def finish(self, expect_rc=0):
        """Waits for the process to exit by itself (-C/-W); returns the remaining lines."""
        try:
            rc = self.process.wait(timeout=PROCESS_TIMEOUT)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()
            raise AssertionError("%s did not exit" % " ".join(self.cmd)) from None
        self._reader.join(timeout=PROCESS_TIMEOUT)
        rest = []
        while True:
            line = self.lines.get_nowait() if not self.lines.empty() else None
            if line is None:
                break
            rest.append(line)
        if expect_rc is not None and rc != expect_rc:
            raise AssertionError("%s exited with %d (expected %d); stderr: %s" %
                                 (" ".join(self.cmd), rc, expect_rc, self.stderr()))
        return rest

    def kill(self):
        """SIGKILL: the connection ends without DISCONNECT (the will goes out)."""
        self.process.send_signal(signal.SIGKILL)
        self.process.wait(timeout=PROCESS_TIMEOUT)

    def stderr(self):
        if self.process.poll() is None:
            return "(still running)"
        return self.process.stderr.read().decode("utf-8", "replace")

    def stop(self):
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(timeout=PROCESS_TIMEOUT)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        self._reader.join(timeout=PROCESS_TIMEOUT)
        for stream in (self.process.stdout, self.process.stderr):
            stream.close()
        if self.sync_topic is not None:
            pub("-t", self.sync_topic, "-n", "-r", "-q", "1", version=self.sync_version,
                broker=self.broker)
            self.sync_topic = None


# mosquitto_sub's exit status when -W timed out before -C messages arrived.
SUB_TIMED_OUT = 27


class MosquittoClientTests(unittest.TestCase):
    def setUp(self):
        self.subs = []
        self.root = "mc/" + self._testMethodName

    def tearDown(self):
        for s in self.subs:
            s.stop()
        self.assertTrue(BROKER.alive(), "tern died during the test; log:\n" + BROKER.log())

    def t(self, suffix):
        return self.root + "/" + suffix

    def test_several_messages_count_and_timeout(self):
        s = Sub(self, "-t", self.t("msgs"), count=5, wait=8)
        s.wait_subscribed()
        for payload in ("one", "two", "three"):
            pub("-t", self.t("msgs"), "-m", payload)
        # -l: one message per line of stdin, over one connection.
        pub("-t", self.t("msgs"), "-l", stdin=b"four\nfive\n")
        self.assertEqual(s.finish(), ["one", "two", "three", "four", "five"])

    def test_timeout_without_messages(self):
        s = Sub(self, "-t", self.t("silence"), count=1, wait=1, sync=False)
        started = time.monotonic()
        self.assertEqual(s.finish(expect_rc=SUB_TIMED_OUT), [])
        self.assertLess(time.monotonic() - started, 5)

    def test_wildcards_verbose_output(self):
        plus = Sub(self, "-v", "-t", self.t("+/temperature"), count=3, wait=8)
        hash_ = Sub(self, "-v", "-t", self.t("house/#"), count=5, wait=8)
        both = Sub(self, "-v", "-t", self.t("+/+/light"), "-t", self.t("garden/#"),
                   count=3, wait=8)
        for s in (plus, hash_, both):
            s.wait_subscribed()
        messages = [
            ("kitchen/temperature", "21.5"),
            ("house", "root"),
            ("house/hall/light", "on"),
            ("garden/temperature", "12"),
            ("house/hall/temperature", "20"),
            ("house/kitchen", "door open"),
            ("house/", "empty last level"),
            ("garden", "g"),
            ("/temperature", "-1"),
        ]
        for topic, payload in messages:
            pub("-t", self.t(topic), "-m", payload, "-q", "1")
        self.assertEqual(plus.finish(), [
            self.t("kitchen/temperature") + " 21.5",
            self.t("garden/temperature") + " 12",
            self.t("/temperature") + " -1",
        ])
        self.assertEqual(hash_.finish(), [
            self.t("house") + " root",
            self.t("house/hall/light") + " on",
            self.t("house/hall/temperature") + " 20",
            self.t("house/kitchen") + " door open",
            self.t("house/") + " empty last level",
        ])
        self.assertEqual(both.finish(), [
            self.t("house/hall/light") + " on",
            self.t("garden/temperature") + " 12",
            self.t("garden") + " g",
        ])

    def test_retained(self):
        topic = self.t("status")
        pub("-t", topic, "-m", "first", "-r", "-q", "1")
        pub("-t", topic, "-m", "second", "-r", "-q", "1")
        # A new subscriber gets the last retained message, flagged as retained (%r).
        s = Sub(self, "-t", topic, "-F", "%r %q %t %p", "-q", "1", count=1, wait=5,
                sync=False)
        self.assertEqual(s.finish(), ["1 1 %s second" % topic])
        # The retained message tells us this one is subscribed; a live message then comes
        # with RETAIN 0 [MQTT-3.3.1-9].
        live = Sub(self, "-t", topic, "-F", "%r %t %p", count=2, wait=5, sync=False)
        self.assertEqual(live.next_line(), "1 %s second" % topic)
        pub("-t", topic, "-m", "third", "-r")
        self.assertEqual(live.finish(), ["0 %s third" % topic])
        s = Sub(self, "-t", topic, count=1, wait=5, sync=False)
        self.assertEqual(s.finish(), ["third"])
        # -n -r: a zero-length retained message clears it.
        pub("-t", topic, "-n", "-r", "-q", "1")
        s = Sub(self, "-t", topic, count=1, wait=1, sync=False)
        self.assertEqual(s.finish(expect_rc=SUB_TIMED_OUT), [])

    def test_retained_with_wildcard_subscription(self):
        for room, value in (("a", "1"), ("b", "2"), ("c/d", "3")):
            pub("-t", self.t("rooms/" + room), "-m", value, "-r", "-q", "1")
        s = Sub(self, "-t", self.t("rooms/+"), "-v", count=2, wait=5, sync=False)
        self.assertEqual(sorted(s.finish()),
                         [self.t("rooms/a") + " 1", self.t("rooms/b") + " 2"])
        s = Sub(self, "-t", self.t("rooms/#"), "-v", "--retained-only", wait=2,
                sync=False)
        self.assertEqual(sorted(s.finish(expect_rc=None)),
                         [self.t("rooms/a") + " 1", self.t("rooms/b") + " 2",
                          self.t("rooms/c/d") + " 3"])
        for room in ("a", "b", "c/d"):
            pub("-t", self.t("rooms/" + room), "-n", "-r", "-q", "1")

    def test_qos_levels(self):
        for sub_qos in ("0", "1", "2"):
            with self.subTest(sub_qos=sub_qos):
                topic = self.t("q" + sub_qos)
                s = Sub(self, "-t", topic, "-q", sub_qos, "-F", "%q %p", count=3, wait=8)
                s.wait_subscribed()
                for pub_qos in ("0", "1", "2"):
                    pub("-t", topic, "-q", pub_qos, "-m", "published at " + pub_qos)
                self.assertEqual(s.finish(), [
                    "%d published at %s" % (min(int(sub_qos), int(p)), p)
                    for p in ("0", "1", "2")])

    def test_protocol_versions(self):
        for sub_v in ("31", "311"):
            for pub_v in ("31", "311"):
                with self.subTest(sub=sub_v, pub=pub_v):
                    topic = self.t("v%s-%s" % (sub_v, pub_v))
                    s = Sub(self, "-t", topic, "-q", "2", "-v", count=2, wait=8,
                            version=sub_v)
                    s.wait_subscribed()
                    pub("-t", topic, "-q", "1", "-m", "hello from " + pub_v, version=pub_v)
                    pub("-t", topic, "-q", "2", "-m", "bye from " + pub_v, version=pub_v)
                    self.assertEqual(s.finish(), [topic + " hello from " + pub_v,
                                                  topic + " bye from " + pub_v])

    def test_binary_payload_from_file(self):
        tmp = tempfile.mkdtemp(prefix="tern-interop-mc-")
        self.addCleanup(shutil.rmtree, tmp, True)
        for name, data in (("binary", bytes(range(256)) * 4),
                           ("64KiB", bytes((i * 31 + 7) & 0xFF for i in range(64 * 1024)))):
            with self.subTest(payload=name):
                path = os.path.join(tmp, name)
                with open(path, "wb") as f:
                    f.write(data)
                topic = self.t(name)
                # Retained, so the raw (-N) subscriber needs no sync line in its output.
                pub("-t", topic, "-f", path, "-q", "1", "-r")
                s = Sub(self, "-t", topic, "-N", count=1, wait=5, sync=False, raw=True)
                s.finish()
                self.assertEqual(b"".join(s.output), data)
                pub("-t", topic, "-n", "-r", "-q", "1")

    def test_persistent_session(self):
        client_id = "mc-persistent-%d" % os.getpid()
        topic = self.t("queued")
        # Subscribe with a persistent session (-c) and leave.
        s = Sub(self, "-i", client_id, "-c", "-q", "1", "-t", topic, count=0, wait=5)
        s.wait_subscribed()
        self.assertEqual(s.finish(), [])
        pub("-t", topic, "-q", "1", "-m", "while away 1")
        pub("-t", topic, "-q", "2", "-m", "while away 2")
        # Back: the session's queued messages arrive (at the subscription's QoS 1).
        s = Sub(self, "-i", client_id, "-c", "-q", "1", "-t", topic, "-F", "%q %p",
                count=2, wait=5, sync=False)
        self.assertEqual(s.finish(), ["1 while away 1", "1 while away 2"])
        # Clean session again to drop the stored session.
        Sub(self, "-i", client_id, "-t", topic, wait=1, sync=False).finish(expect_rc=None)

    def test_sys_broker_version(self):
        s = Sub(self, "-t", "$SYS/broker/version", "-v", count=1, wait=5, sync=False)
        lines = s.finish()
        self.assertEqual(len(lines), 1)
        self.assertRegex(lines[0], r"^\$SYS/broker/version \S+ version \d+\.\d+\.\d+")

    def test_sys_uptime_updates(self):
        s = Sub(self, "-t", "$SYS/broker/uptime", "-v", count=3, wait=6, sync=False)
        lines = s.finish()
        seconds = []
        for line in lines:
            m = re.fullmatch(r"\$SYS/broker/uptime (\d+) seconds", line)
            self.assertIsNotNone(m, line)
            seconds.append(int(m.group(1)))
        self.assertEqual(seconds, sorted(seconds), "uptime went backwards")
        self.assertGreater(seconds[-1], seconds[0], "uptime did not advance in 2 updates")

    def test_hash_does_not_receive_sys(self):
        everything = Sub(self, "-t", "#", "-v", wait=10)
        plus = Sub(self, "-t", "+/broker/version", "-t", "+/broker/#", "-v", wait=10)
        everything.wait_line(lambda line: line.startswith("sync/%s/0 " % self.id()))
        plus.wait_subscribed()
        # Let at least one $SYS update go by while both are subscribed: the retained uptime
        # and then a fresh one.
        sys_sub = Sub(self, "-t", "$SYS/broker/uptime", "-v", count=2, wait=5,
                      sync=False)
        self.assertEqual(len(sys_sub.finish()), 2)
        marker = self.t("end")
        pub("-t", marker, "-m", "end", "-q", "1")
        seen = everything.wait_line(lambda line: line == marker + " end")
        dollar = [line for line in everything.output if line.startswith("$")]
        self.assertEqual(dollar, [], "'#' matched $SYS topics [MQTT-4.7.2-1]")
        self.assertTrue(seen)
        pub("-t", "interop-plain/broker/x", "-m", "normal", "-q", "1")
        plus.wait_line(lambda line: line == "interop-plain/broker/x normal")
        self.assertEqual([line for line in plus.output if line.startswith("$")], [],
                         "'+/broker/#' matched $SYS topics [MQTT-4.7.2-1]")


if __name__ == "__main__":
    unittest.main()
