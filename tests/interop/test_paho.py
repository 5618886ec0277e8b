"""Interop: tern with the Eclipse Paho Python client (paho-mqtt 1.6.1), MQTT 3.1 and 3.1.1.

One broker for the module (anonymous access); every test uses its own topics and client ids,
so the tests do not see each other's messages or retained messages. Run with /usr/bin/python3
(Debian's paho) and TERN_BINARY set, as ctest does.
"""

import time
import unittest

import paho.mqtt.client as mqtt

from interop_broker import Broker
from paho_client import PahoClient, WAIT, QUIET

BROKER = None


def setUpModule():
    global BROKER
    BROKER = Broker(["allow_anonymous true"]).start()


def tearDownModule():
    global BROKER
    broker, BROKER = BROKER, None
    if broker is not None:
        broker.stop()


PAYLOADS = [
    ("text", b"hello, tern"),
    ("utf8", "grüße ✓".encode("utf-8")),
    ("binary", bytes(range(256)) * 2),
    ("nul only", b"\x00"),
    ("empty", b""),
    ("64 KiB", bytes((i * 7 + 3) & 0xFF for i in range(64 * 1024))),
]


class PahoTests:
    """Mixed into one TestCase per protocol version; PROTOCOL is mqtt.MQTTv31 or MQTTv311."""

    PROTOCOL = None
    SESSION_PRESENT = None  # the flag expected on resuming a stored session

    def setUp(self):
        self.clients = []
        tag = "v31" if self.PROTOCOL == mqtt.MQTTv31 else "v311"
        # A short unique prefix per test (client ids of MQTT 3.1 are at most 23 characters).
        self.name = "%s-%s" % (tag, self._testMethodName.replace("test_", "")[:12])
        self.topic_root = "interop/%s/%s" % (tag, self._testMethodName)

    def tearDown(self):
        for c in self.clients:
            c.close()
        self.assertTrue(BROKER.alive(), "tern died during the test; log:\n" + BROKER.log())

    def topic(self, suffix=""):
        return self.topic_root + ("/" + suffix if suffix else "")

    def make(self, suffix, **kwargs):
        kwargs.setdefault("protocol", self.PROTOCOL)
        client_id = kwargs.pop("client_id", (self.name + "-" + suffix)[:23])
        c = PahoClient(BROKER.port, client_id=client_id, **kwargs)
        self.clients.append(c)
        return c

    def connected(self, suffix, **kwargs):
        c = self.make(suffix, **kwargs)
        flags, rc = c.connect()
        self.assertEqual(rc, 0)
        return c

    def assertMessage(self, m, topic, payload, qos, retain=False):
        self.assertEqual(m.topic, topic)
        self.assertEqual(m.payload, payload)
        self.assertEqual(m.qos, qos, "QoS of the delivered message")
        self.assertEqual(bool(m.retain), retain, "RETAIN flag of the delivered message")

    # -- Connect -------------------------------------------------------------------------------

    def test_connect_clean_session_no_session_present(self):
        c = self.make("c")
        flags, rc = c.connect()
        self.assertEqual(rc, 0)
        self.assertEqual(flags.get("session present"), 0)
        c.disconnect()
        self.assertEqual(c.disconnect_rc, 0)

    def test_empty_client_id(self):
        if self.PROTOCOL == mqtt.MQTTv31:
            self.skipTest("paho makes up a client id for MQTT 3.1")
        # 3.1.1: a zero-length client id with clean session is accepted [MQTT-3.1.3-6].
        c = self.make("x", client_id="")
        self.assertEqual(c.connect()[1], 0)
        c.subscribe(self.topic(), 1)
        c.publish(self.topic(), b"self", qos=1)
        self.assertMessage(c.receive(), self.topic(), b"self", 1)

    # -- Publish / subscribe round trips -------------------------------------------------------

    def test_round_trip_each_qos_and_payload(self):
        sub = self.connected("sub")
        pub = self.connected("pub")
        for qos in (0, 1, 2):
            topic = self.topic("q%d" % qos)
            self.assertEqual(sub.subscribe(topic, qos), (qos,))
            for label, payload in PAYLOADS:
                with self.subTest(qos=qos, payload=label):
                    pub.publish(topic, payload, qos=qos)
                    self.assertMessage(sub.receive(), topic, payload, qos)
        sub.expect_nothing()

    def test_publisher_receives_own_message(self):
        c = self.connected("self")
        self.assertEqual(c.subscribe(self.topic(), 2), (2,))
        for qos in (0, 1, 2):
            c.publish(self.topic(), b"echo %d" % qos, qos=qos)
            self.assertMessage(c.receive(), self.topic(), b"echo %d" % qos, qos)

    def test_delivered_qos_is_min_of_publish_and_subscription(self):
        pub = self.connected("pub")
        subs = {}
        for sub_qos in (0, 1, 2):
            subs[sub_qos] = self.connected("s%d" % sub_qos)
            self.assertEqual(subs[sub_qos].subscribe(self.topic(), sub_qos), (sub_qos,))
        for pub_qos in (0, 1, 2):
            pub.publish(self.topic(), b"p%d" % pub_qos, qos=pub_qos)
            for sub_qos, sub in subs.items():
                with self.subTest(pub_qos=pub_qos, sub_qos=sub_qos):
                    self.assertMessage(sub.receive(), self.topic(), b"p%d" % pub_qos,
                                       min(pub_qos, sub_qos))
        for sub in subs.values():
            sub.expect_nothing()

    def test_order_preserved_per_qos(self):
        sub = self.connected("sub")
        pub = self.connected("pub")
        for qos in (0, 1, 2):
            topic = self.topic("q%d" % qos)
            sub.subscribe(topic, qos)
            payloads = [b"%d-%03d" % (qos, i) for i in range(50)]
            infos = [pub.client.publish(topic, p, qos=qos) for p in payloads]
            for info in infos:
                info.wait_for_publish(timeout=WAIT)
                self.assertTrue(info.is_published())
            got = [m.payload for m in sub.receive_n(len(payloads))]
            self.assertEqual(got, payloads, "QoS %d messages out of order" % qos)

    def test_subscribe_many_filters_in_one_packet(self):
        sub = self.connected("sub")
        filters = [(self.topic("a"), 0), (self.topic("b"), 1), (self.topic("c"), 2)]
        self.assertEqual(sub.subscribe(filters), (0, 1, 2))
        pub = self.connected("pub")
        for f, qos in filters:
            pub.publish(f, b"x", qos=2)
            self.assertMessage(sub.receive(), f, b"x", qos)

    def test_resubscribe_replaces_qos(self):
        sub = self.connected("sub")
        pub = self.connected("pub")
        self.assertEqual(sub.subscribe(self.topic(), 0), (0,))
        self.assertEqual(sub.subscribe(self.topic(), 2), (2,))
        pub.publish(self.topic(), b"once", qos=2)
        # One subscription, now at QoS 2: exactly one copy [MQTT-3.8.4-3].
        self.assertMessage(sub.receive(), self.topic(), b"once", 2)
        sub.expect_nothing()

    def test_unsubscribe_stops_delivery(self):
        sub = self.connected("sub")
        pub = self.connected("pub")
        sub.subscribe(self.topic(), 1)
        pub.publish(self.topic(), b"before", qos=1)
        self.assertMessage(sub.receive(), self.topic(), b"before", 1)
        sub.unsubscribe(self.topic())
        pub.publish(self.topic(), b"after", qos=1)
        sub.expect_nothing()
        # Unsubscribing from something never subscribed is acknowledged too.
        sub.unsubscribe(self.topic("never"))

    # -- Wildcards -----------------------------------------------------------------------------

    def test_wildcards(self):
        root = self.topic()
        cases = {
            root + "/sport/tennis/+": ["sport/tennis/player1", "sport/tennis/player2"],
            root + "/sport/#": ["sport", "sport/tennis/player1", "sport/tennis/player2",
                                "sport/tennis/player1/ranking", "sport/", "sport/golf"],
            root + "/+/tennis/#": ["sport/tennis/player1", "sport/tennis/player2",
                                   "sport/tennis/player1/ranking", "sports/tennis/player1"],
            root + "/+": ["sport", "finance"],
            root + "/+/+": ["sport/", "sport/golf", "/finance"],
            root + "/sport/+/player1": ["sport/tennis/player1"],
        }
        published = ["sport", "sport/", "sport/tennis/player1", "sport/tennis/player2",
                     "sport/tennis/player1/ranking", "sport/golf", "finance", "/finance",
                     "sports/tennis/player1"]
        subs = {}
        for i, f in enumerate(cases):
            subs[f] = self.connected("w%d" % i)
            self.assertEqual(subs[f].subscribe(f, 1), (1,))
        pub = self.connected("pub")
        for t in published:
            pub.publish(root + "/" + t, t.encode(), qos=1)
        for f, expected in cases.items():
            with self.subTest(filter=f):
                got = [m.topic for m in subs[f].receive_n(len(expected))]
                self.assertEqual(got, [root + "/" + t for t in published if t in expected])
                subs[f].expect_nothing(0.1)

    def test_overlapping_subscriptions(self):
        # Two matching filters: MQTT 3.1.1 allows one or two copies [MQTT-3.3.5-1]; at least one
        # must arrive, and none beyond two.
        sub = self.connected("sub")
        sub.subscribe([(self.topic("#"), 1), (self.topic("+"), 2)])
        pub = self.connected("pub")
        pub.publish(self.topic("x"), b"o", qos=2)
        first = sub.receive()
        self.assertEqual((first.topic, first.payload), (self.topic("x"), b"o"))
        try:
            second = sub.receive(QUIET)
        except AssertionError:
            return
        self.assertEqual((second.topic, second.payload), (self.topic("x"), b"o"))
        self.assertEqual(sorted((first.qos, second.qos)), [1, 2])
        sub.expect_nothing()

    # -- Retained ------------------------------------------------------------------------------

    def test_retained_set_replace_clear(self):
        pub = self.connected("pub")
        topic = self.topic()
        pub.publish(topic, b"first", qos=1, retain=True)

        s1 = self.connected("s1")
        s1.subscribe(topic, 1)
        self.assertMessage(s1.receive(), topic, b"first", 1, retain=True)
        s1.expect_nothing(0.1)

        # Replace it; the established subscriber gets it with RETAIN 0 [MQTT-3.3.1-9].
        pub.publish(topic, b"second", qos=1, retain=True)
        self.assertMessage(s1.receive(), topic, b"second", 1, retain=False)

        s2 = self.connected("s2")
        s2.subscribe(topic, 2)
        self.assertMessage(s2.receive(), topic, b"second", 1, retain=True)
        s2.expect_nothing(0.1)

        # A wildcard subscription gets it too, at the subscription's QoS when that is lower.
        s3 = self.connected("s3")
        s3.subscribe(self.topic_root + "/#", 0)
        self.assertMessage(s3.receive(), topic, b"second", 0, retain=True)

        # Clear it with an empty retained payload [MQTT-3.3.1-10/11].
        pub.publish(topic, b"", qos=1, retain=True)
        for s in (s1, s2, s3):
            m = s.receive()
            self.assertEqual((m.topic, m.payload, bool(m.retain)), (topic, b"", False))
        s4 = self.connected("s4")
        s4.subscribe(topic, 1)
        s4.expect_nothing()

    def test_retained_qos0_and_binary(self):
        pub = self.connected("pub")
        payload = bytes(range(256))
        pub.publish(self.topic("a"), payload, qos=0, retain=True)
        pub.publish(self.topic("b"), b"b", qos=2, retain=True)
        # A QoS 0 publish has no acknowledgement: wait until a retained-reading subscriber sees it.
        sub = self.connected("sub")
        sub.subscribe(self.topic("+"), 2)
        got = {m.topic: m for m in sub.receive_n(2)}
        self.assertMessage(got[self.topic("a")], self.topic("a"), payload, 0, retain=True)
        self.assertMessage(got[self.topic("b")], self.topic("b"), b"b", 2, retain=True)

    def test_retained_sent_again_on_resubscribe(self):
        pub = self.connected("pub")
        pub.publish(self.topic(), b"r", qos=1, retain=True)
        sub = self.connected("sub")
        sub.subscribe(self.topic(), 1)
        self.assertMessage(sub.receive(), self.topic(), b"r", 1, retain=True)
        # A repeated SUBSCRIBE re-sends the retained messages [MQTT-3.8.4-3].
        sub.subscribe(self.topic(), 1)
        self.assertMessage(sub.receive(), self.topic(), b"r", 1, retain=True)
        pub.publish(self.topic(), b"", qos=1, retain=True)

    # -- Will ----------------------------------------------------------------------------------

    def will(self, payload, qos=1, retain=False):
        return {"topic": self.topic("will"), "payload": payload, "qos": qos, "retain": retain}

    def test_will_on_abnormal_disconnect(self):
        watcher = self.connected("watch")
        watcher.subscribe(self.topic("will"), 2)
        dying = self.connected("dying", will=self.will(b"gone", qos=1))
        dying.drop()  # close the socket without DISCONNECT
        self.assertMessage(watcher.receive(), self.topic("will"), b"gone", 1)
        watcher.expect_nothing()

    def test_will_qos2_binary(self):
        watcher = self.connected("watch")
        watcher.subscribe(self.topic("will"), 2)
        dying = self.connected("dying", will=self.will(b"\x00\xff\x01", qos=2))
        dying.drop()
        self.assertMessage(watcher.receive(), self.topic("will"), b"\x00\xff\x01", 2)

    def test_no_will_after_clean_disconnect(self):
        watcher = self.connected("watch")
        watcher.subscribe(self.topic("will"), 2)
        leaving = self.connected("leaving", will=self.will(b"should not be sent"))
        leaving.disconnect()
        watcher.expect_nothing(2 * QUIET)

    def test_retained_will(self):
        watcher = self.connected("watch")
        watcher.subscribe(self.topic("will"), 1)
        dying = self.connected("dying", will=self.will(b"retained will", qos=1, retain=True))
        dying.drop()
        # Established subscription: RETAIN 0 [MQTT-3.3.1-9]; then a new one gets it retained.
        self.assertMessage(watcher.receive(), self.topic("will"), b"retained will", 1)
        late = self.connected("late")
        late.subscribe(self.topic("will"), 1)
        self.assertMessage(late.receive(), self.topic("will"), b"retained will", 1, retain=True)
        late.publish(self.topic("will"), b"", qos=1, retain=True)

    def test_will_on_keepalive_timeout(self):
        watcher = self.connected("watch")
        watcher.subscribe(self.topic("will"), 1)
        quiet = self.connected("quiet", keepalive=1, will=self.will(b"timed out"))
        started = time.monotonic()
        quiet.silence()  # socket open, but no PINGREQ any more
        # The broker must close the connection after 1.5 keepalive periods [MQTT-3.1.2-24].
        m = watcher.receive(timeout=WAIT)
        elapsed = time.monotonic() - started
        self.assertMessage(m, self.topic("will"), b"timed out", 1)
        self.assertGreaterEqual(elapsed, 0.9, "will published too early")
        self.assertLess(elapsed, 4.0, "keepalive timeout took too long")

    def test_takeover_same_client_id_publishes_will_and_disconnects_old(self):
        # A second connection with the same client id takes the session over [MQTT-3.1.4-2]; the
        # old network connection is closed (as an abnormal close, so its will goes out).
        watcher = self.connected("watch")
        watcher.subscribe(self.topic("will"), 1)
        first = self.connected("same", will=self.will(b"taken over"))
        second = self.connected("same")
        self.assertTrue(first.wait_disconnected(WAIT), "old connection was not closed")
        self.assertNotEqual(first.disconnect_rc, 0)
        self.assertMessage(watcher.receive(), self.topic("will"), b"taken over", 1)
        self.assertTrue(second.is_connected())
        first.silence()

    # -- Persistent sessions -------------------------------------------------------------------

    def test_persistent_session_queues_while_away(self):
        topic = self.topic()
        c = self.make("p", clean_session=False)
        flags, _ = c.connect()
        self.assertEqual(flags["session present"], 0)
        self.assertEqual(c.subscribe([(topic + "/1", 1), (topic + "/2", 2),
                                      (topic + "/0", 0)]), (1, 2, 0))
        c.disconnect()

        pub = self.connected("pub")
        pub.publish(topic + "/1", b"while away 1", qos=1)
        pub.publish(topic + "/2", b"while away 2", qos=2)
        pub.publish(topic + "/1", b"", qos=1)
        pub.publish(topic + "/2", b"qos1 to a qos2 subscription", qos=1)

        back = self.make("p", clean_session=False)
        flags, _ = back.connect()
        self.assertEqual(flags["session present"], self.SESSION_PRESENT, "session present flag")
        got = [(m.topic, m.payload, m.qos) for m in back.receive_n(4)]
        # Order is only guaranteed per QoS [MQTT-4.6.0-6], and paho hands a QoS 2 message over
        # only at PUBREL.
        self.assertEqual([g for g in got if g[2] == 1],
                         [(topic + "/1", b"while away 1", 1), (topic + "/1", b"", 1),
                          (topic + "/2", b"qos1 to a qos2 subscription", 1)])
        self.assertEqual([g for g in got if g[2] == 2], [(topic + "/2", b"while away 2", 2)])
        # The subscriptions survived as well.
        pub.publish(topic + "/2", b"now", qos=2)
        self.assertMessage(back.receive(), topic + "/2", b"now", 2)
        back.expect_nothing()
        back.disconnect()

        # A clean-session connect discards the session [MQTT-3.1.2-6]; and a later persistent
        # connect starts afresh.
        clean = self.make("p", clean_session=True)
        self.assertEqual(clean.connect()[0]["session present"], 0)
        clean.disconnect()
        pub.publish(topic + "/1", b"nobody", qos=1)
        again = self.make("p", clean_session=False)
        self.assertEqual(again.connect()[0]["session present"], 0)
        again.expect_nothing()
        again.disconnect()
        self.make("p").connect()  # leave no session behind

    def test_persistent_session_qos0_not_queued_by_default(self):
        c = self.make("p", clean_session=False)
        c.connect()
        c.subscribe(self.topic(), 0)
        c.disconnect()
        pub = self.connected("pub")
        pub.publish(self.topic(), b"qos0 while away", qos=0)
        # Make sure the QoS 0 message got through the broker before reconnecting.
        probe = self.connected("probe")
        probe.subscribe(self.topic("probe"), 1)
        pub.publish(self.topic("probe"), b"sync", qos=1)
        probe.receive()
        back = self.make("p", clean_session=False)
        self.assertEqual(back.connect()[0]["session present"], self.SESSION_PRESENT)
        back.expect_nothing()  # queue_qos0_messages is false by default, as in Mosquitto
        back.disconnect()
        self.make("p").connect()

    def test_persistent_session_after_abnormal_disconnect(self):
        c = self.make("p", clean_session=False)
        c.connect()
        c.subscribe(self.topic(), 1)
        c.drop()
        pub = self.connected("pub")
        pub.publish(self.topic(), b"queued", qos=1)
        back = self.make("p", clean_session=False)
        self.assertEqual(back.connect()[0]["session present"], self.SESSION_PRESENT)
        self.assertMessage(back.receive(), self.topic(), b"queued", 1)
        back.disconnect()
        self.make("p").connect()

class TestPahoMQTTv311(PahoTests, unittest.TestCase):
    PROTOCOL = mqtt.MQTTv311
    SESSION_PRESENT = 1


class TestPahoMQTTv31(PahoTests, unittest.TestCase):
    PROTOCOL = mqtt.MQTTv31
    # MQTT 3.1 has no session present flag: the first CONNACK byte is reserved (0), as
    # Mosquitto sends it.
    SESSION_PRESENT = 0

    # -- Keepalive -----------------------------------------------------------------------------

    def test_keepalive_pings_keep_connection_up(self):
        # (MQTT 3.1 here; test_paho_auth does the same with 3.1.1.)
        c = self.connected("ka", keepalive=2)
        c.subscribe(self.topic(), 1)
        deadline = time.monotonic() + 3.5
        # paho sends PINGREQ every keepalive period; the broker must answer and keep us.
        while time.monotonic() < deadline:
            self.assertTrue(c.is_connected(), "broker dropped a pinging client")
            time.sleep(0.1)
        self.assertGreaterEqual(c.log_count("Received PINGRESP"), 1)
        pub = self.connected("pub")
        pub.publish(self.topic(), b"still here", qos=1)
        self.assertMessage(c.receive(), self.topic(), b"still here", 1)

    def test_mixed_protocol_versions(self):
        old = self.connected("old")
        new = self.connected("new", protocol=mqtt.MQTTv311)
        old.subscribe(self.topic("to-old"), 2)
        new.subscribe(self.topic("to-new"), 2)
        new.publish(self.topic("to-old"), b"from 3.1.1", qos=2)
        old.publish(self.topic("to-new"), b"from 3.1", qos=2)
        self.assertMessage(old.receive(), self.topic("to-old"), b"from 3.1.1", 2)
        self.assertMessage(new.receive(), self.topic("to-new"), b"from 3.1", 2)


if __name__ == "__main__":
    unittest.main()
