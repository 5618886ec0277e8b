#!/usr/bin/python3
"""Writes the seed corpora of the fuzz targets: corpus/decode/, corpus/topic/, corpus/framer/.

The packets are encoded here, independently of the codec, from the MQTT 3.1, 3.1.1 and 5.0
specifications: every packet type each version has, from the side that sends it, with and without
the optional parts. Each seed starts with the prefix bytes its harness reads (see the comment at
the top of fuzz_decode.cpp and fuzz_framer.cpp). Run it from anywhere; it replaces the three
folders. The checked-in corpus is its output: keep the two in step.
"""

import os
import shutil
import struct

HERE = os.path.dirname(os.path.abspath(__file__))

V31, V311, V5 = 3, 4, 5
CLIENT, SERVER = 0, 1

# ---- Wire primitives ------------------------------------------------------------------------


def varint(n):
    out = bytearray()
    while True:
        byte = n % 128
        n //= 128
        if n:
            out.append(byte | 0x80)
        else:
            out.append(byte)
            return bytes(out)


def u16(n):
    return struct.pack(">H", n)


def u32(n):
    return struct.pack(">I", n)


def string(s):
    data = s.encode() if isinstance(s, str) else s
    return u16(len(data)) + data


def packet(ptype, flags, body):
    return bytes([ptype << 4 | flags]) + varint(len(body)) + body


# Properties: (identifier, encoded value) pairs.
def p_byte(pid, v):
    return bytes([pid, v])


def p_u16(pid, v):
    return bytes([pid]) + u16(v)


def p_u32(pid, v):
    return bytes([pid]) + u32(v)


def p_var(pid, v):
    return bytes([pid]) + varint(v)


def p_str(pid, s):
    return bytes([pid]) + string(s)


def p_user(name, value):
    return bytes([0x26]) + string(name) + string(value)


def props(*items):
    body = b"".join(items)
    return varint(len(body)) + body


# ---- Packets --------------------------------------------------------------------------------


def connect(version, client_id, clean=True, keep_alive=60, will=None, username=None,
            password=None, properties=b"", will_properties=b""):
    name = "MQIsdp" if version == V31 else "MQTT"
    flags = 0x02 if clean else 0
    if will:
        topic, payload, qos, retain = will
        flags |= 0x04 | qos << 3 | (0x20 if retain else 0)
    if username is not None:
        flags |= 0x80
    if password is not None:
        flags |= 0x40
    body = string(name) + bytes([version, flags]) + u16(keep_alive)
    if version == V5:
        body += props(properties)
    body += string(client_id)
    if will:
        if version == V5:
            body += props(will_properties)
        body += string(topic) + string(payload)
    if username is not None:
        body += string(username)
    if password is not None:
        body += string(password)
    return packet(1, 0, body)


def connack(version, session_present=False, code=0, properties=b""):
    body = bytes([1 if session_present else 0, code])
    if version == V5:
        body += props(properties)
    return packet(2, 0, body)


def publish(version, topic, payload, qos=0, packet_id=1, retain=False, dup=False,
            properties=b""):
    flags = (0x08 if dup else 0) | qos << 1 | (1 if retain else 0)
    body = string(topic)
    if qos:
        body += u16(packet_id)
    if version == V5:
        body += props(properties)
    return packet(3, flags, body + payload)


def pub_response(ptype, version, packet_id, code=None, properties=None):
    body = u16(packet_id)
    if version == V5 and code is not None:
        body += bytes([code])
        if properties is not None:
            body += props(properties)
    return packet(ptype, 0x02 if ptype == 6 else 0, body)


def subscribe(version, packet_id, subscriptions, properties=b""):
    body = u16(packet_id)
    if version == V5:
        body += props(properties)
    for topic_filter, options in subscriptions:
        body += string(topic_filter) + bytes([options])
    return packet(8, 0x02, body)


def suback(version, packet_id, codes, properties=b""):
    body = u16(packet_id)
    if version == V5:
        body += props(properties)
    return packet(9, 0, body + bytes(codes))


def unsubscribe(version, packet_id, filters, properties=b""):
    body = u16(packet_id)
    if version == V5:
        body += props(properties)
    for topic_filter in filters:
        body += string(topic_filter)
    return packet(10, 0x02, body)


def unsuback(version, packet_id, codes=(), properties=b""):
    body = u16(packet_id)
    if version == V5:
        body += props(properties) + bytes(codes)
    return packet(11, 0, body)


def pingreq():
    return packet(12, 0, b"")


def pingresp():
    return packet(13, 0, b"")


def disconnect(version, code=None, properties=None):
    body = b""
    if version == V5 and code is not None:
        body = bytes([code])
        if properties is not None:
            body += props(properties)
    return packet(14, 0, body)


def auth(code, properties=None):
    body = bytes([code])
    if properties is not None:
        body += props(properties)
    return packet(15, 0, body)


# ---- Seeds ----------------------------------------------------------------------------------


def common_packets(v):
    """(name, sender, bytes) for the packets every version has."""
    will = ("last/will", b"gone", 1, True)
    out = [
        ("connect-minimal", CLIENT, connect(v, "c1")),
        ("connect-will-auth", CLIENT,
         connect(v, "client-42", clean=False, keep_alive=300, will=will, username="user",
                 password=b"\x00secret\xff")),
        ("connack", SERVER, connack(v, session_present=(v != V31))),
        ("connack-refused", SERVER, connack(v, code=2 if v != V5 else 0x85)),
        ("publish-qos0", CLIENT, publish(v, "sensor/42/temperature", b"21.5")),
        ("publish-qos1-retain", CLIENT,
         publish(v, "a/b", b"\x00\x01\x02", qos=1, packet_id=7, retain=True)),
        ("publish-qos2-dup", SERVER,
         publish(v, "caf\xe9/\u00fc", b"x" * 40, qos=2, packet_id=65535, dup=True)),
        ("puback", CLIENT, pub_response(4, v, 7)),
        ("pubrec", SERVER, pub_response(5, v, 8)),
        ("pubrel", CLIENT, pub_response(6, v, 8)),
        ("pubcomp", SERVER, pub_response(7, v, 8)),
        ("subscribe", CLIENT, subscribe(v, 10, [("sensor/+/temperature", 1), ("#", 0),
                                                ("a/b", 2)])),
        ("suback", SERVER, suback(v, 10, [1, 0, 0x80])),
        ("unsubscribe", CLIENT, unsubscribe(v, 11, ["sensor/+/temperature", "#"])),
        ("unsuback", SERVER, unsuback(v, 11, [0, 0x11] if v == V5 else ())),
        ("pingreq", CLIENT, pingreq()),
        ("pingresp", SERVER, pingresp()),
        ("disconnect", CLIENT, disconnect(v)),
    ]
    return out


def v5_packets():
    v = V5
    will = ("will/topic", b"bye", 2, False)
    return [
        ("connect-props", CLIENT,
         connect(v, "", will=will, username="u", password=b"p",
                 properties=props_body(p_u32(0x11, 3600), p_u16(0x21, 100), p_u32(0x27, 65536),
                                       p_u16(0x22, 10), p_byte(0x19, 1), p_byte(0x17, 0),
                                       p_user("k", "v"), p_str(0x15, "SCRAM"),
                                       p_str(0x16, b"\x01\x02")),
                 will_properties=props_body(p_u32(0x18, 5), p_byte(0x01, 1), p_u32(0x02, 60),
                                            p_str(0x03, "text/plain"), p_str(0x08, "resp/t"),
                                            p_str(0x09, b"corr"), p_user("a", "b")))),
        ("connack-props", SERVER,
         connack(v, properties=props_body(p_u32(0x11, 0), p_u16(0x21, 20), p_byte(0x24, 1),
                                          p_byte(0x25, 0), p_u32(0x27, 1024),
                                          p_str(0x12, "auto-1"), p_u16(0x22, 5),
                                          p_str(0x1F, "ok"), p_user("x", "y"), p_byte(0x28, 1),
                                          p_byte(0x29, 1), p_byte(0x2A, 0), p_u16(0x13, 30),
                                          p_str(0x1A, "info"), p_str(0x1C, "other:1883")))),
        ("publish-props", CLIENT,
         publish(v, "a/b", b"{}", qos=1, packet_id=3,
                 properties=props_body(p_byte(0x01, 1), p_u32(0x02, 10), p_u16(0x23, 4),
                                       p_str(0x08, "reply/here"), p_str(0x09, b"\xff\x00"),
                                       p_user("n", "1"), p_user("n", "2"),
                                       p_str(0x03, "application/json")))),
        ("publish-alias-only", CLIENT,
         publish(v, "", b"z", properties=props_body(p_u16(0x23, 1)))),
        ("publish-subids", SERVER,
         publish(v, "a/b", b"", properties=props_body(p_var(0x0B, 1), p_var(0x0B, 268435455)))),
        ("puback-reason-props", SERVER,
         pub_response(4, v, 9, 0x10, props_body(p_str(0x1F, "nobody"), p_user("k", "v")))),
        ("pubrec-reason", CLIENT, pub_response(5, v, 9, 0x80)),
        ("pubrel-reason", SERVER, pub_response(6, v, 9, 0x92, b"")),
        ("pubcomp-reason", CLIENT, pub_response(7, v, 9, 0x00, props_body(p_str(0x1F, "")))),
        ("subscribe-options", CLIENT,
         subscribe(v, 12, [("$share/group/sensor/#", 0x22), ("x/+", 0x1D), ("y", 0x0C)],
                   properties=props_body(p_var(0x0B, 77), p_user("s", "t")))),
        ("suback-props", SERVER,
         suback(v, 12, [0, 1, 2, 0x80, 0x83, 0x87, 0x8F, 0x91, 0x97, 0x9E, 0xA1, 0xA2],
                properties=props_body(p_str(0x1F, "r")))),
        ("unsubscribe-props", CLIENT,
         unsubscribe(v, 13, ["$share/g/a"], properties=props_body(p_user("u", "v")))),
        ("unsuback-props", SERVER,
         unsuback(v, 13, [0x00, 0x11, 0x80, 0x83, 0x87, 0x8F, 0x91],
                  properties=props_body(p_str(0x1F, "done")))),
        ("disconnect-client", CLIENT,
         disconnect(v, 0x04, props_body(p_u32(0x11, 120), p_str(0x1F, "bye"),
                                        p_user("k", "v")))),
        ("disconnect-server", SERVER,
         disconnect(v, 0x9C, props_body(p_str(0x1C, "elsewhere"), p_str(0x1F, "moved")))),
        ("disconnect-reason-only", SERVER, disconnect(v, 0x8E)),
        ("auth-continue", CLIENT,
         auth(0x18, props_body(p_str(0x15, "SCRAM"), p_str(0x16, b"\x00\x01"),
                               p_str(0x1F, "step"), p_user("a", "b")))),
        ("auth-success", SERVER, auth(0x00, b"")),
    ]


def props_body(*items):
    return b"".join(items)


def decode_prefix(version, sender, max_index=0, chunk=0):
    version_bits = {V31: 0, V311: 1, V5: 2}[version]
    return bytes([version_bits | sender << 2 | max_index << 3, chunk])


def write(folder, name, data):
    with open(os.path.join(folder, name), "wb") as f:
        f.write(data)


def reset(name):
    folder = os.path.join(HERE, "corpus", name)
    shutil.rmtree(folder, ignore_errors=True)
    os.makedirs(folder)
    return folder


def make_decode():
    folder = reset("decode")
    names = {V31: "v31", V311: "v311", V5: "v5"}
    # MQTT 3.1 differs from 3.1.1 in CONNECT and CONNACK only; the 5.0 variants below cover the
    # rest of 5.0. That keeps the corpus to about 60 seeds.
    skip = {
        V31: {"connect-minimal", "publish-qos0", "publish-qos2-dup", "puback", "pubrec", "pubrel",
              "pubcomp", "subscribe", "unsubscribe", "pingresp", "disconnect"},
        V311: set(),
        V5: {"pingreq", "pingresp", "subscribe", "unsubscribe", "suback", "unsuback",
             "disconnect"},
    }
    for v in (V31, V311, V5):
        for name, sender, data in common_packets(v):
            if name in skip[v]:
                continue
            write(folder, "%s-%s-%s" % (names[v], "server" if sender else "client", name),
                  decode_prefix(v, sender) + data)
    for name, sender, data in v5_packets():
        write(folder, "v5-%s-%s" % ("server" if sender else "client", name),
              decode_prefix(V5, sender) + data)
    # Streams of several packets, fed in small chunks and against a small maximum size.
    client_stream = (connect(V311, "s") + subscribe(V311, 1, [("a/#", 1)]) +
                     publish(V311, "a/b", b"hello", qos=1, packet_id=2) + pub_response(4, V311, 3) +
                     pingreq() + disconnect(V311))
    write(folder, "stream-v311-client-chunks1", decode_prefix(V311, CLIENT, 0, 1) + client_stream)
    write(folder, "stream-v311-client-chunks7", decode_prefix(V311, CLIENT, 0, 7) + client_stream)
    server_stream = (connack(V5, properties=props_body(p_u16(0x21, 10))) +
                     suback(V5, 1, [1]) + publish(V5, "a/b", b"x" * 100, qos=1, packet_id=5,
                                                  properties=props_body(p_var(0x0B, 3))) +
                     pingresp() + disconnect(V5, 0x8B))
    write(folder, "stream-v5-server-chunks3", decode_prefix(V5, SERVER, 0, 3) + server_stream)
    write(folder, "stream-v5-server-max64", decode_prefix(V5, SERVER, 4, 0) + server_stream)
    # A 2-byte Remaining Length, fed in chunks of up to 40 bytes.
    write(folder, "v5-client-publish-large",
          decode_prefix(V5, CLIENT, 0, 40) + publish(V5, "big", bytes(range(256)), qos=1))


def make_topic():
    folder = reset("topic")
    pairs = [
        ("sensor/+/temperature", "sensor/42/temperature"),
        ("sensor/#", "sensor"),
        ("sensor/#", "sensor/"),
        ("sport/tennis/+", "sport/tennis/player1"),
        ("sport/+/player", "sport/tennis/x/player"),
        ("+/+", "/finance"),
        ("/+", "/finance"),
        ("+", "/finance"),
        ("#", "$SYS/broker/load"),
        ("$SYS/#", "$SYS/broker/load"),
        ("+/monitor/Clients", "$SYS/monitor/Clients"),
        ("$share/group/sensor/+", "sensor/1"),
        ("$share/g/#", "anything/at/all"),
        ("$share//a", "a"),
        ("$share/g+/a", "a"),
        ("$share/g", "g"),
        ("$share/g/", "g/"),
        ("sport#", "sport"),
        ("sport/#/x", "sport/a/x"),
        ("sport+/x", "sport/x"),
        ("a//b", "a//b"),
        ("//", "//"),
        ("a/b/c/d/e/f/g/h", "a/b/c/d/e/f/g/h"),
        ("+/+/+/+/#", "a/b/c/d/e/f/g/h"),
        ("Caf\u00e9/+", "Caf\u00e9/\u6771\u4eac"),
        ("emoji/\U0001F600", "emoji/\U0001F600"),
        ("a/b", "A/B"),
        ("x/y/#", "x/y/z"),
        ("+/#", "$"),
        ("#", "#"),
    ]
    i = 0
    for topic_filter, topic in pairs:
        write(folder, "pair-%02d" % i, topic_filter.encode() + b"\x00" + topic.encode())
        i += 1
    # Ill-formed UTF-8 and other raw bytes; without a 0x00 the input is both filter and topic.
    for raw in [b"a/\xc0\xaf", b"\xed\xa0\x80/x", b"\xf4\x90\x80\x80", b"ok\xe2\x82", b"a/b\x00a\xff",
                b"plain/topic/name"]:
        write(folder, "raw-%02d" % i, raw)
        i += 1


def make_framer():
    folder = reset("framer")
    stream = (connect(V5, "c") + publish(V5, "a/b", b"x" * 200, qos=1) + pingreq() +
              suback(V311, 1, [0]) + disconnect(V311))
    # byte 0: maximum size index; byte 1: chunking (0 = byte by byte).
    write(folder, "stream-bytewise", bytes([0, 0]) + stream)
    write(folder, "stream-chunks5", bytes([0, 5]) + stream)
    write(folder, "stream-chunks64", bytes([0, 64]) + stream)
    write(folder, "stream-max200", bytes([5, 9]) + stream)
    write(folder, "stream-truncated", bytes([0, 3]) + stream[:-7])
    write(folder, "length-4-bytes", bytes([0, 2]) + b"\x30\xff\xff\xff\x7f")
    write(folder, "length-5-bytes", bytes([0, 2]) + b"\x30\x80\x80\x80\x80\x01")
    write(folder, "length-not-minimal", bytes([0, 1]) + b"\xc0\x00\xc0\x80\x00")
    # Maximum 130: a 129-byte packet fits, then a 131-byte one does not.
    write(folder, "max-boundary", bytes([5, 31]) + b"\x30\x7f" + bytes(127) + b"\x30\x80\x01")
    write(folder, "empty-frames", bytes([2, 1]) + b"\xc0\x00\xd0\x00\xe0\x00\x00\x00")


def main():
    make_decode()
    make_topic()
    make_framer()


if __name__ == "__main__":
    main()
