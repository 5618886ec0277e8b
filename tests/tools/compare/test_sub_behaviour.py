"""tern_sub against mosquitto_sub: when they exit and which messages they handle.

-C (exit after a count), -W (exit code 27 and "Timed out"), -E (exit once subscribed), -R (skip
retained messages), --retained-only (print retained messages, exit at the first live one),
--remove-retained (clear the retained messages received), -T (filter out), -U (unsubscribe a
persistent session), the MQTT versions. Each case runs mosquitto_sub and tern_sub on the same
broker, on topics of their own where the case changes broker state, and compares exit codes,
stdout and stderr.
"""

import shutil
import tempfile
import unittest

from compare_support import (Process, clear_retained, connection, neutral, run, run_ok,
                             start_broker, tools, unique, wait_subscribed)

BROKER = None
TMP = None


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


class SubBehaviour(unittest.TestCase):
    def setUp(self):
        self.mosquitto_sub, self.tern_sub = tools("sub")
        self.mosquitto_pub = shutil.which("mosquitto_pub")

    def pub(self, *args):
        run_ok([self.mosquitto_pub] + connection(BROKER) + list(args))

    def start_both(self, args, last_filter=None, wait=True):
        """Starts both subscribers with `args` (and their own client ids)."""
        started = {}
        ids = {}
        for label, tool in (("mosquitto", self.mosquitto_sub), ("tern", self.tern_sub)):
            cid = unique("b-" + label)
            started[label] = Process([tool] + connection(BROKER) + ["-i", cid] + list(args),
                                     tmpdir=TMP)
            self.addCleanup(started[label].kill)
            ids[cid] = last_filter
        if wait:
            wait_subscribed(self, BROKER, ids, started.values())
        return started

    def assert_same(self, results, base=None):
        (m_rc, m_out, m_err), (t_rc, t_out, t_err) = results["mosquitto"], results["tern"]
        if base is not None:  # each tool had topics of its own
            m_out, t_out = m_out.replace(base["mosquitto"], b"BASE"), t_out.replace(
                base["tern"], b"BASE")
        self.assertEqual(t_out, m_out, "stdout differs")
        self.assertEqual(neutral(t_err), neutral(m_err), "stderr differs")
        self.assertEqual(t_rc, m_rc, "exit code differs")
        return m_rc, m_out, m_err

    def finish(self, started, timeout=15):
        return {label: p.finish(timeout) for label, p in started.items()}

    def test_count_exits_after_that_many(self):
        topic = unique("count")
        started = self.start_both(["-t", topic, "-C", "2", "-v", "-W", "10"], topic)
        for i in range(3):
            self.pub("-t", topic, "-m", "m%d" % i, "-q", "1")
        rc, out, _ = self.assert_same(self.finish(started))
        self.assertEqual(rc, 0)
        self.assertEqual(out, b"%s m0\n%s m1\n" % (topic.encode(), topic.encode()))

    def test_timeout_exit_code(self):
        topic = unique("quiet")
        started = self.start_both(["-t", topic, "-W", "1"], topic)
        rc, out, err = self.assert_same(self.finish(started))
        self.assertEqual(rc, 27)  # MOSQ_ERR_TIMEOUT
        self.assertEqual(err, b"Timed out\n")
        self.assertEqual(out, b"")

    def test_timeout_after_messages(self):
        topic = unique("some")
        started = self.start_both(["-t", topic, "-W", "1", "-F", "%p"], topic)
        self.pub("-t", topic, "-m", "only")
        rc, out, _ = self.assert_same(self.finish(started))
        self.assertEqual((rc, out), (27, b"only\n"))

    def test_exit_after_subscribe(self):
        for version in ("311", "5"):
            topic = unique("e")
            started = self.start_both(["-t", topic, "-t", topic + "/2", "-E", "-V", version],
                                      topic + "/2", wait=False)
            rc, out, _ = self.assert_same(self.finish(started))
            self.assertEqual((rc, out), (0, b""))

    def test_no_retained(self):
        for version in ("311", "5"):
            topic = unique("r")
            self.pub("-t", topic, "-m", "old", "-r")
            started = self.start_both(["-t", topic, "-R", "-C", "1", "-v", "-V", version, "-W", "10"], topic)
            self.pub("-t", topic, "-m", "new")
            rc, out, _ = self.assert_same(self.finish(started))
            self.assertEqual(out, topic.encode() + b" new\n")
            clear_retained(BROKER, topic)

    def test_retained_only(self):
        base = unique("ro")
        for name in ("a", "b"):
            self.pub("-t", base + "/" + name, "-m", "kept " + name, "-r", "-q", "1")
        started = self.start_both(["-t", base + "/#", "--retained-only", "-v", "-W", "10"],
                                  base + "/#")
        self.pub("-t", base + "/live", "-m", "live")
        rc, out, _ = self.assert_same(self.finish(started))
        self.assertEqual(rc, 0)
        self.assertEqual(sorted(out.splitlines()),
                         [b"%s/a kept a" % base.encode(), b"%s/b kept b" % base.encode()])
        for name in ("a", "b"):
            clear_retained(BROKER, base + "/" + name)

    def test_remove_retained(self):
        bases = {}
        results = {}
        for label, tool in (("mosquitto", self.mosquitto_sub), ("tern", self.tern_sub)):
            base = unique("rm")
            bases[label] = base.encode()
            for name in ("a", "b", "keep"):
                self.pub("-t", base + "/" + name, "-m", name, "-r")
            done = run([tool] + connection(BROKER) +
                       ["-t", base + "/#", "--remove-retained", "-T", base + "/keep", "-C", "2",
                        "-F", "%t %p %r", "-W", "2"])
            results[label] = (done.returncode, done.stdout, done.stderr)
            # What is still retained: only "keep" (MQTT 5.0 §3.3.1.3: an empty retained message
            # removes the retained message of its topic [MQTT-3.3.1-6]).
            left = run([shutil.which("mosquitto_sub")] + connection(BROKER) +
                       ["-t", base + "/#", "--retained-only", "-F", "%t", "-W", "1"])
            self.assertEqual(left.stdout, base.encode() + b"/keep\n", label)
            clear_retained(BROKER, base + "/keep")
        # mosquitto_sub 2.0.11 waits for -W here even after -C messages (exit code 27): the
        # comparison holds tern_sub to the same.
        _, out, _ = self.assert_same(results, base=bases)
        self.assertEqual(sorted(out.splitlines()), [b"BASE/a a 1", b"BASE/b b 1"])

    def test_filter_out(self):
        base = unique("t")
        started = self.start_both(["-t", base + "/#", "-T", base + "/x/#", "-T", base + "/+/y",
                                   "-C", "2", "-F", "%t", "-W", "10"], base + "/#")
        for topic in ("x", "x/z", "a/y", "a", "b"):
            self.pub("-t", base + "/" + topic, "-m", topic)
        rc, out, _ = self.assert_same(self.finish(started))
        self.assertEqual(out, b"%s/a\n%s/b\n" % (base.encode(), base.encode()))

    def test_unsubscribe_persistent_session(self):
        results = {}
        bases = {}
        for label, tool in (("mosquitto", self.mosquitto_sub), ("tern", self.tern_sub)):
            base = unique("u")
            bases[label] = base.encode()
            cid = unique("persist-" + label)
            common = [tool] + connection(BROKER) + ["-c", "-i", cid, "-q", "1"]
            first = run(common + ["-t", base + "/gone", "-t", base + "/kept", "-E"])
            second = run(common + ["-U", base + "/gone", "-t", base + "/other", "-E"])
            self.pub("-t", base + "/gone", "-m", "not queued", "-q", "1")
            self.pub("-t", base + "/kept", "-m", "queued", "-q", "1")
            third = run(common + ["-t", base + "/other", "-C", "1", "-v", "-W", "5"])
            results[label] = (first.returncode + 10 * second.returncode + 100 * third.returncode,
                              third.stdout, first.stderr + second.stderr + third.stderr)
        rc, out, _ = self.assert_same(results, base=bases)
        self.assertEqual((rc, out), (0, b"BASE/kept queued\n"))

    def test_versions(self):
        for version in ("31", "mqttv311", "5"):
            topic = unique("v")
            started = self.start_both(["-t", topic, "-C", "1", "-V", version, "-W", "10", "-F", "%t %p %q",
                                       "-q", "2"], topic)
            self.pub("-t", topic, "-m", "hi", "-q", "2")
            rc, out, _ = self.assert_same(self.finish(started))
            self.assertEqual((rc, out), (0, b"%s hi 2\n" % topic.encode()))


if __name__ == "__main__":
    unittest.main()
