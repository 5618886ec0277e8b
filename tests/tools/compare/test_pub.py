"""tern_pub against mosquitto_pub: what a subscriber receives when each publishes the same way.

For each way of publishing (-m, -f, -s, -l, -n, -r, -q, --repeat, -V, -L, MQTT 5.0 properties
with -D, ...) both publishers run with the same arguments, each on a topic of its own watched by a
mosquitto_sub that prints every field of what arrives (topic, QoS, retain, payload in hex,
properties). The watchers' outputs must be equal (topics made neutral), and so must the
publishers' exit codes and output.
"""

import os
import shutil
import tempfile
import unittest

from compare_support import (Process, clear_retained, connection, mosquitto_tool, neutral, run,
                             start_broker, tools, unique, wait_subscribed)

BROKER = None
TMP = None
BINARY = b"a\x00b\xff\xfe\x01\n\r\nc"
WATCH_FORMAT = "%t|%q|%r|%l|%x|%C|%D|%E|%F|%P|%R"


def setUpModule():
    global BROKER, TMP
    TMP = tempfile.mkdtemp(prefix="tern-compare-")
    BROKER = start_broker()


def tearDownModule():
    global BROKER
    broker, BROKER = BROKER, None
    if broker is not None:
        broker.stop()
    shutil.rmtree(TMP, ignore_errors=True)


class Pub(unittest.TestCase):
    def setUp(self):
        self.mosquitto_pub, self.tern_pub = tools("pub")
        self.watch_tool = mosquitto_tool("sub")

    def watch(self, topic, count):
        cid = unique("watch")
        p = Process([self.watch_tool] + connection(BROKER) +
                    ["-i", cid, "-V", "5", "-q", "2", "-t", topic, "-C", str(count), "-W", "3",
                     "-F", WATCH_FORMAT], tmpdir=TMP)
        self.addCleanup(p.kill)
        wait_subscribed(self, BROKER, {cid: topic}, [p])
        return p

    def compare(self, args, count=1, stdin=None, retained=False, topic_suffix="", url=False):
        """Publishes with both tools; returns what the watcher saw (topics made neutral)."""
        seen = {}
        for label, tool in (("mosquitto", self.mosquitto_pub), ("tern", self.tern_pub)):
            topic = unique("pub-" + label) + topic_suffix
            if url:
                target = ["-L", "mqtt://127.0.0.1:%d/%s" % (BROKER.port, topic)]
            else:
                target = connection(BROKER) + ["-t", topic]
            cmd = [tool] + target + list(args)
            if retained:  # publish first, then the watcher gets the retained message
                done = run(cmd, stdin=stdin)
                watcher = self.watch(topic, count)
            else:
                watcher = self.watch(topic, count)
                done = run(cmd, stdin=stdin)
            rc, out, err = watcher.finish()
            if retained:
                clear_retained(BROKER, topic)
            seen[label] = (done.returncode, done.stdout, neutral(done.stderr),
                           rc, out.replace(topic.encode(), b"TOPIC"), err)
        names = ("publisher exit code", "publisher stdout", "publisher stderr", "watcher exit code",
                 "what the watcher received", "watcher stderr")
        for name, m, t in zip(names, seen["mosquitto"], seen["tern"]):
            self.assertEqual(t, m, "%s differs for %s" % (name, args))
        self.assertEqual(seen["mosquitto"][0], 0)
        self.assertEqual(seen["mosquitto"][3], 0, "the watcher did not get %d messages" % count)
        return seen["mosquitto"][4]

    def test_message(self):
        self.assertEqual(self.compare(["-m", "hello world"]),
                         b"TOPIC|0|0|11|68656c6c6f20776f726c64||||||\n")

    def test_empty_message(self):
        self.compare(["-m", ""])

    def test_null_message(self):
        self.assertIn(b"|0||", self.compare(["-n"]))

    def test_file(self):
        path = os.path.join(TMP, "payload")
        with open(path, "wb") as f:
            f.write(BINARY)
        self.assertIn(BINARY.hex().encode(), self.compare(["-f", path]))

    def test_stdin_whole(self):
        self.assertIn(BINARY.hex().encode(), self.compare(["-s"], stdin=BINARY))

    def test_stdin_lines(self):
        # One message per line; an empty line is an empty message, "\r" stays, a last line
        # without a newline counts.
        out = self.compare(["-l"], count=5, stdin=b"a\nb\r\n\n\xff\xfez\nlast")
        self.assertEqual(out.splitlines()[-2:],
                         [b"TOPIC|0|0|3|fffe7a||||||", b"TOPIC|0|0|4|6c617374||||||"])
        # mosquitto_pub reads lines as C strings: what follows a NUL byte is lost (here, the
        # rest of the input too).
        self.assertEqual(self.compare(["-l"], count=1, stdin=b"a\x00z\nb\n"),
                         b"TOPIC|0|0|1|61||||||\n")

    def test_qos(self):
        for qos in ("0", "1", "2"):
            self.assertIn(b"TOPIC|%s|" % qos.encode(), self.compare(["-q", qos, "-m", "q"]))

    def test_retain(self):
        self.assertIn(b"TOPIC|1|1|", self.compare(["-r", "-q", "1", "-m", "kept"], retained=True))

    def test_properties(self):
        # MQTT 5.0 §3.3.2.3: the properties a PUBLISH carries to subscribers.
        out = self.compare(["-m", "props", "-V", "5", "-D", "publish", "user-property", "k", "v",
                            "-D", "publish", "user-property", "k", "v2", "-D", "publish",
                            "content-type", "text/plain", "-D", "publish", "correlation-data",
                            "c\x01d", "-D", "publish", "response-topic", "resp/t", "-D",
                            "publish", "message-expiry-interval", "100", "-D", "publish",
                            "payload-format-indicator", "1"])
        self.assertIn(b"text/plain|c\x01d|100|1|k:v k:v2|resp/t", out)

    def test_properties_imply_mqtt5(self):
        self.assertIn(b"|application/json|", self.compare(["-m", "{}", "-D", "publish",
                                                            "content-type", "application/json"]))

    def test_repeat(self):
        self.assertEqual(len(self.compare(["--repeat", "3", "-m", "r"], count=3).splitlines()), 3)
        self.compare(["--repeat", "2", "--repeat-delay", "0.1", "-q", "1", "-m", "d"], count=2)

    def test_versions(self):
        for version in ("31", "mqttv311", "5"):
            self.compare(["-V", version, "-q", "1", "-m", "v"])

    def test_url(self):
        self.compare(["-m", "via url"], url=True)

    def test_topic_with_spaces_and_unicode(self):
        self.compare(["-m", "\u00fc"], topic_suffix="/with space/\u00fcn\u00ef\u30b3\u30fc\u30c9")

    def test_connection_options(self):
        self.compare(["-m", "x", "-k", "10", "-A", "127.0.0.1", "-M", "5", "--nodelay", "-i",
                      unique("given-id"), "-q", "1"])
        self.compare(["-m", "x", "-c", "-i", unique("persistent"), "-q", "1"])
        self.compare(["-m", "x", "-V", "5", "-x", "60", "-I", "prefix-"])
        self.compare(["-m", "x", "--will-topic", unique("will"), "--will-payload", "bye",
                      "--will-qos", "1", "--will-retain"])

    def test_debug_output_goes_somewhere_and_exit_is_clean(self):
        # -d prints debugging lines (their text is the tool's own); the message still arrives.
        for tool in (self.mosquitto_pub, self.tern_pub):
            topic = unique("debug")
            watcher = self.watch(topic, 1)
            done = run([tool] + connection(BROKER) + ["-t", topic, "-m", "d", "-d"])
            self.assertEqual(done.returncode, 0, tool)
            self.assertEqual(watcher.finish()[0], 0, tool)


if __name__ == "__main__":
    unittest.main()
