"""Interop: tern with the Eclipse Paho Python client (paho-mqtt 1.6.1) speaking MQTT 5.0.

One broker with the defaults for most tests (anonymous access) and, for TestPahoV5Limits, a
second one with the MQTT 5.0 limits turned down (max_qos 1, no retain, no shared subscriptions,
few topic aliases, ...), so the CONNACK properties and the refusals can be checked. Every test
uses its own topics and client ids. Run with /usr/bin/python3 (Debian's paho) and TERN_BINARY
set, as ctest does.

What paho 1.6 cannot show, and how these tests get at it:
- on_publish gets only the packet id, not the PUBACK/PUBREC reason code or properties. paho
  does read them and then drops them; _RecordingClient overrides paho's two (private) handlers
  to note them before paho goes on as usual.
- paho does not resolve the topic aliases the broker sends: a PUBLISH that reuses an alias
  reaches on_message with topic "" and the TopicAlias property. Only clients that set
  TopicAliasMaximum in CONNECT get aliases, so only the alias tests do; they resolve them.
- paho reports a server's DISCONNECT reason code only when the packet is longer than two bytes
  (it ignores a bare reason code); tern adds a Reason String unless Request Problem Information
  is 0, so the tests that check a DISCONNECT leave it at its default.
"""

import queue
import struct
import threading
import time
import unittest

import paho.mqtt.client as mqtt
from paho.mqtt.packettypes import PacketTypes
from paho.mqtt.properties import Properties
from paho.mqtt.reasoncodes import ReasonCodes
from paho.mqtt.subscribeoptions import SubscribeOptions

from interop_broker import Broker, HOST
from paho_client import PahoClient, WAIT, QUIET

BROKER = None

# MQTT 5.0 reason codes used below (section 2.4).
SUCCESS = 0x00
GRANTED_QOS_1 = 0x01
GRANTED_QOS_2 = 0x02
DISCONNECT_WITH_WILL = 0x04
NO_MATCHING_SUBSCRIBERS = 0x10
NO_SUBSCRIPTION_EXISTED = 0x11
NOT_AUTHORIZED = 0x87
SESSION_TAKEN_OVER = 0x8E
TOPIC_ALIAS_INVALID = 0x94
RETAIN_NOT_SUPPORTED = 0x9A
QOS_NOT_SUPPORTED = 0x9B
SHARED_SUBSCRIPTIONS_NOT_SUPPORTED = 0x9E


def setUpModule():
    global BROKER
    BROKER = Broker(["allow_anonymous true"]).start()


def tearDownModule():
    global BROKER
    broker, BROKER = BROKER, None
    if broker is not None:
        broker.stop()


def props(packet_type, **values):
    """A paho Properties of `packet_type` with the given properties set (names as in paho)."""
    p = Properties(packet_type)
    for name, value in values.items():
        setattr(p, name, value)
    return p


def props_dict(properties):
    """The properties present in a paho Properties, as {name: value}; {} for None."""
    if properties is None:
        return {}
    out = {}
    for name in properties.names:
        key = name.replace(" ", "")
        if hasattr(properties, key):
            out[key] = getattr(properties, key)
    return out


def code_of(reason):
    """An int from a paho ReasonCodes (or from the plain int paho sometimes passes)."""
    return reason.value if isinstance(reason, ReasonCodes) else int(reason)


class _RecordingClient(mqtt.Client):
    """paho's client, noting the reason code and properties of each PUBACK and PUBREC.

    paho 1.6 parses them but passes neither to on_publish; the overrides read paho's packet
    buffer (`_in_packet`, private) before handing over to paho's own handler.
    """

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.acks = {}  # (packet name, mid) -> (reason code, properties dict)
        self.acks_lock = threading.Lock()

    def _note_ack(self, name, packet_type):
        packet = self._in_packet["packet"]
        if len(packet) < 2:
            return
        mid, = struct.unpack("!H", packet[:2])
        code = packet[2] if len(packet) > 2 else SUCCESS  # no reason code: 0x00 (3.4.2.1)
        properties = {}
        if len(packet) > 3:
            p = Properties(packet_type)
            p.unpack(packet[3:])
            properties = props_dict(p)
        with self.acks_lock:
            self.acks[(name, mid)] = (code, properties)

    def _handle_pubackcomp(self, cmd):
        self._note_ack(cmd, PacketTypes.PUBACK if cmd == "PUBACK" else PacketTypes.PUBCOMP)
        return super()._handle_pubackcomp(cmd)

    def _handle_pubrec(self):
        self._note_ack("PUBREC", PacketTypes.PUBREC)
        return super()._handle_pubrec()


class V5Client(PahoClient):
    """paho_client.PahoClient speaking MQTT 5.0: CONNECT with Clean Start and properties,
    reason codes and properties recorded from CONNACK, SUBACK, UNSUBACK, PUBACK, PUBREC and
    the server's DISCONNECT.

    The network loop runs in paho's thread; callbacks only record, the test thread waits.
    """

    def __init__(self, port, client_id="", keepalive=60, will=None):
        super().__init__(port, keepalive=keepalive, will=will,
                         client=_RecordingClient(client_id=client_id, protocol=mqtt.MQTTv5,
                                                 reconnect_on_failure=False))
        # connack: (flags dict, reason code, properties dict) of the CONNACK; _acks: mid ->
        # list of SUBACK / UNSUBACK reason codes; disconnect_rc: what paho passed to
        # on_disconnect first.
        self.disconnect_properties = {}

    # Callbacks (paho's thread).
    def _on_connect(self, client, userdata, flags, reason, properties):
        if self.connack is None:
            self.connack = (dict(flags), code_of(reason), props_dict(properties))
        self._connected.set()

    def _on_disconnect(self, client, userdata, rc, properties=None):
        if not self._disconnected.is_set():
            self.disconnect_rc = rc
            self.disconnect_properties = props_dict(properties)
            self._disconnected.set()

    def _on_subscribe(self, client, userdata, mid, reason_codes, properties):
        with self._lock:
            self._acks[mid] = [code_of(r) for r in reason_codes]
            self._lock.notify_all()

    def _on_unsubscribe(self, client, userdata, mid, properties, reason_codes):
        if not isinstance(reason_codes, list):  # paho unwraps a single reason code
            reason_codes = [reason_codes]
        with self._lock:
            self._acks[mid] = [code_of(r) for r in reason_codes]
            self._lock.notify_all()

    # Test-thread API (subscribe returns the SUBACK reason codes as a list of ints, unsubscribe
    # the UNSUBACK's).
    def connect(self, clean_start=True, properties=None, expect_rc=SUCCESS):
        """Connects, runs the loop, waits for CONNACK; returns (flags, reason code, props)."""
        self.client.connect(HOST, self.port, keepalive=self.keepalive, clean_start=clean_start,
                            properties=properties)
        self.client.loop_start()
        self._looping = True
        if not self._connected.wait(WAIT):
            raise AssertionError("no CONNACK within %.0f s" % WAIT)
        flags, rc, connack_props = self.connack
        if expect_rc is not None and rc != expect_rc:
            raise AssertionError("CONNACK reason code 0x%02X, expected 0x%02X; properties %r" %
                                 (rc, expect_rc, connack_props))
        return self.connack

    def publish(self, topic, payload, qos=0, retain=False, properties=None):
        """Publishes and waits until paho considers it done. Returns, for QoS 1, the PUBACK's
        and, for QoS 2, the PUBREC's (reason code, properties dict); None for QoS 0."""
        info = super().publish(topic, payload, qos=qos, retain=retain, properties=properties)
        if qos == 0:
            return None
        with self.client.acks_lock:
            first = self.client.acks.pop(("PUBACK" if qos == 1 else "PUBREC", info.mid))
            self.client.acks.pop(("PUBCOMP", info.mid), None)
        return first

    def expect_nothing(self, quiet=QUIET):
        try:
            m = self.messages.get(timeout=quiet)
        except queue.Empty:
            return
        raise AssertionError("unexpected message: topic %r payload %r retain %r properties %r" %
                             (m.topic, m.payload[:64], m.retain, props_dict(m.properties)))

    def server_disconnect_code(self, timeout=WAIT):
        """Waits for the connection to end; returns the reason code of the server's
        DISCONNECT, or fails when the connection ended without one."""
        if not self._disconnected.wait(timeout):
            raise AssertionError("the broker did not disconnect within %.0f s" % timeout)
        if not isinstance(self.disconnect_rc, ReasonCodes):
            raise AssertionError("connection closed without a DISCONNECT reason code (paho "
                                 "rc %r)" % (self.disconnect_rc,))
        return self.disconnect_rc.value

    def close(self):
        """Best-effort cleanup for tearDown: never raises; unlike PahoClient.close, sends no
        DISCONNECT."""
        try:
            if self._looping:
                self._stop_loop()
            if self.client._sock is not None:
                self.client._sock.close()
                self.client._sock = None
        except Exception:  # noqa: BLE001 - cleanup only
            pass


class V5Tests(unittest.TestCase):
    """Helpers shared by the test classes; `broker()` says which broker to talk to."""

    TAG = "v5"

    def broker(self):
        return BROKER

    def setUp(self):
        self.clients = []
        self.name = "%s-%s" % (self.TAG, self._testMethodName.replace("test_", "")[:40])
        self.topic_root = "interop/%s/%s" % (self.TAG, self._testMethodName)
        self.cleanups_ids = []  # client ids whose sessions are ended in tearDown

    def tearDown(self):
        self.doCleanups()  # (addCleanup: clearing retained messages) while clients are up
        for c in self.clients:
            c.close()
        # Sessions left with an expiry interval would outlive the test: end them.
        for client_id in self.cleanups_ids:
            c = V5Client(self.broker().port, client_id=client_id)
            try:
                c.connect(clean_start=True)  # Session Expiry 0: the session ends now
                c.disconnect()
            except Exception:  # noqa: BLE001 - cleanup only
                pass
            finally:
                c.close()
        broker = self.broker()
        self.assertTrue(broker.alive(), "tern died during the test; log:\n" + broker.log())

    def topic(self, suffix=""):
        return self.topic_root + ("/" + suffix if suffix else "")

    def client_id(self, suffix):
        return self.name + "-" + suffix

    def make(self, suffix, **kwargs):
        client_id = kwargs.pop("client_id", self.client_id(suffix))
        c = V5Client(self.broker().port, client_id=client_id, **kwargs)
        self.clients.append(c)
        return c

    def connected(self, suffix, clean_start=True, properties=None, **kwargs):
        c = self.make(suffix, **kwargs)
        c.connect(clean_start=clean_start, properties=properties)
        return c

    def persistent(self, suffix, expiry, clean_start=False, **kwargs):
        """Connects with a Session Expiry Interval; the session is ended in tearDown."""
        client_id = kwargs.pop("client_id", self.client_id(suffix))
        if client_id not in self.cleanups_ids:
            self.cleanups_ids.append(client_id)
        c = self.make(suffix, client_id=client_id, **kwargs)
        flags, rc, connack_props = c.connect(
            clean_start=clean_start,
            properties=props(PacketTypes.CONNECT, SessionExpiryInterval=expiry))
        return c, flags["session present"]

    def assertMessage(self, m, topic, payload, qos, retain=False, properties=None):
        self.assertEqual(m.topic, topic)
        self.assertEqual(m.payload, payload)
        self.assertEqual(m.qos, qos, "QoS of the delivered message")
        self.assertEqual(bool(m.retain), retain, "RETAIN flag of the delivered message")
        if properties is not None:
            self.assertEqual(props_dict(m.properties), properties, "properties of the message")


class TestPahoV5(V5Tests):

    # -- CONNECT / CONNACK ---------------------------------------------------------------------

    def test_connect_with_properties_and_connack_properties(self):
        c = self.make("c")
        flags, rc, connack = c.connect(properties=props(
            PacketTypes.CONNECT, SessionExpiryInterval=30, ReceiveMaximum=10,
            TopicAliasMaximum=5, RequestProblemInformation=1,
            UserProperty=[("app", "interop"), ("run", "1")]))
        self.cleanups_ids.append(self.client_id("c"))
        self.assertEqual(rc, SUCCESS)
        self.assertEqual(flags["session present"], 0)
        # The defaults of docs/configuration.md: max_inflight_messages 20 (Receive Maximum),
        # max_topic_alias 10; Maximum QoS 2, Retain Available, Wildcard / Subscription
        # Identifier / Shared Subscription Available are all "yes", which is what an absent
        # property means (section 3.2.2.3). The client id was ours: none assigned.
        self.assertEqual(connack, {"ReceiveMaximum": 20, "TopicAliasMaximum": 10})
        c.disconnect()
        self.assertEqual(code_of(c.disconnect_rc), SUCCESS)

    def test_empty_client_id_is_assigned(self):
        c = self.make("x", client_id="")
        flags, rc, connack = c.connect()
        # [MQTT-3.2.2-16]: a server-assigned id comes back as Assigned Client Identifier.
        assigned = connack.get("AssignedClientIdentifier")
        self.assertTrue(assigned, "no Assigned Client Identifier in %r" % connack)
        c.subscribe(self.topic(), 1)
        c.publish(self.topic(), b"self", qos=1)
        self.assertMessage(c.receive(), self.topic(), b"self", 1)
        other = self.make("y", client_id="")
        self.assertNotEqual(other.connect()[2].get("AssignedClientIdentifier"), assigned)

    def test_session_taken_over_disconnect(self):
        # [MQTT-3.1.4-3]: the existing connection gets DISCONNECT 0x8E Session taken over.
        first = self.connected("same")
        second = self.connected("same")
        self.assertEqual(first.server_disconnect_code(), SESSION_TAKEN_OVER)
        self.assertIn("ReasonString", first.disconnect_properties)
        second.subscribe(self.topic(), 1)
        second.publish(self.topic(), b"still here", qos=1)
        self.assertMessage(second.receive(), self.topic(), b"still here", 1)

    def test_request_problem_information(self):
        # A QoS 1 PUBLISH the broker will not take ('$' topics are the server's): the PUBACK
        # carries a failure reason code, with a Reason String only when the client asked for
        # problem information [MQTT-3.1.2-29].
        told = self.connected("told")
        code, ack_props = told.publish("$interop/" + self._testMethodName, b"x", qos=1)
        self.assertGreaterEqual(code, 0x80, "PUBACK 0x%02X for a '$' topic" % code)
        self.assertIn("ReasonString", ack_props)
        quiet = self.connected("quiet", properties=props(PacketTypes.CONNECT,
                                                         RequestProblemInformation=0))
        code, ack_props = quiet.publish("$interop/" + self._testMethodName, b"x", qos=1)
        self.assertGreaterEqual(code, 0x80)
        self.assertNotIn("ReasonString", ack_props)
        self.assertNotIn("UserProperty", ack_props)

    def test_client_maximum_packet_size(self):
        # [MQTT-3.1.2-24]: the server does not send a packet larger than the client's Maximum
        # Packet Size; such a message is discarded for that client (section 3.1.2.11.4), which
        # stays connected.
        small = self.connected("small", properties=props(PacketTypes.CONNECT,
                                                         MaximumPacketSize=128))
        big = self.connected("big")
        for c in (small, big):
            c.subscribe(self.topic(), 1)
        pub = self.connected("pub")
        for payload in (b"fits", b"x" * 400, b"fits too"):
            pub.publish(self.topic(), payload, qos=1)
        self.assertEqual([m.payload for m in small.receive_n(2)], [b"fits", b"fits too"])
        self.assertEqual([m.payload for m in big.receive_n(3)],
                         [b"fits", b"x" * 400, b"fits too"])
        small.expect_nothing()
        self.assertTrue(small.client.is_connected())

    # -- Round trips -----------------------------------------------------------------------------

    def test_round_trip_each_qos(self):
        sub = self.connected("sub")
        pub = self.connected("pub")
        payloads = [b"hello, tern", bytes(range(256)), b"", "grüße ✓".encode("utf-8")]
        for sub_qos in (0, 1, 2):
            topic = self.topic("s%d" % sub_qos)
            self.assertEqual(sub.subscribe(topic, sub_qos), [sub_qos])
            for pub_qos in (0, 1, 2):
                for payload in payloads:
                    with self.subTest(sub_qos=sub_qos, pub_qos=pub_qos, payload=payload[:8]):
                        pub.publish(topic, payload, qos=pub_qos)
                        self.assertMessage(sub.receive(), topic, payload,
                                           min(sub_qos, pub_qos), properties={})
        sub.expect_nothing()

    def test_properties_forwarded_each_qos(self):
        sub = self.connected("sub")
        pub = self.connected("pub")
        self.assertEqual(sub.subscribe(self.topic(), 2), [GRANTED_QOS_2])
        # [MQTT-3.3.2-4] Payload Format Indicator, [MQTT-3.3.2-20] Content Type,
        # [MQTT-3.3.2-15] Response Topic, [MQTT-3.3.2-16] Correlation Data unaltered;
        # [MQTT-3.3.2-17], [MQTT-3.3.2-18] User Properties forwarded in order, duplicates kept.
        sent = {
            "PayloadFormatIndicator": 1,
            "ContentType": "application/json; charset=utf-8",
            "ResponseTopic": self.topic("reply"),
            "CorrelationData": b"\x00\x01corr\xfe\xff",
            "UserProperty": [("b", "2"), ("a", "1"), ("b", "3"), ("ü", "✓"), ("empty", "")],
        }
        for qos in (0, 1, 2):
            with self.subTest(qos=qos):
                pub.publish(self.topic(), b'{"qos": %d}' % qos, qos=qos,
                            properties=props(PacketTypes.PUBLISH, **sent))
                self.assertMessage(sub.receive(), self.topic(), b'{"qos": %d}' % qos, qos,
                                   properties=sent)

    def test_request_response(self):
        requester = self.connected("req")
        responder = self.connected("resp")
        self.assertEqual(responder.subscribe(self.topic("requests"), 1), [GRANTED_QOS_1])
        self.assertEqual(requester.subscribe(self.topic("responses/#"), 1), [GRANTED_QOS_1])
        for i, correlation in enumerate((b"req-1", b"\x00\xffbinary", b"req-3")):
            requester.publish(self.topic("requests"), b"question %d" % i, qos=1,
                              properties=props(PacketTypes.PUBLISH,
                                               ResponseTopic=self.topic("responses/%d" % i),
                                               CorrelationData=correlation))
            request = responder.receive()
            self.assertEqual(request.payload, b"question %d" % i)
            # The responder answers where the request said, echoing the correlation data.
            responder.publish(request.properties.ResponseTopic, b"answer %d" % i, qos=1,
                              properties=props(PacketTypes.PUBLISH,
                                               CorrelationData=request.properties.CorrelationData))
            self.assertMessage(requester.receive(), self.topic("responses/%d" % i),
                               b"answer %d" % i, 1, properties={"CorrelationData": correlation})

    # -- Message expiry --------------------------------------------------------------------------

    def test_message_expiry(self):
        # Section 3.3.2.3.3: a message whose Message Expiry Interval has passed is not sent on
        # [MQTT-3.3.2-5]; the one that is carries the interval minus its time in the server
        # [MQTT-3.3.2-6]. The queued copies wait in an offline session, the retained one in
        # the retained store.
        live = self.connected("live")
        live.subscribe(self.topic("+"), 1)
        away, present = self.persistent("away", expiry=60, clean_start=True)
        self.assertEqual(away.subscribe(self.topic("+"), 1), [GRANTED_QOS_1])
        away.disconnect()
        pub = self.connected("pub")
        pub.publish(self.topic("short"), b"1 s", qos=1,
                    properties=props(PacketTypes.PUBLISH, MessageExpiryInterval=1))
        pub.publish(self.topic("long"), b"60 s", qos=1,
                    properties=props(PacketTypes.PUBLISH, MessageExpiryInterval=60))
        pub.publish(self.topic("retained"), b"retained 1 s", qos=1, retain=True,
                    properties=props(PacketTypes.PUBLISH, MessageExpiryInterval=1))
        pub.publish(self.topic("forever"), b"no expiry", qos=1)
        # The connected subscriber gets all four at once, each with what is left of its
        # interval (the three with one; at most the value sent).
        got = {m.topic: m for m in live.receive_n(4)}
        for suffix, sent in (("short", 1), ("long", 60), ("retained", 1)):
            remaining = props_dict(got[self.topic(suffix)].properties)["MessageExpiryInterval"]
            self.assertLessEqual(remaining, sent, suffix)
            self.assertGreaterEqual(remaining, sent - 1, suffix)
        self.assertNotIn("MessageExpiryInterval", props_dict(got[self.topic("forever")].properties))
        time.sleep(2.5)
        back, present = self.persistent("away", expiry=60)
        self.assertEqual(present, 1)
        got = {m.topic: m for m in back.receive_n(2)}
        self.assertEqual(sorted((t, m.payload) for t, m in got.items()),
                         [(self.topic("forever"), b"no expiry"), (self.topic("long"), b"60 s")])
        back.expect_nothing()
        self.assertNotIn("MessageExpiryInterval",
                         props_dict(got[self.topic("forever")].properties))
        # The 60 s one waited 2.5 s: its interval went down (generous bounds).
        remaining = props_dict(got[self.topic("long")].properties)["MessageExpiryInterval"]
        self.assertLessEqual(remaining, 59, "Message Expiry Interval not reduced after 2.5 s")
        self.assertGreaterEqual(remaining, 50)
        late = self.connected("late")
        late.subscribe(self.topic("retained"), 1)
        late.expect_nothing()  # the retained message expired too
        # The 60 s one, once more from a fresh subscriber through a retained copy: its interval
        # went down while it waited (2.2 s here; generous bounds).
        pub.publish(self.topic("long-retained"), b"r", qos=1, retain=True,
                    properties=props(PacketTypes.PUBLISH, MessageExpiryInterval=60))
        time.sleep(2.2)
        late.subscribe(self.topic("long-retained"), 1)
        m = late.receive()
        self.assertMessage(m, self.topic("long-retained"), b"r", 1, retain=True)
        remaining = props_dict(m.properties)["MessageExpiryInterval"]
        self.assertLessEqual(remaining, 59, "Message Expiry Interval not reduced after 2.2 s")
        self.assertGreaterEqual(remaining, 50)
        pub.publish(self.topic("long-retained"), b"", qos=1, retain=True)

    # -- Subscription identifiers and options -------------------------------------------------

    def test_subscription_identifiers(self):
        sub = self.connected("sub")
        pub = self.connected("pub")
        pub.publish(self.topic("r"), b"retained", qos=1, retain=True)
        self.addCleanup(pub.publish, self.topic("r"), b"", 1, True)
        # One identifier per SUBSCRIBE (section 3.8.2.1.2).
        self.assertEqual(sub.subscribe(self.topic("a/#"), 1, properties=props(
            PacketTypes.SUBSCRIBE, SubscriptionIdentifier=1)), [GRANTED_QOS_1])
        self.assertEqual(sub.subscribe(self.topic("a/+"), 1, properties=props(
            PacketTypes.SUBSCRIBE, SubscriptionIdentifier=268435455)), [GRANTED_QOS_1])
        self.assertEqual(sub.subscribe(self.topic("b"), 1), [GRANTED_QOS_1])
        # A retained message sent for the subscription carries its identifier.
        self.assertEqual(sub.subscribe(self.topic("r"), 1, properties=props(
            PacketTypes.SUBSCRIBE, SubscriptionIdentifier=42)), [GRANTED_QOS_1])
        self.assertMessage(sub.receive(), self.topic("r"), b"retained", 1, retain=True,
                           properties={"SubscriptionIdentifier": [42]})

        # Overlapping subscriptions: one copy with both identifiers, or one copy per
        # subscription with its own [MQTT-3.3.4-3], [MQTT-3.3.4-4], [MQTT-3.3.4-5].
        pub.publish(self.topic("a/x"), b"both", qos=1)
        first = sub.receive()
        self.assertEqual(first.payload, b"both")
        ids = list(props_dict(first.properties).get("SubscriptionIdentifier", []))
        first_ids_copies = [first]
        if len(ids) == 1:
            second = sub.receive()
            self.assertEqual(second.payload, b"both")
            first_ids_copies.append(second)
            ids += props_dict(second.properties).get("SubscriptionIdentifier", [])
        self.assertEqual(sorted(ids), [1, 268435455])
        # Without an identifier in the SUBSCRIBE, none in the PUBLISH.
        pub.publish(self.topic("b"), b"none", qos=1)
        self.assertMessage(sub.receive(), self.topic("b"), b"none", 1, properties={})
        # Subscribing again replaces the subscription, identifier included [MQTT-3.8.4-3].
        sub.subscribe(self.topic("b"), 1, properties=props(PacketTypes.SUBSCRIBE,
                                                           SubscriptionIdentifier=9))
        pub.publish(self.topic("b"), b"nine", qos=1)
        self.assertMessage(sub.receive(), self.topic("b"), b"nine", 1,
                           properties={"SubscriptionIdentifier": [9]})
        # The identifiers belong to the subscription: another subscriber of the same topic
        # without one gets the same message without any.
        plain = self.connected("plain")
        plain.subscribe(self.topic("a/x"), 1)
        pub.publish(self.topic("a/x"), b"plain", qos=1)
        self.assertMessage(plain.receive(), self.topic("a/x"), b"plain", 1, properties={})
        ids = []
        for m in sub.receive_n(len(first_ids_copies)):
            self.assertEqual(m.payload, b"plain")
            ids += props_dict(m.properties)["SubscriptionIdentifier"]
        self.assertEqual(sorted(ids), [1, 268435455])
        sub.expect_nothing()

    def test_no_local(self):
        c = self.connected("c")
        other = self.connected("other")
        self.assertEqual(c.subscribe([
            (self.topic("nl"), SubscribeOptions(qos=1, noLocal=True)),
            (self.topic("local"), SubscribeOptions(qos=1, noLocal=False)),
        ]), [GRANTED_QOS_1, GRANTED_QOS_1])
        # [MQTT-3.8.3-3]: No Local 1, the client's own messages are not sent back.
        c.publish(self.topic("nl"), b"mine", qos=1)
        c.publish(self.topic("local"), b"mine too", qos=1)
        self.assertMessage(c.receive(), self.topic("local"), b"mine too", 1)
        other.publish(self.topic("nl"), b"theirs", qos=1)
        self.assertMessage(c.receive(), self.topic("nl"), b"theirs", 1)
        c.expect_nothing()

    def test_retain_as_published(self):
        rap = self.connected("rap")
        plain = self.connected("plain")
        self.assertEqual(rap.subscribe(self.topic(), options=SubscribeOptions(
            qos=1, retainAsPublished=True)), [GRANTED_QOS_1])
        self.assertEqual(plain.subscribe(self.topic(), options=SubscribeOptions(
            qos=1, retainAsPublished=False)), [GRANTED_QOS_1])
        pub = self.connected("pub")
        self.addCleanup(pub.publish, self.topic(), b"", 1, True)
        pub.publish(self.topic(), b"retained", qos=1, retain=True)
        pub.publish(self.topic(), b"not retained", qos=1)
        # [MQTT-3.3.1-12]: RAP 0, RETAIN 0 when forwarding; [MQTT-3.3.1-13]: RAP 1, as sent.
        self.assertMessage(rap.receive(), self.topic(), b"retained", 1, retain=True)
        self.assertMessage(rap.receive(), self.topic(), b"not retained", 1, retain=False)
        self.assertMessage(plain.receive(), self.topic(), b"retained", 1, retain=False)
        self.assertMessage(plain.receive(), self.topic(), b"not retained", 1, retain=False)
        # Sent because of the subscription: RETAIN 1 whatever the option [MQTT-3.3.1-9].
        late = self.connected("late")
        late.subscribe(self.topic(), options=SubscribeOptions(qos=1, retainAsPublished=False))
        self.assertMessage(late.receive(), self.topic(), b"retained", 1, retain=True)

    def test_retain_handling(self):
        pub = self.connected("pub")
        for suffix in ("0", "1", "2"):
            pub.publish(self.topic(suffix), b"kept " + suffix.encode(), qos=1, retain=True)
            self.addCleanup(pub.publish, self.topic(suffix), b"", 1, True)
        c = self.connected("c")

        def subscribe(suffix, handling):
            return c.subscribe(self.topic(suffix), options=SubscribeOptions(
                qos=1, retainHandling=handling))

        # 0: retained messages at every SUBSCRIBE [MQTT-3.3.1-9].
        for _ in range(2):
            self.assertEqual(subscribe("0", SubscribeOptions.RETAIN_SEND_ON_SUBSCRIBE),
                             [GRANTED_QOS_1])
            self.assertMessage(c.receive(), self.topic("0"), b"kept 0", 1, retain=True)
        # 1: only when the subscription is new [MQTT-3.3.1-10].
        self.assertEqual(subscribe("1", SubscribeOptions.RETAIN_SEND_IF_NEW_SUB),
                         [GRANTED_QOS_1])
        self.assertMessage(c.receive(), self.topic("1"), b"kept 1", 1, retain=True)
        self.assertEqual(subscribe("1", SubscribeOptions.RETAIN_SEND_IF_NEW_SUB),
                         [GRANTED_QOS_1])
        c.expect_nothing()
        # 2: never [MQTT-3.3.1-11]; live messages still come.
        self.assertEqual(subscribe("2", SubscribeOptions.RETAIN_DO_NOT_SEND), [GRANTED_QOS_1])
        c.expect_nothing()
        pub.publish(self.topic("2"), b"live", qos=1)
        self.assertMessage(c.receive(), self.topic("2"), b"live", 1)

    # -- Sessions --------------------------------------------------------------------------------

    def test_session_resumed_with_session_present(self):
        c, present = self.persistent("p", expiry=60, clean_start=True)
        self.assertEqual(present, 0)
        self.assertEqual(c.subscribe([(self.topic("1"), 1), (self.topic("2"), 2)]),
                         [GRANTED_QOS_1, GRANTED_QOS_2])
        c.disconnect()
        pub = self.connected("pub")
        pub.publish(self.topic("1"), b"away 1", qos=1)
        pub.publish(self.topic("2"), b"away 2", qos=2)
        back, present = self.persistent("p", expiry=60)
        self.assertEqual(present, 1, "session present after a reconnect within the interval")
        got = sorted((m.topic, m.payload, m.qos) for m in back.receive_n(2))
        self.assertEqual(got, [(self.topic("1"), b"away 1", 1), (self.topic("2"), b"away 2", 2)])
        pub.publish(self.topic("2"), b"subscriptions kept", qos=2)
        self.assertMessage(back.receive(), self.topic("2"), b"subscriptions kept", 2)
        back.disconnect()
        # Clean Start discards it [MQTT-3.1.2-4].
        fresh, present = self.persistent("p", expiry=60, clean_start=True)
        self.assertEqual(present, 0)
        fresh.expect_nothing()

    def test_session_expires_after_interval(self):
        c, _ = self.persistent("p", expiry=1, clean_start=True)
        c.subscribe(self.topic(), 1)
        c.disconnect()
        pub = self.connected("pub")
        pub.publish(self.topic(), b"for an expired session", qos=1)
        time.sleep(2.5)
        back, present = self.persistent("p", expiry=60)
        self.assertEqual(present, 0, "session outlived its 1 s Session Expiry Interval")
        back.expect_nothing()
        pub.publish(self.topic(), b"nobody", qos=1)
        back.expect_nothing()  # its subscription went with it

    def test_session_expiry_zero_ends_with_connection(self):
        c = self.connected("p")  # no Session Expiry Interval: 0 (section 3.1.2.11.2)
        c.subscribe(self.topic(), 1)
        c.drop()
        back, present = self.persistent("p", expiry=0)
        self.assertEqual(present, 0)

    def test_disconnect_sets_session_expiry(self):
        # The DISCONNECT's Session Expiry Interval replaces the CONNECT's (3.14.2.2.2).
        c, _ = self.persistent("p", expiry=60, clean_start=True)
        c.subscribe(self.topic(), 1)
        c.disconnect(properties=props(PacketTypes.DISCONNECT, SessionExpiryInterval=0))
        back, present = self.persistent("p", expiry=60)
        self.assertEqual(present, 0, "session kept after DISCONNECT with Session Expiry 0")
        back.disconnect(properties=props(PacketTypes.DISCONNECT, SessionExpiryInterval=30))
        again, present = self.persistent("p", expiry=60)
        self.assertEqual(present, 1)

    # -- Wills -----------------------------------------------------------------------------------

    def will(self, payload, delay=None, qos=1, **properties):
        if delay is not None:
            properties["WillDelayInterval"] = delay
        return {"topic": self.topic("will"), "payload": payload, "qos": qos, "retain": False,
                "properties": props(PacketTypes.WILLMESSAGE, **properties) if properties
                else None}

    def test_will_properties_forwarded(self):
        watcher = self.connected("watch")
        watcher.subscribe(self.topic("will"), 1)
        dying = self.connected("dying", will=self.will(
            b"gone", ContentType="text/plain", UserProperty=[("why", "test")],
            ResponseTopic=self.topic("r"), CorrelationData=b"\x01", PayloadFormatIndicator=1))
        dying.drop()
        self.assertMessage(watcher.receive(), self.topic("will"), b"gone", 1, properties={
            "ContentType": "text/plain", "UserProperty": [("why", "test")],
            "ResponseTopic": self.topic("r"), "CorrelationData": b"\x01",
            "PayloadFormatIndicator": 1})

    def test_will_delay_interval(self):
        watcher = self.connected("watch")
        watcher.subscribe(self.topic("will"), 1)
        # The session must outlive the delay, or the will goes when the session ends.
        dying, _ = self.persistent("dying", expiry=30, clean_start=True,
                                   will=self.will(b"delayed", delay=2))
        dropped = time.monotonic()
        dying.drop()
        watcher.expect_nothing(1.0)  # not before the delay (3.1.3.2.2)
        m = watcher.receive(timeout=2 + WAIT)
        elapsed = time.monotonic() - dropped
        self.assertMessage(m, self.topic("will"), b"delayed", 1, properties={})
        self.assertGreaterEqual(elapsed, 1.5, "will published before its 2 s delay")
        watcher.expect_nothing()

    def test_will_message_expiry_starts_at_publication(self):
        # Section 3.1.3.2.3: the will's Message Expiry Interval "is the lifetime of the Will
        # Message in seconds and is sent as the Publication Expiry Interval when the Server
        # publishes the Will Message" -- its clock starts when the will is published, not when
        # the connection was lost. A 1 s lifetime behind a 2 s delay must still arrive, with
        # the 1 s (a live subscriber: no time waiting in the server).
        watcher = self.connected("watch")
        watcher.subscribe(self.topic("will"), 1)
        dying, _ = self.persistent("dying", expiry=30, clean_start=True,
                                   will=self.will(b"short-lived", delay=2,
                                                  MessageExpiryInterval=1))
        dying.drop()
        watcher.expect_nothing(1.0)
        m = watcher.receive(timeout=2 + WAIT)
        self.assertMessage(m, self.topic("will"), b"short-lived", 1,
                           properties={"MessageExpiryInterval": 1})

    def test_will_delay_not_published_when_client_returns(self):
        watcher = self.connected("watch")
        watcher.subscribe(self.topic("will"), 1)
        dying, _ = self.persistent("dying", expiry=30, clean_start=True,
                                   will=self.will(b"must not be sent", delay=2))
        dying.drop()
        back, present = self.persistent("dying", expiry=30)
        self.assertEqual(present, 1)
        # Back before the delay ran out [MQTT-3.1.3-9]: wait past it.
        watcher.expect_nothing(3.0)
        back.disconnect()  # normal disconnect: no will of its own either
        watcher.expect_nothing()

    def test_will_published_when_session_ends_before_delay(self):
        # Will Delay 30 s but Session Expiry 0: the session ends at once, and the will with it
        # (section 3.1.3.2.2: the delay or the end of the session, whichever comes first).
        watcher = self.connected("watch")
        watcher.subscribe(self.topic("will"), 1)
        dying = self.connected("dying", will=self.will(b"session over", delay=30))
        dying.drop()
        self.assertMessage(watcher.receive(), self.topic("will"), b"session over", 1)

    def test_disconnect_with_will_message(self):
        # DISCONNECT 0x04: a normal disconnect that still wants the will (section 3.14.2.1);
        # 0x00 discards it [MQTT-3.14.4-3].
        watcher = self.connected("watch")
        watcher.subscribe(self.topic("will"), 1)
        normal = self.connected("normal", will=self.will(b"discarded"))
        normal.disconnect()
        watcher.expect_nothing()
        leaving = self.connected("leaving", will=self.will(b"wanted"))
        leaving.disconnect(reasoncode=ReasonCodes(PacketTypes.DISCONNECT,
                                                  identifier=DISCONNECT_WITH_WILL))
        self.assertMessage(watcher.receive(), self.topic("will"), b"wanted", 1)

    # -- Shared subscriptions --------------------------------------------------------------------

    def test_shared_subscription(self):
        shared = "$share/g/" + self.topic()
        members = [self.connected("m%d" % i) for i in range(2)]
        for m in members:
            self.assertEqual(m.subscribe(shared, 1), [GRANTED_QOS_1])
        everyone = self.connected("all")
        everyone.subscribe(self.topic(), 1)
        pub = self.connected("pub")
        payloads = [b"job %02d" % i for i in range(10)]
        for p in payloads:
            pub.publish(self.topic(), p, qos=1)
        # Section 4.8.2: each message to exactly one member of the group; a plain subscription
        # alongside gets every message.
        self.assertEqual([m.payload for m in everyone.receive_n(10)], payloads)
        got = []
        for m in members:
            mine = []
            while True:
                try:
                    mine.append(m.receive(QUIET))
                except AssertionError:
                    break
            for msg in mine:
                self.assertEqual((msg.topic, msg.qos), (self.topic(), 1))
            got.append([msg.payload for msg in mine])
        self.assertEqual(sorted(got[0] + got[1]), payloads, "shared messages lost or doubled")
        # shared_subscription_strategy round_robin (the default) takes the members in turn.
        self.assertEqual(sorted(len(g) for g in got), [5, 5])
        # A member that leaves the group gets no more; the other gets all.
        self.assertEqual(members[0].unsubscribe(shared), [SUCCESS])
        for p in payloads[:4]:
            pub.publish(self.topic(), p, qos=1)
        self.assertEqual([m.payload for m in members[1].receive_n(4)], payloads[:4])
        members[0].expect_nothing()

    # -- Topic aliases ---------------------------------------------------------------------------

    def test_topic_alias_from_client(self):
        sub = self.connected("sub")  # no Topic Alias Maximum: gets full topics
        sub.subscribe(self.topic("#"), 1)
        pub = self.connected("pub")
        self.assertEqual(pub.connack[2]["TopicAliasMaximum"], 10)

        def send(topic, alias, payload):
            pub.publish(topic, payload, qos=1,
                        properties=props(PacketTypes.PUBLISH, TopicAlias=alias))

        # Section 3.3.2.3.4: topic + alias sets the mapping, an empty topic uses it, a topic
        # with a mapped alias replaces the mapping.
        send(self.topic("one"), 1, b"a")
        send("", 1, b"b")
        send(self.topic("two"), 10, b"c")
        send("", 10, b"d")
        send(self.topic("three"), 1, b"e")
        send("", 1, b"f")
        send("", 10, b"g")
        expected = [("one", b"a"), ("one", b"b"), ("two", b"c"), ("two", b"d"),
                    ("three", b"e"), ("three", b"f"), ("two", b"g")]
        for suffix, payload in expected:
            # The alias is per connection: not forwarded.
            self.assertMessage(sub.receive(), self.topic(suffix), payload, 1, properties={})
        self.assertTrue(pub.client.is_connected())

    def test_topic_alias_above_maximum(self):
        pub = self.connected("pub")
        # Above the CONNACK's Topic Alias Maximum (10): DISCONNECT 0x94 [MQTT-3.3.2-10].
        pub.client.publish(self.topic(), b"x", qos=1,
                           properties=props(PacketTypes.PUBLISH, TopicAlias=11))
        self.assertEqual(pub.server_disconnect_code(), TOPIC_ALIAS_INVALID)

    def test_unknown_topic_alias(self):
        pub = self.connected("pub")
        # An empty topic with an alias never mapped on this connection: a Protocol Error
        # (section 3.3.2.3.4) or Topic Alias invalid -- either way a DISCONNECT.
        pub.client.publish("", b"x", qos=1, properties=props(PacketTypes.PUBLISH, TopicAlias=3))
        self.assertIn(pub.server_disconnect_code(), (0x82, TOPIC_ALIAS_INVALID))

    def test_topic_alias_to_client(self):
        # A client that allows 2 aliases; the broker (max_topic_alias_broker 10) uses them.
        sub = self.connected("sub", properties=props(PacketTypes.CONNECT, TopicAliasMaximum=2))
        plain = self.connected("plain")
        sub.subscribe(self.topic("#"), 1)
        plain.subscribe(self.topic("#"), 1)
        pub = self.connected("pub")
        sent = [("a", b"1"), ("b", b"2"), ("a", b"3"), ("c", b"4"), ("b", b"5"), ("c", b"6"),
                ("a", b"7")]
        for suffix, payload in sent:
            pub.publish(self.topic(suffix), payload, qos=1)
        aliases = {}
        resolved = []
        used_alias = False
        for m in sub.receive_n(len(sent)):
            alias = props_dict(m.properties).get("TopicAlias")
            if alias is not None:
                # Never above the Topic Alias Maximum the client sent (section 3.3.2.3.4).
                self.assertTrue(1 <= alias <= 2, "alias %d above the client's maximum" % alias)
                if m.topic:
                    aliases[alias] = m.topic
                else:
                    self.assertIn(alias, aliases, "alias %d used before it was set" % alias)
                    used_alias = True
            else:
                self.assertTrue(m.topic, "empty topic without a topic alias")
            resolved.append((m.topic or aliases[alias], m.payload))
        self.assertEqual(resolved, [(self.topic(s), p) for s, p in sent])
        self.assertTrue(used_alias, "the broker never sent a topic by alias alone")
        # Without a Topic Alias Maximum, never an alias (section 3.2.2.3.8 default 0).
        for m in plain.receive_n(len(sent)):
            self.assertTrue(m.topic)
            self.assertNotIn("TopicAlias", props_dict(m.properties))

    # -- Mixed protocol versions -----------------------------------------------------------------

    def test_mixed_versions(self):
        v5 = self.connected("v5")
        v311 = PahoClient(self.broker().port, client_id=self.client_id("v311"),
                          protocol=mqtt.MQTTv311)
        self.clients.append(v311)
        self.assertEqual(v311.connect()[1], 0)
        self.assertEqual(v5.subscribe(self.topic("to-v5"), 2), [GRANTED_QOS_2])
        self.assertEqual(v311.subscribe(self.topic("to-v311"), 2), (2,))
        for qos in (0, 1, 2):
            v5.publish(self.topic("to-v311"), b"from 5.0 at %d" % qos, qos=qos,
                       properties=props(PacketTypes.PUBLISH, ContentType="text/plain",
                                        UserProperty=[("k", "v")], MessageExpiryInterval=60))
            m = v311.receive()
            self.assertEqual((m.topic, m.payload, m.qos),
                             (self.topic("to-v311"), b"from 5.0 at %d" % qos, qos))
            v311.publish(self.topic("to-v5"), b"from 3.1.1 at %d" % qos, qos=qos)
            self.assertMessage(v5.receive(), self.topic("to-v5"), b"from 3.1.1 at %d" % qos,
                               qos, properties={})
        # A retained message from 3.1.1 to a new 5.0 subscriber and the other way round.
        v311.publish(self.topic("r311"), b"kept by 3.1.1", qos=1, retain=True)
        v5.publish(self.topic("r5"), b"kept by 5.0", qos=1, retain=True,
                   properties=props(PacketTypes.PUBLISH, UserProperty=[("k", "v")]))
        self.addCleanup(v5.publish, self.topic("r311"), b"", 1, True)
        self.addCleanup(v5.publish, self.topic("r5"), b"", 1, True)
        v5.subscribe(self.topic("r311"), 1)
        self.assertMessage(v5.receive(), self.topic("r311"), b"kept by 3.1.1", 1, retain=True,
                           properties={})
        v311.subscribe(self.topic("r5"), 1)
        m = v311.receive()
        self.assertEqual((m.topic, m.payload, bool(m.retain)),
                         (self.topic("r5"), b"kept by 5.0", True))
        late5 = self.connected("late5")
        late5.subscribe(self.topic("r5"), 1)
        self.assertMessage(late5.receive(), self.topic("r5"), b"kept by 5.0", 1, retain=True,
                           properties={"UserProperty": [("k", "v")]})

    # -- Reason codes ----------------------------------------------------------------------------

    def test_suback_reason_codes(self):
        c = self.connected("c")
        self.assertEqual(c.subscribe([(self.topic("0"), 0), (self.topic("1"), 1),
                                      (self.topic("2"), 2), (self.topic("+/x/#"), 2)]),
                         [SUCCESS, GRANTED_QOS_1, GRANTED_QOS_2, GRANTED_QOS_2])
        self.assertEqual(c.subscribe([(self.topic("o"), SubscribeOptions(qos=1, noLocal=True,
                                                                         retainAsPublished=True,
                                                                         retainHandling=2))]),
                         [GRANTED_QOS_1])

    def test_unsuback_reason_codes(self):
        c = self.connected("c")
        c.subscribe([(self.topic("a"), 1), (self.topic("b"), 1)])
        # Section 3.11.2.2: 0x00 Success, 0x11 No subscription existed.
        self.assertEqual(c.unsubscribe([self.topic("a"), self.topic("never"), self.topic("b")]),
                         [SUCCESS, NO_SUBSCRIPTION_EXISTED, SUCCESS])
        self.assertEqual(c.unsubscribe(self.topic("a")), [NO_SUBSCRIPTION_EXISTED])

    def test_puback_no_matching_subscribers(self):
        pub = self.connected("pub")
        # Section 3.4.2.1 / 3.5.2.1: 0x10 when nobody is subscribed; the message is accepted.
        self.assertEqual(pub.publish(self.topic(), b"nobody", qos=1)[0],
                         NO_MATCHING_SUBSCRIBERS)
        self.assertEqual(pub.publish(self.topic(), b"nobody", qos=2)[0],
                         NO_MATCHING_SUBSCRIBERS)
        sub = self.connected("sub")
        sub.subscribe(self.topic(), 1)
        self.assertEqual(pub.publish(self.topic(), b"someone", qos=1)[0], SUCCESS)
        self.assertEqual(pub.publish(self.topic(), b"someone", qos=2)[0], SUCCESS)
        self.assertEqual([m.payload for m in sub.receive_n(2)], [b"someone", b"someone"])
        # A retained message with no subscriber yet is still kept.
        self.assertEqual(pub.publish(self.topic("r"), b"kept", qos=1, retain=True)[0],
                         NO_MATCHING_SUBSCRIBERS)
        self.addCleanup(pub.publish, self.topic("r"), b"", 1, True)
        sub.subscribe(self.topic("r"), 1)
        self.assertMessage(sub.receive(), self.topic("r"), b"kept", 1, retain=True)


class TestPahoV5Limits(V5Tests):
    """A broker with the MQTT 5.0 limits turned down: what CONNACK says, and what happens to a
    client that goes beyond."""

    TAG = "v5lim"
    LIMITED = None

    @classmethod
    def setUpClass(cls):
        cls.LIMITED = Broker(["allow_anonymous true", "max_qos 1", "retain_available false",
                              "shared_subscriptions false", "max_topic_alias 2",
                              "max_topic_alias_broker 0", "max_inflight_messages 5",
                              "max_keepalive 30"]).start()

    @classmethod
    def tearDownClass(cls):
        broker, cls.LIMITED = cls.LIMITED, None
        if broker is not None:
            broker.stop()

    def broker(self):
        return self.LIMITED

    def test_connack_properties(self):
        c = self.make("c")  # keepalive 60 asked, above max_keepalive
        flags, rc, connack = c.connect(properties=props(PacketTypes.CONNECT,
                                                        TopicAliasMaximum=5))
        self.assertEqual(connack, {"ReceiveMaximum": 5, "MaximumQoS": 1, "RetainAvailable": 0,
                                   "TopicAliasMaximum": 2, "SharedSubscriptionAvailable": 0,
                                   "ServerKeepAlive": 30})

    def test_subscribe_limits(self):
        c = self.connected("c")
        # Granted QoS at most max_qos [MQTT-3.8.4-6]; 0x9E for a shared subscription.
        self.assertEqual(c.subscribe([(self.topic("q2"), 2), ("$share/g/" + self.topic(), 1),
                                      (self.topic("q0"), 0)]),
                         [GRANTED_QOS_1, SHARED_SUBSCRIPTIONS_NOT_SUPPORTED, SUCCESS])
        c.publish(self.topic("q2"), b"at 1", qos=1)
        self.assertMessage(c.receive(), self.topic("q2"), b"at 1", 1)

    def test_publish_above_maximum_qos(self):
        c = self.connected("c")
        c.client.publish(self.topic(), b"qos 2", qos=2)
        self.assertEqual(c.server_disconnect_code(), QOS_NOT_SUPPORTED)  # [MQTT-3.2.2-11]

    def test_retained_publish_refused(self):
        c = self.connected("c")
        c.client.publish(self.topic(), b"keep me", qos=1, retain=True)
        # Retain Available 0: a retained PUBLISH is answered with DISCONNECT 0x9A (3.2.2.3.5).
        self.assertEqual(c.server_disconnect_code(), RETAIN_NOT_SUPPORTED)

    def test_will_refused(self):
        # [MQTT-3.2.2-12], [MQTT-3.2.2-13]: a will the server cannot honour refuses the CONNECT.
        c = self.make("q", will={"topic": self.topic("w"), "payload": b"w", "qos": 2})
        self.assertEqual(c.connect(expect_rc=None)[1], QOS_NOT_SUPPORTED)
        c = self.make("r", will={"topic": self.topic("w"), "payload": b"w", "qos": 1,
                                 "retain": True})
        self.assertEqual(c.connect(expect_rc=None)[1], RETAIN_NOT_SUPPORTED)

    def test_topic_alias_limits(self):
        sub = self.connected("sub", properties=props(PacketTypes.CONNECT, TopicAliasMaximum=5))
        sub.subscribe(self.topic(), 1)
        pub = self.connected("pub")
        for payload in (b"1", b"2", b"3"):
            pub.publish(self.topic(), payload, qos=1,
                        properties=props(PacketTypes.PUBLISH, TopicAlias=2))
        # max_topic_alias_broker 0: the broker sends no aliases even to a client allowing 5.
        for payload in (b"1", b"2", b"3"):
            self.assertMessage(sub.receive(), self.topic(), payload, 1, properties={})
        pub.client.publish(self.topic(), b"x", qos=1,
                           properties=props(PacketTypes.PUBLISH, TopicAlias=3))
        self.assertEqual(pub.server_disconnect_code(), TOPIC_ALIAS_INVALID)


if __name__ == "__main__":
    unittest.main()
