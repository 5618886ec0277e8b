"""Interop: tern's password file (made by the real mosquitto_passwd) with paho-mqtt 1.6.1.

The broker runs with `allow_anonymous false` and a copy of tests/auth/data/mosquitto_passwd.txt
(users: alice/secret, bob/pässwörd, carol/legacy-sha512 (a $6$ hash), dave.üser/x, ...).
Also the "remote light" flow of the seed: an authenticated 3.1.1 client with keepalive 30
subscribes to its topic, another switches it on and off, and the first pings the broker.
"""

import time
import unittest

import paho.mqtt.client as mqtt

from interop_broker import Broker, wait_until
from paho_client import PahoClient, WAIT

BROKER = None

CONNACK_BAD_USERNAME_OR_PASSWORD = 4
CONNACK_NOT_AUTHORIZED = 5


def setUpModule():
    global BROKER
    BROKER = Broker(["allow_anonymous false"], copy_password_file=True).start()


def tearDownModule():
    global BROKER
    broker, BROKER = BROKER, None
    if broker is not None:
        broker.stop()


class AuthTests:
    PROTOCOL = None

    def setUp(self):
        self.clients = []
        self.tag = "v31" if self.PROTOCOL == mqtt.MQTTv31 else "v311"

    def tearDown(self):
        for c in self.clients:
            c.close()
        self.assertTrue(BROKER.alive(), "tern died during the test; log:\n" + BROKER.log())

    def attempt(self, client_id, username=None, password=None, **kwargs):
        """Connects and returns (client, rc); a refused client is stopped at once."""
        kwargs.setdefault("protocol", self.PROTOCOL)
        c = PahoClient(BROKER.port, client_id=("%s-%s" % (self.tag, client_id))[:23],
                       username=username, password=password, **kwargs)
        self.clients.append(c)
        _, rc = c.connect(expect_rc=None)
        if rc != 0:
            c.silence()  # paho itself closes after a refusing CONNACK; do not let it retry
        return c, rc

    def test_valid_users(self):
        for user, password in [("alice", "secret"), ("bob", "pässwörd"),
                               ("carol", "legacy-sha512"), ("dave.üser", "x")]:
            with self.subTest(user=user):
                c, rc = self.attempt("ok-" + user[:4], user, password)
                self.assertEqual(rc, 0, mqtt.connack_string(rc))
                c.disconnect()

    def test_wrong_password_refused_with_bad_username_or_password(self):
        for user, password in [("alice", "wrong"), ("alice", "Secret"), ("alice", ""),
                               ("bob", "secret"), ("alice", "secret ")]:
            with self.subTest(user=user, password=password):
                _, rc = self.attempt("bad", user, password)
                self.assertEqual(rc, CONNACK_BAD_USERNAME_OR_PASSWORD, mqtt.connack_string(rc))

    def test_unknown_user_refused(self):
        _, rc = self.attempt("unknown", "mallory", "secret")
        self.assertEqual(rc, CONNACK_BAD_USERNAME_OR_PASSWORD, mqtt.connack_string(rc))

    def test_username_without_password_refused(self):
        _, rc = self.attempt("nopw", "alice", None)
        self.assertEqual(rc, CONNACK_BAD_USERNAME_OR_PASSWORD, mqtt.connack_string(rc))

    def test_anonymous_refused_not_authorized(self):
        _, rc = self.attempt("anon")
        self.assertEqual(rc, CONNACK_NOT_AUTHORIZED, mqtt.connack_string(rc))

    def test_refused_client_cannot_publish(self):
        watcher, rc = self.attempt("watch", "alice", "secret")
        self.assertEqual(rc, 0)
        watcher.subscribe("auth/%s/refused" % self.tag, 1)
        _, rc = self.attempt("intruder", "alice", "nope",
                             will={"topic": "auth/%s/refused" % self.tag, "payload": b"will",
                                   "qos": 1})
        self.assertNotEqual(rc, 0)
        # The refused client's will must not be published either.
        watcher.expect_nothing()


class TestAuthMQTTv311(AuthTests, unittest.TestCase):
    PROTOCOL = mqtt.MQTTv311

    def test_remote_light(self):
        topic = "home/livingroom/light"
        light, rc = self.attempt("light", "alice", "secret", keepalive=30)
        self.assertEqual(rc, 0)
        self.assertEqual(light.subscribe(topic, 1), (1,))
        switch, rc = self.attempt("switch", "bob", "pässwörd")
        self.assertEqual(rc, 0)
        switch.publish(topic, b"on", qos=1)
        switch.publish(topic, b"off", qos=1)
        got = light.receive_n(2)
        self.assertEqual([(m.topic, m.payload) for m in got], [(topic, b"on"), (topic, b"off")])

        # An explicit PINGREQ (paho 1.6's internal _send_pingreq) is answered with a PINGRESP.
        before = light.log_count("Received PINGRESP")
        self.assertTrue(hasattr(light.client, "_send_pingreq"))
        light.client._send_pingreq()
        self.assertTrue(wait_until(lambda: light.log_count("Received PINGRESP") > before, WAIT),
                        "no PINGRESP")
        self.assertTrue(light.is_connected())
        switch.publish(topic, b"on", qos=0)
        self.assertEqual(light.receive().payload, b"on")
        light.expect_nothing()

    def test_keepalive_2_stays_connected(self):
        c, rc = self.attempt("ka", "alice", "secret", keepalive=2)
        self.assertEqual(rc, 0)
        start = time.monotonic()
        while time.monotonic() - start < 3.5:
            self.assertTrue(c.is_connected(), "broker dropped a pinging client")
            time.sleep(0.1)
        self.assertGreaterEqual(c.log_count("Received PINGRESP"), 1)


class TestAuthMQTTv31(AuthTests, unittest.TestCase):
    PROTOCOL = mqtt.MQTTv31


if __name__ == "__main__":
    unittest.main()
