"""tern_sub against mosquitto_sub: what they print for the same messages, byte for byte.

One broker and one round of publishing (by mosquitto_pub) for the whole module: every pair of
subscribers (one mosquitto_sub, one tern_sub, same flags) is started first, each with its own
client id, and they all receive the same messages: a retained one, text, binary bytes with NUL and
non-UTF-8, an empty payload, a topic with spaces and non-ASCII characters, JSON, MQTT 5.0
properties, QoS 0/1/2. Each subscriber exits by itself after -C messages. Outputs are compared
byte for byte, with only the values of time specifiers masked (their shape still compares).
"""

import os
import re
import shutil
import tempfile
import unittest

from compare_support import (Process, clear_retained, connection, mosquitto_tool, neutral,
                             run_ok, start_broker, tern_tool, unique, wait_subscribed)

BINARY = b"a\x00b\xff\xfe\x01\nc"
JSON_PAYLOAD = '{"a": [1, 2.50, {"b": null}], "c": "\\u00e9\\/", "d": -0, "e": 1e3}'

# name -> (flags, which messages it prints: "all", "live" (no retained) or "filtered")
FLAG_SETS = {
    "default": ([], "all"),
    "verbose": (["-v"], "all"),
    "no_eol": (["-N"], "all"),
    "verbose_no_eol": (["-v", "-N"], "all"),
    "fields": (["-q", "2", "-F", "%t|%p|%l|%q|%r|%m|%x|%X|%%"], "all"),
    "widths": (["-F", "%-10t|%10.3t|%5l|%-5m|%08l|%10x|%-12p|%3p|%-p|%.2t|%010t|%05p"], "all"),
    "escapes": (["-F", r"@@\t\\\e\a\v\r\0|%p\n"], "all"),
    "json": (["-q", "1", "-F", "%j"], "all"),
    "json_payload": (["-F", "%J"], "all"),
    "json_pretty": (["-F", "%j", "--pretty"], "all"),
    "json_payload_pretty": (["-F", "%J", "--pretty"], "all"),
    "v5_fields": (["-V", "5", "-F", "%A|%C|%D|%E|%F|%P|%R|%S|%5C|%05E|%-4F|%03S|%-6R|%.2C"],
                  "all"),
    "v5_json": (["-V", "5", "-q", "2", "-F", "%j"], "all"),
    "v5_subscription_id": (["-V", "5", "-D", "subscribe", "subscription-identifier", "42", "-F",
                            "%S|%j"], "all"),
    "v5_verbose": (["-V", "5", "-v"], "all"),
    "v31_verbose": (["-V", "31", "-v"], "all"),
    "no_retained": (["-R", "-v"], "live"),
    "filter_out": (["-v"], "filtered"),  # -T flags are added with the topic names
    "times": (["-F", "%I|%U|@Y-@m-@dT@H:@M:@S|@N|@s|@z|%j|%30I|%-30I|%.4I"], "all"),
}

TST = re.compile(rb'("tst":\s*")[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9:.]{15}Z[+-][0-9]{4}"')
DIGITS = re.compile(rb"[0-9]")


def mask(name, output):
    """Time values differ between two processes; their shape must not."""
    if name == "times":
        return DIGITS.sub(b"9", output)
    return TST.sub(rb'\1<time>"', output)


class SubOutput(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.mosquitto_sub = mosquitto_tool("sub")
        cls.tern_sub = tern_tool("sub")
        cls.mosquitto_pub = mosquitto_tool("pub")
        cls.tmp = tempfile.mkdtemp(prefix="tern-compare-")
        cls.broker = start_broker()
        try:
            cls.results = cls._run_all()
        except BaseException:
            cls.broker.stop()
            raise

    @classmethod
    def tearDownClass(cls):
        cls.broker.stop()
        shutil.rmtree(cls.tmp, ignore_errors=True)

    @classmethod
    def _publish(cls, *args):
        run_ok([cls.mosquitto_pub] + connection(cls.broker) + list(args))

    @classmethod
    def _run_all(cls):
        base = unique("out")
        cls.base = base
        binary_file = os.path.join(cls.tmp, "binary")
        with open(binary_file, "wb") as f:
            f.write(BINARY)
        cls._publish("-t", base + "/retained", "-m", "kept", "-q", "1", "-r")

        live = [
            ("-t", base + "/text", "-m", "hello world"),
            ("-t", base + "/bin ary", "-f", binary_file, "-q", "1"),
            ("-t", base + "/empty", "-n", "-q", "2"),
            ("-t", base + "/\u00fcn\u00ef/\u30b3\u30fc\u30c9", "-m", "\u00fc \u2603"),
            ("-t", base + "/json", "-m", JSON_PAYLOAD),
            ("-t", base + "/v5", "-V", "5", "-q", "1", "-m", "props",
             "-D", "publish", "user-property", "k", "v", "-D", "publish", "user-property", "k",
             "v2", "-D", "publish", "content-type", "text/plain", "-D", "publish",
             "correlation-data", "c\x01d", "-D", "publish", "response-topic", "resp/t", "-D",
             "publish", "message-expiry-interval", "3600", "-D", "publish",
             "payload-format-indicator", "1"),
            ("-t", base + "/quote", "-m", 'say "hi"\\ \t tab/'),
            ("-t", base + "/v5b", "-V", "5", "-m", "{}", "-D", "publish", "user-property",
             "k e y", "v a l", "-D", "publish", "payload-format-indicator", "0"),
        ]
        filtered_out = [base + "/json", base + "/+/\u30b3\u30fc\u30c9"]
        counts = {"all": len(live) + 1, "live": len(live), "filtered": len(live) + 1 - 2}

        subscribers = {}
        started = {}
        for name, (flags, which) in FLAG_SETS.items():
            extra = list(flags)
            if name == "filter_out":
                for f in filtered_out:
                    extra += ["-T", f]
            for label, tool in (("mosquitto", cls.mosquitto_sub), ("tern", cls.tern_sub)):
                cid = unique("sub-" + label)
                cmd = ([tool] + connection(cls.broker) +
                       ["-i", cid, "-t", base + "/#", "-C", str(counts[which]), "-W", "20"] +
                       extra)
                started[(name, label)] = Process(cmd, tmpdir=cls.tmp)
                subscribers[cid] = base + "/#"
        try:
            wait_subscribed(_Failer(), cls.broker, subscribers, started.values())
            for args in live:
                cls._publish(*args)
            results = {key: p.finish(timeout=25) for key, p in started.items()}
        finally:
            for p in started.values():
                if p.running():
                    p.kill()
            clear_retained(cls.broker, base + "/retained")
        return results

    def compare(self, name):
        m_rc, m_out, m_err = self.results[(name, "mosquitto")]
        t_rc, t_out, t_err = self.results[(name, "tern")]
        self.assertEqual(mask(name, t_out), mask(name, m_out),
                         "stdout differs for %s" % (FLAG_SETS[name][0],))
        self.assertEqual(neutral(t_err), neutral(m_err), "stderr differs")
        self.assertEqual(t_rc, m_rc, "exit code differs")
        return m_out

    # One test per flag set, so that a difference names the flags.
    def test_default(self):
        out = self.compare("default")
        self.assertIn(BINARY + b"\n", out)  # the comparison saw real messages

    def test_verbose(self):
        self.compare("verbose")

    def test_no_eol(self):
        self.compare("no_eol")

    def test_verbose_no_eol(self):
        self.compare("verbose_no_eol")

    def test_fields(self):
        self.compare("fields")

    def test_widths(self):
        self.compare("widths")

    def test_escapes(self):
        self.compare("escapes")

    def test_json(self):
        self.compare("json")

    def test_json_payload(self):
        self.compare("json_payload")

    def test_json_pretty(self):
        self.compare("json_pretty")

    def test_json_payload_pretty(self):
        self.compare("json_payload_pretty")

    def test_v5_fields(self):
        out = self.compare("v5_fields")
        self.assertIn(b"text/plain", out)

    def test_v5_json(self):
        self.compare("v5_json")

    def test_v5_subscription_id(self):
        out = self.compare("v5_subscription_id")
        self.assertIn(b"42|", out)

    def test_v5_verbose(self):
        self.compare("v5_verbose")

    def test_v31_verbose(self):
        self.compare("v31_verbose")

    def test_no_retained(self):
        out = self.compare("no_retained")
        self.assertNotIn(b"kept", out)

    def test_filter_out(self):
        out = self.compare("filter_out")
        self.assertNotIn(b"/json", out)

    def test_times(self):
        self.compare("times")


class _Failer:
    """wait_subscribed's `test` argument outside a test method."""

    def fail(self, message):
        raise AssertionError(message)


if __name__ == "__main__":
    unittest.main()
