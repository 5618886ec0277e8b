#!/usr/bin/python3
"""A stand-in for tern_sub: paho-mqtt receives, tools/common's renderer (format_probe) prints.

Understands the tern_sub flags test_sub_output.py uses: -h -p -i -t -T -q -C -W -V -R and
-D subscribe subscription-identifier N for the subscription; -F -v -N --pretty go to the probe.
Exits like mosquitto_sub: 0 after -C messages, 27 with "Timed out" after -W seconds. The probe's
path is in FORMAT_PROBE.
"""

import os
import subprocess
import sys
import threading
import time

import paho.mqtt.client as mqtt
from paho.mqtt.packettypes import PacketTypes
from paho.mqtt.properties import Properties
from paho.mqtt.subscribeoptions import SubscribeOptions


def main(argv):
    host, port, cid, qos, count, timeout = "localhost", 1883, "", 0, 0, 0
    version, no_retain, subscription_id = 4, False, None
    topics, filter_outs, probe_args = [], [], []
    i = 0
    while i < len(argv):
        a = argv[i]
        value = argv[i + 1] if i + 1 < len(argv) else None
        if a in ("-h", "-p", "-i", "-t", "-T", "-q", "-C", "-W", "-V", "-F"):
            i += 1
        if a == "-h":
            host = value
        elif a == "-p":
            port = int(value)
        elif a == "-i":
            cid = value
        elif a == "-t":
            topics.append(value)
        elif a == "-T":
            filter_outs.append(value)
        elif a == "-q":
            qos = int(value)
        elif a == "-C":
            count = int(value)
        elif a == "-W":
            timeout = int(value)
        elif a == "-V":
            version = {"5": 5, "mqttv5": 5, "31": 3, "mqttv31": 3}.get(value, 4)
        elif a == "-R":
            no_retain = True
        elif a == "-D" and argv[i + 1:i + 3] == ["subscribe", "subscription-identifier"]:
            subscription_id = int(argv[i + 3])
            version = 5
            i += 3
        elif a == "-F":
            probe_args += ["-F", value]
        elif a in ("-v", "-N", "--pretty"):
            probe_args.append(a)
        else:
            sys.stderr.write("probe_sub.py: unsupported flag %s\n" % a)
            return 1
        i += 1

    probe = subprocess.Popen([os.environ["FORMAT_PROBE"], "-t", "#"] + probe_args,
                             stdin=subprocess.PIPE)
    protocol = {3: mqtt.MQTTv31, 4: mqtt.MQTTv311, 5: mqtt.MQTTv5}[version]
    if version == 5:
        client = mqtt.Client(client_id=cid, protocol=protocol)
    else:
        client = mqtt.Client(client_id=cid, clean_session=True, protocol=protocol)
    state = {"received": 0, "rc": 0}

    def on_connect(c, userdata, flags, rc, properties=None):
        if version == 5:
            props = None
            if subscription_id is not None:
                props = Properties(PacketTypes.SUBSCRIBE)
                props.SubscriptionIdentifier = subscription_id
            options = SubscribeOptions(qos=qos, retainHandling=2 if no_retain else 0)
            c.subscribe([(t, options) for t in topics], properties=props)
        else:
            c.subscribe([(t, qos) for t in topics])

    def on_message(c, userdata, msg):
        received = time.time_ns()
        if no_retain and msg.retain:
            return
        topic = msg._topic.decode("utf-8")
        if any(mqtt.topic_matches_sub(f, topic) for f in filter_outs):
            return
        hexed = lambda b: b.hex() if b else "-"
        fields = [hexed(msg._topic), hexed(msg.payload), str(msg.qos), str(int(msg.retain)),
                  str(msg.mid if msg.qos else 0), str(received // 10**9),
                  str(received % 10**9)]
        p = getattr(msg, "properties", None)
        if p is not None:
            if hasattr(p, "PayloadFormatIndicator"):
                fields.append("pfi=%d" % p.PayloadFormatIndicator)
            if hasattr(p, "MessageExpiryInterval"):
                fields.append("exp=%d" % p.MessageExpiryInterval)
            if hasattr(p, "ContentType"):
                fields.append("ct=" + p.ContentType.encode().hex())
            if hasattr(p, "ResponseTopic"):
                fields.append("rt=" + p.ResponseTopic.encode().hex())
            if hasattr(p, "CorrelationData"):
                fields.append("cd=" + bytes(p.CorrelationData).hex())
            if hasattr(p, "SubscriptionIdentifier"):
                ids = p.SubscriptionIdentifier
                for sid in ids if isinstance(ids, list) else [ids]:
                    fields.append("sid=%d" % sid)
            if hasattr(p, "TopicAlias"):
                fields.append("ta=%d" % p.TopicAlias)
            for key, value in getattr(p, "UserProperty", []):
                fields.append("up=%s:%s" % (key.encode().hex(), value.encode().hex()))
        probe.stdin.write((" ".join(fields) + "\n").encode())
        probe.stdin.flush()
        state["received"] += 1
        if count and state["received"] >= count:
            c.disconnect()

    def on_timeout():
        state["rc"] = 27
        client.disconnect()

    client.on_connect = on_connect
    client.on_message = on_message
    if timeout:
        timer = threading.Timer(timeout, on_timeout)
        timer.daemon = True
        timer.start()
    client.connect(host, port, 60)
    client.loop_forever()
    probe.stdin.close()
    probe_rc = probe.wait()
    if state["rc"] == 27:
        sys.stderr.write("Timed out\n")
        return 27
    return probe_rc


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
