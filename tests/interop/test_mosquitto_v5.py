"""Interop: tern with Mosquitto's command line clients (Debian mosquitto-clients 2.0.11) speaking
MQTT 5.0: mosquitto_pub / mosquitto_sub / mosquitto_rr with `-V 5` and `-D` properties, and
mosquitto_sub's `-F` format specifiers to print what arrived (%A topic alias, %C content type,
%D correlation data, %E message expiry interval, %F payload format indicator, %P user
properties as key:value separated by spaces, %R response topic, %S subscription identifier).

As in test_mosquitto_clients, mosquitto_sub cannot tell when its subscription is in place, so a
subscriber also subscribes (in the same SUBSCRIBE) to a private "sync" topic holding a retained
message; once that shows up, the test may publish. Every process runs with a timeout (-W and
subprocess timeouts). Every test compares the clients' output exactly.

What these clients cannot exercise: mosquitto_sub 2.0.11 has no option for No Local or Retain
Handling (only --retain-as-published); it prints SUBACK reason codes with -d but not UNSUBACK
ones; mosquitto_pub -d prints the PUBACK reason code but not the PUBREC's; and libmosquitto
2.0.11 drops the connection with "protocol error" on the first PUBLISH that carries a topic
alias alone (empty topic), so no subscriber here sets topic-alias-maximum (tern would use
aliases; test_paho_v5 checks them).
"""

import re
import shutil
import subprocess
import time
import unittest

import test_mosquitto_clients as mosquitto_clients
from interop_broker import Broker
from test_mosquitto_clients import LINE_WAIT, PROCESS_TIMEOUT, SUB_TIMED_OUT

BROKER = None


def setUpModule():
    global BROKER
    for tool in ("mosquitto_pub", "mosquitto_sub", "mosquitto_rr"):
        if shutil.which(tool) is None:
            raise unittest.SkipTest("%s is not installed (Debian: mosquitto-clients)" % tool)
    BROKER = Broker(["allow_anonymous true"]).start()


def tearDownModule():
    global BROKER
    broker, BROKER = BROKER, None
    if broker is not None:
        broker.stop()


def run(tool, *args, broker=None, version="5", stdin=None, expect_rc=0):
    """Runs mosquitto_pub / mosquitto_sub to completion; returns (stdout lines, stderr)."""
    cmd = [tool] + mosquitto_clients.connection_args(version, broker or BROKER) + list(args)
    done = subprocess.run(cmd, input=stdin, capture_output=True, timeout=PROCESS_TIMEOUT)
    stdout = done.stdout.decode("utf-8", "replace").splitlines()
    stderr = done.stderr.decode("utf-8", "replace")
    if expect_rc is not None and done.returncode != expect_rc:
        raise AssertionError("%s exited with %d (expected %d): stdout %r stderr %r" %
                             (" ".join(cmd), done.returncode, expect_rc, stdout, stderr))
    return stdout, stderr


def pub(*args, **kwargs):
    """mosquitto_pub, MQTT 5.0 unless version= says otherwise; fails unless it exits 0."""
    return run("mosquitto_pub", *args, **kwargs)


def Proc(test, tool, *args, version="5", broker=None, **kwargs):
    """A client process (mosquitto_sub or mosquitto_rr) whose stdout lines a thread collects:
    test_mosquitto_clients.Sub, MQTT 5.0 unless version= says otherwise (its sync message
    always), on this module's broker unless broker= says otherwise."""
    return mosquitto_clients.Sub(test, *args, version=version, tool=tool, broker=broker or BROKER,
                                 sync_version="5", **kwargs)


def Sub(test, *args, **kwargs):
    return Proc(test, "mosquitto_sub", *args, **kwargs)


# Every MQTT 5.0 message property mosquitto_sub -F can print, then the payload.
PROPS_FORMAT = "%t|q%q|r%r|A=%A|C=%C|D=%D|E=%E|F=%F|P=%P|R=%R|S=%S|%p"


class MosquittoV5Tests(unittest.TestCase):
    def setUp(self):
        self.subs = []  # what Proc started, stopped in tearDown
        self.root = "mc5/" + self._testMethodName
        self.sessions = []  # client ids whose sessions are ended in tearDown

    def tearDown(self):
        for p in self.subs:
            p.stop()
        for client_id in self.sessions:  # a clean connection ends a session left behind
            run("mosquitto_sub", "-i", client_id, "-t", self.t("end"), "-E", expect_rc=None)
        self.assertTrue(BROKER.alive(), "tern died during the test; log:\n" + BROKER.log())

    def t(self, suffix):
        return self.root + "/" + suffix

    def client_id(self, suffix):
        client_id = "%s-%s" % (self._testMethodName[5:40], suffix)
        self.sessions.append(client_id)
        return client_id

    # -- Properties ------------------------------------------------------------------------------

    def test_publish_properties_printed(self):
        s = Sub(self, "-t", self.t("#"), "-q", "1", "-F", PROPS_FORMAT, count=3)
        s.wait_subscribed()
        # [MQTT-3.3.2-4], -15, -16, -17, -18, -20: forwarded unaltered, user properties in order
        # with duplicates; the message expiry interval minus the (no) time in the server.
        pub("-t", self.t("all"), "-q", "1", "-m", "hello",
            "-D", "publish", "user-property", "k", "v",
            "-D", "publish", "user-property", "k2", "v2",
            "-D", "publish", "user-property", "k", "v3",
            "-D", "publish", "content-type", "text/plain",
            "-D", "publish", "message-expiry-interval", "30",
            "-D", "publish", "response-topic", self.t("reply"),
            "-D", "publish", "correlation-data", "corr-1",
            "-D", "publish", "payload-format-indicator", "1")
        pub("-t", self.t("none"), "-q", "2", "-m", "no properties")
        pub("-t", self.t("qos0"), "-m", "ctype only", "-D", "publish", "content-type", "a/b")
        self.assertEqual(s.finish(), [
            self.t("all") + "|q1|r0|A=|C=text/plain|D=corr-1|E=30|F=1|P=k:v k2:v2 k:v3|R=" +
            self.t("reply") + "|S=|hello",
            self.t("none") + "|q1|r0|A=|C=|D=|E=|F=|P=|R=|S=|no properties",
            self.t("qos0") + "|q0|r0|A=|C=a/b|D=|E=|F=|P=|R=|S=|ctype only",
        ])

    def test_subscription_identifier(self):
        with_id = Sub(self, "-t", self.t("x"), "-F", "S=%S %t %p",
                      "-D", "subscribe", "subscription-identifier", "42", count=1)
        without = Sub(self, "-t", self.t("x"), "-F", "S=%S %t %p", count=1)
        # The sync message comes through the same SUBSCRIBE: same identifier.
        self.assertEqual(with_id.wait_subscribed(), "S=42 %s sync" % with_id.sync_topic)
        self.assertEqual(without.wait_subscribed(), "S= %s sync" % without.sync_topic)
        pub("-t", self.t("x"), "-m", "m", "-q", "1")
        self.assertEqual(with_id.finish(), ["S=42 %s m" % self.t("x")])
        self.assertEqual(without.finish(), ["S= %s m" % self.t("x")])

    def test_request_response_with_mosquitto_rr(self):
        # mosquitto_rr subscribes to the response topic (-e), then publishes the request with
        # a Response Topic; a responder (mosquitto_sub + mosquitto_pub here) answers there
        # with the request's Correlation Data.
        responder = Sub(self, "-t", self.t("requests"), "-F", "%t|R=%R|D=%D|%p", count=1)
        responder.wait_subscribed()
        rr = Proc(self, "mosquitto_rr", "-t", self.t("requests"), "-e", self.t("responses"),
                  "-m", "question", "-D", "publish", "correlation-data", "corr-7",
                  "-F", "%t|D=%D|%p", wait=8, sync=False)
        self.assertEqual(responder.finish(),
                         [self.t("requests") + "|R=" + self.t("responses") + "|D=corr-7|question"])
        pub("-t", self.t("responses"), "-q", "1", "-m", "answer",
            "-D", "publish", "correlation-data", "corr-7")
        self.assertEqual(rr.finish(), [self.t("responses") + "|D=corr-7|answer"])

    def test_topic_alias_from_mosquitto_pub(self):
        s = Sub(self, "-t", self.t("#"), "-F", "%t|A=%A|%p", count=4)
        s.wait_subscribed()
        # With -l and a topic alias, libmosquitto sends the topic once, then the alias alone
        # (empty topic); tern resolves it (section 3.3.2.3.4) and forwards full topics without
        # the publisher's alias.
        pub("-t", self.t("aliased"), "-l", "-q", "1", "-D", "publish", "topic-alias", "1",
            stdin=b"one\ntwo\nthree\n")
        pub("-t", self.t("other"), "-m", "four", "-D", "publish", "topic-alias", "1")
        self.assertEqual(s.finish(), [self.t("aliased") + "|A=|one", self.t("aliased") + "|A=|two",
                                      self.t("aliased") + "|A=|three",
                                      self.t("other") + "|A=|four"])

    def test_connect_properties(self):
        # A CONNECT full of properties is accepted; the subscriber's Maximum Packet Size keeps
        # the large message from it [MQTT-3.1.2-24] while it stays connected.
        s = Sub(self, "-t", self.t("m"), "-q", "1", "--nodelay",
                "-D", "connect", "user-property", "app", "interop",
                "-D", "connect", "receive-maximum", "5",
                "-D", "connect", "maximum-packet-size", "200",
                "-D", "connect", "request-problem-information", "1",
                "-D", "connect", "request-response-information", "0",
                count=2)
        s.wait_subscribed()
        pub("-t", self.t("m"), "-q", "1", "-m", "small", "--nodelay",
            "-D", "connect", "user-property", "who", "publisher")
        pub("-t", self.t("m"), "-q", "1", "-m", "x" * 500)
        pub("-t", self.t("m"), "-q", "1", "-m", "small again")
        self.assertEqual(s.finish(), ["small", "small again"])

    # -- QoS, retained, protocol versions --------------------------------------------------------

    def test_qos_levels(self):
        for sub_qos in ("0", "1", "2"):
            with self.subTest(sub_qos=sub_qos):
                topic = self.t("q" + sub_qos)
                s = Sub(self, "-t", topic, "-q", sub_qos, "-F", "%q %p", "--nodelay", count=3)
                s.wait_subscribed()
                for pub_qos in ("0", "1", "2"):
                    pub("-t", topic, "-q", pub_qos, "-m", "published at " + pub_qos,
                        "--nodelay")
                self.assertEqual(s.finish(), [
                    "%d published at %s" % (min(int(sub_qos), int(p)), p)
                    for p in ("0", "1", "2")])

    def test_retained_keeps_properties(self):
        topic = self.t("status")
        self.addCleanup(pub, "-t", topic, "-n", "-r", "-q", "1")
        pub("-t", topic, "-m", "kept", "-r", "-q", "1",
            "-D", "publish", "content-type", "text/plain",
            "-D", "publish", "user-property", "k", "v",
            "-D", "publish", "correlation-data", "c")
        s = Sub(self, "-t", topic, "-q", "1", "-F", "%r %q C=%C P=%P D=%D %p", count=1,
                sync=False)
        self.assertEqual(s.finish(), ["1 1 C=text/plain P=k:v D=c kept"])
        # A 3.1.1 subscriber gets the payload alone.
        s = Sub(self, "-t", topic, "-v", count=1, sync=False, version="311")
        self.assertEqual(s.finish(), [topic + " kept"])

    def test_retained_message_expiry(self):
        short, long_ = self.t("short"), self.t("long")
        self.addCleanup(pub, "-t", short, "-n", "-r", "-q", "1")
        self.addCleanup(pub, "-t", long_, "-n", "-r", "-q", "1")
        pub("-t", short, "-m", "1 s", "-r", "-q", "1",
            "-D", "publish", "message-expiry-interval", "1")
        pub("-t", long_, "-m", "60 s", "-r", "-q", "1",
            "-D", "publish", "message-expiry-interval", "60")
        time.sleep(2.2)
        # [MQTT-3.3.2-5]: the expired one is gone; the other has 60 s minus its ~2 s wait
        # [MQTT-3.3.2-6] (bounds generous).
        s = Sub(self, "-t", short, count=1, wait=1, sync=False)
        self.assertEqual(s.finish(expect_rc=SUB_TIMED_OUT), [])
        s = Sub(self, "-t", long_, "-F", "%r E=%E %p", count=1, sync=False)
        lines = s.finish()
        self.assertEqual(len(lines), 1)
        m = re.fullmatch(r"1 E=(\d+) 60 s", lines[0])
        self.assertIsNotNone(m, lines[0])
        self.assertTrue(50 <= int(m.group(1)) <= 59, "Message Expiry Interval %s" % m.group(1))

    def test_retain_as_published(self):
        topic = self.t("r")
        self.addCleanup(pub, "-t", topic, "-n", "-r", "-q", "1")
        rap = Sub(self, "-t", topic, "--retain-as-published", "-F", "%r %p", count=2)
        plain = Sub(self, "-t", topic, "-F", "%r %p", count=2)
        # The retained sync message, sent because of the subscription: RETAIN 1 for both.
        self.assertEqual(rap.wait_subscribed(), "1 sync")
        self.assertEqual(plain.wait_subscribed(), "1 sync")
        pub("-t", topic, "-m", "live retained", "-r", "-q", "1")
        pub("-t", topic, "-m", "live", "-q", "1")
        # [MQTT-3.3.1-13]: as published with the option; [MQTT-3.3.1-12]: 0 without.
        self.assertEqual(rap.finish(), ["1 live retained", "0 live"])
        self.assertEqual(plain.finish(), ["0 live retained", "0 live"])

    def test_protocol_versions_mixed(self):
        topic = self.t("mixed")
        v311 = Sub(self, "-t", topic, "-q", "2", "-v", count=2, version="311")
        v31 = Sub(self, "-t", topic, "-q", "2", "-v", count=2, version="31")
        v5 = Sub(self, "-t", topic, "-q", "2", "-F", "%t|q%q|C=%C|P=%P|%p", count=2)
        for s in (v311, v31, v5):
            s.wait_subscribed()
        pub("-t", topic, "-q", "2", "-m", "from 5.0", "-D", "publish", "content-type", "x/y",
            "-D", "publish", "user-property", "k", "v")
        pub("-t", topic, "-q", "1", "-m", "from 3.1.1", version="311")
        self.assertEqual(v311.finish(), [topic + " from 5.0", topic + " from 3.1.1"])
        self.assertEqual(v31.finish(), [topic + " from 5.0", topic + " from 3.1.1"])
        self.assertEqual(v5.finish(), [topic + "|q2|C=x/y|P=k:v|from 5.0",
                                       topic + "|q1|C=|P=|from 3.1.1"])

    # -- Sessions --------------------------------------------------------------------------------

    def test_session_expiry(self):
        client_id = self.client_id("kept")
        topic = self.t("queued")
        # Clean Start (no -c) but a Session Expiry Interval of 60 s: the session outlives the
        # connection (section 3.1.2.11.2).
        s = Sub(self, "-i", client_id, "-q", "1", "-t", topic,
                "-D", "connect", "session-expiry-interval", "60", count=0)
        s.wait_subscribed()
        self.assertEqual(s.finish(), [])
        pub("-t", topic, "-q", "1", "-m", "while away 1")
        pub("-t", topic, "-q", "2", "-m", "while away 2")
        # Back without Clean Start (-c; -x for the interval): the queued messages arrive.
        s = Sub(self, "-i", client_id, "-c", "-x", "60", "-q", "1", "-t", topic,
                "-F", "%q %p", count=2, sync=False)
        self.assertEqual(s.finish(), ["1 while away 1", "1 while away 2"])

    def test_session_expires(self):
        client_id = self.client_id("short")
        topic = self.t("queued")
        s = Sub(self, "-i", client_id, "-q", "1", "-t", topic,
                "-D", "connect", "session-expiry-interval", "1", count=0)
        s.wait_subscribed()
        self.assertEqual(s.finish(), [])
        pub("-t", topic, "-q", "1", "-m", "for an expired session")
        time.sleep(2.5)
        s = Sub(self, "-i", client_id, "-c", "-x", "60", "-t", self.t("other"), count=1,
                wait=1, sync=False)
        self.assertEqual(s.finish(expect_rc=SUB_TIMED_OUT), [])

    # -- Wills -----------------------------------------------------------------------------------

    def dying(self, *will_args, client_id=None, expiry=None):
        args = ["-t", self.t("ignored"), "--will-topic", self.t("will"), "--will-payload",
                "bye", "--will-qos", "1"] + list(will_args)
        if client_id is not None:
            args += ["-i", client_id]
        if expiry is not None:
            args += ["-x", str(expiry)]
        d = Sub(self, *args, wait=20)
        d.wait_subscribed()
        return d

    def test_will_properties(self):
        watcher = Sub(self, "-t", self.t("will"), "-q", "1", "-F", "%t|q%q|C=%C|P=%P|R=%R|%p",
                      count=1)
        watcher.wait_subscribed()
        d = self.dying("-D", "will", "content-type", "text/plain",
                       "-D", "will", "user-property", "why", "killed",
                       "-D", "will", "response-topic", self.t("r"))
        d.kill()
        self.assertEqual(watcher.finish(), [
            self.t("will") + "|q1|C=text/plain|P=why:killed|R=" + self.t("r") + "|bye"])

    def test_will_delay_interval(self):
        watcher = Sub(self, "-t", self.t("will"), "-q", "1", "-F", "%t|E=%E|%p", count=1)
        watcher.wait_subscribed()
        d = self.dying("-D", "will", "will-delay-interval", "2",
                       "-D", "will", "message-expiry-interval", "100",
                       client_id=self.client_id("dying"), expiry=30)
        killed = time.monotonic()
        d.kill()
        watcher.expect_no_line(1.0)  # held for the delay (3.1.3.2.2)
        line = watcher.next_line(2 + LINE_WAIT)
        self.assertGreaterEqual(time.monotonic() - killed, 1.5, "will before its 2 s delay")
        # The will's Message Expiry Interval is its lifetime from publication (3.1.3.2.3): a
        # live subscriber gets all 100 s.
        self.assertEqual(line, self.t("will") + "|E=100|bye")

    def test_will_delay_cut_short_by_session_end(self):
        # Session Expiry 0 (no -x): the session ends with the connection, and the will goes out
        # then, not after its 30 s delay (3.1.3.2.2).
        watcher = Sub(self, "-t", self.t("will"), "-q", "1", "-F", "%t %p", count=1)
        watcher.wait_subscribed()
        d = self.dying("-D", "will", "will-delay-interval", "30")
        d.kill()
        self.assertEqual(watcher.finish(), [self.t("will") + " bye"])

    # -- Reason codes ----------------------------------------------------------------------------

    def test_puback_reason_codes(self):
        client_id = self.client_id("pub")
        topic = self.t("nobody")
        # 0x10 No matching subscribers (section 3.4.2.1), as mosquitto_pub -d prints it.
        out, err = pub("-d", "-i", client_id, "-t", topic, "-q", "1", "-m", "x")
        self.assertEqual(out, [
            "Client %s sending CONNECT" % client_id,
            "Client %s received CONNACK (0)" % client_id,
            "Client %s sending PUBLISH (d0, q1, r0, m1, '%s', ... (1 bytes))" % (client_id, topic),
            "Client %s received PUBACK (Mid: 1, RC:16)" % client_id,
            "Client %s sending DISCONNECT" % client_id,
        ])
        self.assertEqual(err, "")
        s = Sub(self, "-t", topic, count=1)
        s.wait_subscribed()
        out, err = pub("-d", "-i", client_id, "-t", topic, "-q", "1", "-m", "y")
        self.assertEqual(out[3], "Client %s received PUBACK (Mid: 1, RC:0)" % client_id)
        self.assertEqual(s.finish(), ["y"])

    def test_suback_reason_codes(self):
        client_id = self.client_id("sub")
        out, err = run("mosquitto_sub", "-d", "-E", "-i", client_id, "-q", "2",
                       "-t", self.t("a"), "-t", "$share/g/" + self.t("b"))
        self.assertEqual(out, [
            "Client %s sending CONNECT" % client_id,
            "Client %s received CONNACK (0)" % client_id,
            "Client %s sending SUBSCRIBE (Mid: 1, Topic: %s, QoS: 2, Options: 0x00)" %
            (client_id, self.t("a")),
            "Client %s sending SUBSCRIBE (Mid: 1, Topic: $share/g/%s, QoS: 2, Options: 0x00)" %
            (client_id, self.t("b")),
            "Client %s received SUBACK" % client_id,
            "Subscribed (mid: 1): 2, 2",
            "Client %s sending DISCONNECT" % client_id,
        ])

    def test_refused_publish_reason_string(self):
        # A PUBLISH the broker will not take ('$' topics are the server's): PUBACK with a
        # failure code and a Reason String, both of which mosquitto_pub prints.
        out, err = pub("-t", "$" + self.t("x"), "-q", "1", "-m", "x")
        self.assertEqual(out, [])
        self.assertEqual(err, "Warning: Publish 1 failed: Not authorized.\n"
                              "topics starting with '$' are reserved\n")


class TestMosquittoV5Limits(unittest.TestCase):
    """A broker with max_qos 1, no retained messages and no shared subscriptions: libmosquitto
    reads CONNACK's Maximum QoS and Retain Available and acts on them."""

    LIMITED = None

    @classmethod
    def setUpClass(cls):
        if BROKER is None:
            raise unittest.SkipTest("no broker")
        cls.LIMITED = Broker(["allow_anonymous true", "max_qos 1", "retain_available false",
                              "shared_subscriptions false"]).start()

    @classmethod
    def tearDownClass(cls):
        broker, cls.LIMITED = cls.LIMITED, None
        if broker is not None:
            broker.stop()

    def tearDown(self):
        self.assertTrue(self.LIMITED.alive(), "tern died; log:\n" + self.LIMITED.log())

    def test_suback_reason_codes(self):
        # QoS granted at most max_qos [MQTT-3.8.4-6]; 0x9E Shared Subscriptions not supported
        # for MQTT 5.0 and 0x80 for 3.1.1 (docs/configuration.md).
        for version, codes in (("5", "1, 158"), ("311", "1, 128")):
            with self.subTest(version=version):
                client_id = "lim-sub-" + version
                out, err = run("mosquitto_sub", "-d", "-E", "-i", client_id, "-q", "2",
                               "-t", "mc5lim/a", "-t", "$share/g/mc5lim/b", broker=self.LIMITED,
                               version=version)
                self.assertEqual(out[4:6], ["Client %s received SUBACK" % client_id,
                                            "Subscribed (mid: 1): %s" % codes])

    def test_publish_limits_from_connack(self):
        # CONNACK Maximum QoS 1: libmosquitto refuses a QoS 2 publish itself.
        out, err = pub("-i", "lim-q2", "-t", "mc5lim/q", "-q", "2", "-m", "x",
                       broker=self.LIMITED)
        self.assertEqual(err, "Error: Message QoS not supported on broker, try a lower QoS.\n")
        # CONNACK Retain Available 0: libmosquitto clears the retain flag; the broker takes the
        # message (0x10: nobody subscribed).
        out, err = pub("-d", "-i", "lim-r", "-t", "mc5lim/r", "-q", "1", "-r", "-m", "x",
                       broker=self.LIMITED)
        self.assertEqual(out[2:4], ["Client lim-r sending PUBLISH (d0, q1, r0, m1, 'mc5lim/r', "
                                    "... (1 bytes))",
                                    "Client lim-r received PUBACK (Mid: 1, RC:16)"])


if __name__ == "__main__":
    unittest.main()
