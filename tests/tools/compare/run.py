"""Runs one comparison module for CTest: exit 0 when its tests pass, 1 when one fails, and 77
(CTest's SKIP_RETURN_CODE here) when every test was skipped, e.g. because the Tern tool it
compares is not built yet."""

import sys
import unittest


def main(module):
    suite = unittest.defaultTestLoader.loadTestsFromName(module)
    result = unittest.TextTestRunner(verbosity=2).run(suite)
    if not result.wasSuccessful():
        return 1
    if result.skipped and result.testsRun <= len(result.skipped):
        return 77
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1]))
