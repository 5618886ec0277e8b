"""tern_rr against mosquitto_rr: a request, a responder, what each prints of the response.

A responder (paho-mqtt, MQTT 5.0) answers every request on rrq/# by publishing "reply:" and the
request's payload to the request's Response Topic, with its Correlation Data, a Content Type and a
User Property (the request/response pattern of MQTT 5.0 §4.10). Both tools send the same requests,
each with a response topic of its own; their outputs (response topics made neutral), stderr and
exit codes must be equal. A request nobody answers ends with -W's exit code 27.
"""

import os
import re
import shutil
import tempfile
import threading
import unittest

import paho.mqtt.client as mqtt
from paho.mqtt.packettypes import PacketTypes
from paho.mqtt.properties import Properties

from compare_support import (HOST, connection, neutral, run, start_broker, tools, unique,
                             wait_until)

BROKER = None
TMP = None
RESPONDER = None
TST = re.compile(rb'("tst":\s*")[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9:.]{15}Z[+-][0-9]{4}"')


class Responder:
    def __init__(self, port):
        self.ready = threading.Event()
        self.client = mqtt.Client(client_id=unique("responder"), protocol=mqtt.MQTTv5)
        self.client.on_connect = self._on_connect
        self.client.on_subscribe = lambda *args: self.ready.set()
        self.client.on_message = self._on_message
        self.client.connect(HOST, port, 30)
        self.client.loop_start()
        if not self.ready.wait(10):
            raise AssertionError("the responder could not subscribe")

    def _on_connect(self, client, userdata, flags, rc, properties=None):
        client.subscribe("rrq/#", qos=2)

    def _on_message(self, client, userdata, msg):
        request = getattr(msg, "properties", None)
        response_topic = getattr(request, "ResponseTopic", None)
        if not response_topic:
            return  # an MQTT 3.1.1 request has nowhere to go
        props = Properties(PacketTypes.PUBLISH)
        if hasattr(request, "CorrelationData"):
            props.CorrelationData = request.CorrelationData
        props.ContentType = "text/reply"
        props.UserProperty = ("from", "responder")
        client.publish(response_topic, b"reply:" + msg.payload, qos=msg.qos, properties=props)

    def stop(self):
        self.client.disconnect()
        self.client.loop_stop()


def setUpModule():
    global BROKER, TMP, RESPONDER
    TMP = tempfile.mkdtemp(prefix="tern-compare-")
    BROKER = start_broker()
    try:
        RESPONDER = Responder(BROKER.port)
    except BaseException:
        BROKER.stop()
        raise


def tearDownModule():
    global BROKER
    if RESPONDER is not None:
        RESPONDER.stop()
    broker, BROKER = BROKER, None
    if broker is not None:
        broker.stop()
    shutil.rmtree(TMP, ignore_errors=True)


class RequestResponse(unittest.TestCase):
    def setUp(self):
        self.mosquitto_rr, self.tern_rr = tools("rr")

    def compare(self, args, stdin=None, request_topic=None):
        """Runs both tools with `args`; returns mosquitto_rr's (rc, stdout, stderr)."""
        seen = {}
        request = request_topic or unique("rrq/req")
        for label, tool in (("mosquitto", self.mosquitto_rr), ("tern", self.tern_rr)):
            response = unique("rrs/" + label)
            done = run([tool] + connection(BROKER) + ["-t", request, "-e", response, "-W", "5"] +
                       list(args), stdin=stdin)
            out = TST.sub(rb'\1<time>"', done.stdout.replace(response.encode(), b"RESPONSE"))
            err = neutral(done.stderr.replace(response.encode(), b"RESPONSE"))
            seen[label] = (done.returncode, out, err)
        for name, m, t in zip(("exit code", "stdout", "stderr"), seen["mosquitto"], seen["tern"]):
            self.assertEqual(t, m, "%s differs for %s" % (name, args))
        return seen["mosquitto"]

    def test_message(self):
        self.assertEqual(self.compare(["-m", "hello"]), (0, b"reply:hello\n", b""))

    def test_output_options(self):
        self.assertEqual(self.compare(["-m", "x", "-v"])[1], b"RESPONSE reply:x\n")
        self.assertEqual(self.compare(["-m", "x", "-N"])[1], b"reply:x")
        self.assertEqual(self.compare(["-m", "x", "-F", "%t|%p|%C|%P|%q|%r|%l"])[1],
                         b"RESPONSE|reply:x|text/reply|from:responder|0|0|7\n")
        self.compare(["-m", "x", "-F", "%j"])
        self.compare(["-m", "{\"a\": 1}", "-F", "%J", "--pretty"])

    def test_qos(self):
        for qos in ("1", "2"):
            self.assertEqual(self.compare(["-m", "q", "-q", qos, "-F", "%q %p"])[1],
                             b"%s reply:q\n" % qos.encode())

    def test_message_sources(self):
        self.assertEqual(self.compare(["-n", "-F", "[%p]"])[1], b"[reply:]\n")
        # mosquitto_rr 2.0.11 never reads -f's file or stdin (-s) and sends an empty request;
        # tern_rr may send what it was given instead, so only the rest must agree here.
        path = os.path.join(TMP, "request")
        with open(path, "wb") as f:
            f.write(b"from a file")
        for args, stdin, content in ((["-f", path], None, b"from a file"),
                                     (["-s"], b"from stdin", b"from stdin")):
            outputs = []
            for tool in (self.mosquitto_rr, self.tern_rr):
                done = run([tool] + connection(BROKER) + ["-t", unique("rrq/src"), "-e",
                                                          unique("rrs/src"), "-W", "5"] + args,
                           stdin=stdin)
                self.assertEqual(done.returncode, 0, tool)
                self.assertIn(done.stdout, (b"reply:\n", b"reply:" + content + b"\n"), tool)
                outputs.append(done.stdout)
            self.assertEqual(outputs[0], b"reply:\n", "mosquitto_rr's behaviour changed")

    def test_correlation_data(self):
        self.assertEqual(self.compare(["-m", "x", "-D", "publish", "correlation-data", "id-7",
                                       "-F", "%D %p"])[1], b"id-7 reply:x\n")

    def test_nobody_answers(self):
        rc, out, err = self.compare(["-m", "x", "-W", "1"], request_topic=unique("nobody"))
        self.assertEqual((rc, out, err), (27, b"", b"Timed out\n"))

    def test_mqtt311_request_has_no_response_topic(self):
        rc, _, _ = self.compare(["-m", "x", "-V", "311", "-W", "1"])
        self.assertEqual(rc, 27)


if __name__ == "__main__":
    unittest.main()
