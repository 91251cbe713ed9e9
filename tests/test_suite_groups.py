"""The test suite's own scheduling (conftest): every module that uses a session-scoped fixture of
the claims run is in the group that one xdist worker runs, so the run happens once per suite."""

import re
from pathlib import Path

from conftest import SHARED

TESTS = Path(__file__).resolve().parent


def test_every_shared_module_exists():
    assert all((TESTS / name).is_file() for name in SHARED)


def test_every_module_using_the_quick_claims_run_is_in_its_group():
    users = {path.name for path in TESTS.glob("test_*.py") if re.search(r"\bquick_results\b", path.read_text())}
    assert users and {SHARED.get(name) for name in users} == {"quick claims"}, users
