"""tern_pub, tern_sub and tern_rr against mosquitto's tools on command lines they must refuse.

For each bad command line both tools must exit with the same code (1), print the same first line
on stderr (tool names made neutral) and the same hint after it ("Use 'TOOL --help' to see usage."
or the whole usage text). Also: nothing listening on the port (same exit code and error line),
--help and --version. No broker is needed; the port used is one that was free a moment ago.
"""

import unittest

from compare_support import HOST, first_line, neutral, run, tools
from interop_broker import free_port

HINT = b"to see usage."
CLOSED_PORT = str(free_port())

PUB = [
    [], ["-t", "t"], ["-m", "x"], ["-A"], ["-f"], ["-h"], ["-i"], ["-I"], ["-k"], ["-L"], ["-M"],
    ["-m"], ["-p"], ["-P"], ["-q"], ["--repeat"], ["--repeat-delay"], ["-t"], ["-u"], ["--unix"],
    ["-V"], ["--will-payload"], ["--will-qos"], ["--will-topic"], ["-x"], ["-D"],
    ["-D", "connect"], ["-D", "connect", "receive-maximum"], ["-D", "pub", "user-property", "a",
                                                              "b"],
    ["-D", "publish", "foo", "1"], ["-D", "connect", "will-delay-interval", "1"],
    ["-D", "publish", "subscription-identifier", "1"], ["-D", "puback", "reason-string", "x"],
    ["-D", "publish", "payload-format-indicator", "256"],
    ["-D", "connect", "session-expiry-interval", "4294967296"],
    ["-D", "subscribe", "subscription-identifier", "268435456"],
    ["-D", "publish", "content-type", "\xff"], ["-D", "publish", "user-property", "k"],
    ["-t", "t", "-m", "x", "-D", "publish", "content-type", "a", "-D", "publish", "content-type",
     "b"],
    ["-t", "t", "-m", "x", "-D", "connect", "receive-maximum", "0"],
    ["-t", "t", "-m", "x", "-D", "publish", "topic-alias", "0"],
    ["-q", "3"], ["-q", "-1"], ["-p", "65536"], ["-k", "4"], ["-M", "0"], ["--repeat", "0"],
    ["--repeat-delay", "-1"], ["-V", "4"], ["--will-qos", "3"], ["-x", "-2"], ["-x", "1e3"],
    ["-L", "http://h/t"], ["-L", "mqtt://h"], ["-t", "a/+"], ["-t", "a/#"], ["-t", "\xff"],
    ["-t", "a\x01"], ["--will-topic", "w/#"], ["-m", "x", "-f", "f"], ["-m", "x", "-l"],
    ["-l", "-n"], ["-n", "-s"], ["-i", "a", "-I", "b"], ["--will-payload", "p"],
    ["--will-retain"], ["--cert", "c"], ["--keyform", "pem", "--cert", "c"], ["--psk", "00"],
    ["--psk", "00", "--psk-identity", "i", "--cafile", "ca"], ["-V", "311", "-c"],
    ["-V", "5", "-x", "-1"], ["-V", "5", "-c"], ["--proxy", "http://p"],
    ["--proxy", "socks5h://p:99999"], ["-t", "t", "-m", "x", "-P", "pw"],
    ["-t", "t", "-m", "x", "-i", ""], ["-t", "t", "-m", "x", "--will-topic", "w", "-D", "will",
                                       "content-type", "c", "-V", "311"],
    ["-C", "1"], ["-e", "r"], ["-E"], ["-F", "%p"], ["-N"], ["--pretty"], ["-R"], ["-T", "a"],
    ["-U", "a"], ["-v"], ["-W", "1"], ["--retained-only"], ["--unknown"], ["-Z", "--help"],
]

SUB = [
    [], ["-U", "a"], ["-t", "a/#/b"], ["-t", "a+"], ["-t", "a", "-T", "a#"], ["-t", "a", "-T",
                                                                               "\xff"],
    ["-t", "a", "-U", "a+"], ["-t", "a", "-C", "0"], ["-t", "a", "-C", "x"], ["-t", "a", "-W", "0"],
    ["-t", "a", "--random-filter", "0"], ["-t", "a", "-F", "%"], ["-t", "a", "-F", "%z"],
    ["-t", "a", "-F", "%-"], ["-t", "a", "-F", "%5."], ["-t", "a", "-F", "@"],
    ["-t", "a", "-F", "x\\"], ["-t", "a", "-F", "\\q"], ["-t", "a", "-c"],
    ["-t", "a", "-R", "--retained-only"], ["-t", "a", "-c", "-V", "5", "-x", "5"],
    ["-C"], ["-F"], ["-T"], ["-U"], ["-W"], ["--random-filter"], ["-t", "a", "-m", "x"],
    ["-t", "a", "-f", "x"], ["-t", "a", "-l"], ["-t", "a", "-n"], ["-t", "a", "-s"],
    ["-t", "a", "-r"], ["-t", "a", "--repeat", "2"], ["-t", "a", "-e", "r"],
    ["-t", "a", "-D", "subscribe", "content-type", "x"], ["-t", "a", "-q", "3"],
    ["-t", "a", "-w"],
]

RR = [
    [], ["-t", "a", "-m", "x"], ["-t", "a", "-e", "b"], ["-e", "b", "-m", "x"],
    ["-t", "a", "-e", "b/#", "-m", "x"], ["-t", "a/+", "-e", "b", "-m", "x"], ["-e"],
    ["-t", "a", "-e", "\xff", "-m", "x"],
    ["-t", "a", "-e", "b", "-n", "-D", "publish", "response-topic", "x"],
    ["-t", "a", "-e", "b", "-m", "x", "-c"], ["-t", "a", "-e", "b", "-m", "x", "-c", "-x", "5"],
    ["-t", "a", "-e", "b", "-m", "x", "-c", "-V", "311"], ["-t", "a", "-e", "b", "-m", "x", "-l"],
    ["-t", "a", "-e", "b", "-m", "x", "-r"], ["-t", "a", "-e", "b", "-m", "x", "-C", "1"],
    ["-t", "a", "-e", "b", "-m", "x", "-T", "a"], ["-t", "a", "-e", "b", "-m", "x",
                                                   "--retained-only"],
    ["-t", "a", "-e", "b", "-m", "x", "-F", "%z"], ["-t", "a", "-e", "b", "-m", "x", "-W", "0"],
]


def outcome(tool, args):
    """What a tool does with `args`, pointed at a port where nothing listens. A tool that does
    not exit within a few seconds raises subprocess.TimeoutExpired, which ends the test."""
    done = run([tool, "-h", HOST, "-p", CLOSED_PORT] + args, timeout=5)
    return (done.returncode, neutral(first_line(done.stderr)), HINT in done.stderr,
            b"Usage: TOOL" in neutral(done.stdout))


class Errors(unittest.TestCase):
    def check_all(self, kind, cases):
        mosquitto, tern = tools(kind)
        for args in cases:
            expected, actual = outcome(mosquitto, args), outcome(tern, args)
            with self.subTest(args=args):
                self.assertEqual(expected[0], 1, "mosquitto accepted %s" % args)
                self.assertEqual(actual, expected)

    def test_pub(self):
        self.check_all("pub", PUB)

    def test_sub(self):
        self.check_all("sub", SUB)

    def test_rr(self):
        self.check_all("rr", RR)

    def test_connection_refused(self):
        for kind, args in (("pub", ["-t", "t", "-m", "x"]), ("sub", ["-t", "t"]),
                           ("rr", ["-t", "t", "-e", "r", "-m", "x"])):
            mosquitto, tern = tools(kind)
            expected, actual = outcome(mosquitto, args), outcome(tern, args)
            with self.subTest(tool=kind):
                self.assertEqual(expected[:2], (1, b"Error: Connection refused"))
                self.assertEqual(actual, expected)

    def test_help_and_version(self):
        for kind in ("pub", "sub", "rr"):
            mosquitto, tern = tools(kind)
            with self.subTest(tool=kind):
                help_m, help_t = run([mosquitto, "--help"]), run([tern, "--help"])
                self.assertEqual(help_t.returncode, help_m.returncode)
                self.assertIn(b"Usage: TOOL", neutral(help_t.stdout))
                version_m, version_t = run([mosquitto, "--version"]), run([tern, "--version"])
                self.assertEqual(version_t.returncode, version_m.returncode)
                self.assertTrue(neutral(version_t.stdout).startswith(b"TOOL version "),
                                version_t.stdout)


if __name__ == "__main__":
    unittest.main()
