"""A thin, test-friendly wrapper around a paho-mqtt 1.6 client (Debian python3-paho-mqtt).

Every wait has a timeout. The paho network loop runs in paho's own thread (loop_start); the
callbacks only record what happened (queues, events), and the test thread waits on those.
"""

import queue
import threading
import time

import paho.mqtt.client as mqtt

from interop_broker import HOST

WAIT = 5.0  # seconds to wait for something that should happen
QUIET = 0.3  # seconds to wait for something that should not happen (always paid in full)

PROTOCOL_NAMES = {mqtt.MQTTv31: "3.1", mqtt.MQTTv311: "3.1.1"}


class PahoClient:
    def __init__(self, port, client_id="", clean_session=True, protocol=mqtt.MQTTv311,
                 username=None, password=None, keepalive=60, will=None, client=None):
        """client: a paho client made by the caller (an MQTT 5.0 one, say), in which case
        client_id, clean_session and protocol are the caller's business."""
        self.port = port
        self.keepalive = keepalive
        # No automatic reconnects: a test decides when to connect again.
        if client is None:
            client = mqtt.Client(client_id=client_id, clean_session=clean_session,
                                 protocol=protocol, reconnect_on_failure=False)
        self.client = client
        if username is not None:
            self.client.username_pw_set(username, password)
        if will is not None:
            self.client.will_set(**will)
        self.messages = queue.Queue()
        self.connack = None  # (flags dict, rc) of the first CONNACK
        self._connected = threading.Event()
        self.disconnect_rc = None
        self._disconnected = threading.Event()
        self._lock = threading.Condition()
        self._acks = {}  # mid -> granted QoS tuple (SUBACK) or True (UNSUBACK)
        self.log_lines = []
        self.client.on_connect = self._on_connect
        self.client.on_disconnect = self._on_disconnect
        self.client.on_message = self._on_message
        self.client.on_subscribe = self._on_subscribe
        self.client.on_unsubscribe = self._on_unsubscribe
        self.client.on_log = self._on_log
        self._looping = False

    # Callbacks (paho's thread).
    def _on_connect(self, client, userdata, flags, rc):
        if self.connack is None:
            self.connack = (dict(flags), rc)
        self._connected.set()

    def _on_disconnect(self, client, userdata, rc):
        self.disconnect_rc = rc
        self._disconnected.set()

    def _on_message(self, client, userdata, message):
        self.messages.put(message)

    def _on_subscribe(self, client, userdata, mid, granted_qos):
        with self._lock:
            self._acks[mid] = tuple(granted_qos)
            self._lock.notify_all()

    def _on_unsubscribe(self, client, userdata, mid):
        with self._lock:
            self._acks[mid] = True
            self._lock.notify_all()

    def _on_log(self, client, userdata, level, buf):
        with self._lock:
            self.log_lines.append((time.monotonic(), buf))

    # Test-thread API.
    def connect(self, expect_rc=0):
        """Connects, runs the loop, and waits for CONNACK; returns its (flags, rc)."""
        self.client.connect(HOST, self.port, keepalive=self.keepalive)
        self.client.loop_start()
        self._looping = True
        if not self._connected.wait(WAIT):
            raise AssertionError("no CONNACK within %.0f s" % WAIT)
        flags, rc = self.connack
        if expect_rc is not None and rc != expect_rc:
            raise AssertionError("CONNACK return code %d (%s), expected %d" %
                                 (rc, mqtt.connack_string(rc), expect_rc))
        return flags, rc

    def _wait_ack(self, mid):
        deadline = time.monotonic() + WAIT
        with self._lock:
            while mid not in self._acks:
                left = deadline - time.monotonic()
                if left <= 0:
                    raise AssertionError("no SUBACK/UNSUBACK for mid %d within %.0f s" %
                                         (mid, WAIT))
                self._lock.wait(left)
            return self._acks.pop(mid)

    def subscribe(self, topic, qos=0, options=None, properties=None):
        """Subscribes to one filter or a list of (filter, qos); returns the granted QoS tuple.
        options, properties: MQTT 5.0 only, passed to paho."""
        rc, mid = self.client.subscribe(topic, qos, options=options, properties=properties)
        if rc != mqtt.MQTT_ERR_SUCCESS:
            raise AssertionError("subscribe failed locally: %s" % mqtt.error_string(rc))
        return self._wait_ack(mid)

    def unsubscribe(self, topic, properties=None):
        """Returns what the UNSUBACK callback recorded (True before MQTT 5.0)."""
        rc, mid = self.client.unsubscribe(topic, properties=properties)
        if rc != mqtt.MQTT_ERR_SUCCESS:
            raise AssertionError("unsubscribe failed locally: %s" % mqtt.error_string(rc))
        return self._wait_ack(mid)

    def publish(self, topic, payload, qos=0, retain=False, properties=None):
        """Publishes and waits until paho considers it done (PUBACK/PUBCOMP for QoS 1/2);
        returns paho's MQTTMessageInfo."""
        info = self.client.publish(topic, payload, qos=qos, retain=retain,
                                   properties=properties)
        info.wait_for_publish(timeout=WAIT)
        if not info.is_published():
            raise AssertionError("QoS %d publish to %r not acknowledged within %.0f s" %
                                 (qos, topic, WAIT))
        return info

    def receive(self, timeout=WAIT):
        try:
            return self.messages.get(timeout=timeout)
        except queue.Empty:
            raise AssertionError("no message within %.1f s" % timeout) from None

    def receive_n(self, n, timeout=WAIT):
        deadline = time.monotonic() + timeout
        got = []
        for _ in range(n):
            left = max(0.0, deadline - time.monotonic())
            try:
                got.append(self.messages.get(timeout=left))
            except queue.Empty:
                raise AssertionError("received %d of %d messages within %.1f s: %r" %
                                     (len(got), n, timeout,
                                      [(m.topic, m.payload) for m in got])) from None
        return got

    def expect_nothing(self, quiet=QUIET):
        """Fails if a message arrives within `quiet` seconds."""
        try:
            m = self.messages.get(timeout=quiet)
        except queue.Empty:
            return
        raise AssertionError("unexpected message: topic %r payload %r retain %r" %
                             (m.topic, m.payload[:64], m.retain))

    def wait_disconnected(self, timeout=WAIT):
        return self._disconnected.wait(timeout)

    def is_connected(self):
        return self.client.is_connected() and not self._disconnected.is_set()

    def log_count(self, text):
        with self._lock:
            return sum(1 for _, line in self.log_lines if text in line)

    def _stop_loop(self):
        """loop_stop() without waiting up to a second for paho's select() to time out."""
        if self._looping:
            self.client._thread_terminate = True
            wake = self.client._sockpairW
            if wake is not None:
                try:
                    wake.send(b"0")
                except OSError:
                    pass
            self.client.loop_stop()
            self._looping = False

    def disconnect(self, reasoncode=None, properties=None):
        """Clean disconnect: sends DISCONNECT (MQTT 5.0: with an optional reason code and
        properties), then stops the loop."""
        if self._looping:
            self.client.disconnect(reasoncode=reasoncode, properties=properties)
            self._disconnected.wait(WAIT)
            self.client.loop_stop()
            self._looping = False

    def drop(self):
        """Abnormal disconnect: stops the loop and closes the socket without a DISCONNECT."""
        self._stop_loop()
        sock = self.client._sock  # paho 1.6 keeps the socket here
        if sock is not None:
            sock.close()
            self.client._sock = None

    def silence(self):
        """Stops the network loop but keeps the socket open: no more PINGREQs are sent."""
        self._stop_loop()

    def close(self):
        """Best-effort cleanup for tearDown: never raises."""
        try:
            if self._looping:
                self.client.disconnect()
                self.client.loop_stop()
                self._looping = False
            elif self.client._sock is not None:
                self.client._sock.close()
                self.client._sock = None
        except Exception:  # noqa: BLE001 - cleanup only
            pass
