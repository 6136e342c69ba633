#!/usr/bin/env bash
# The project's test command (the README's quick start, line 2, and CI's .ci/run):
# sets up .venv from a fresh clone (and Chromium for the dashboard's browser tests when
# it is missing), then runs ruff, mypy, the layer contracts,
# schemathesis against a live `pmo serve` (live-api.sh), then pytest on SQLite and
# PostgreSQL last, so that the run ends with pytest's count of tests. The PostgreSQL leg
# fails, never skips, when the server at
# PMO_TEST_POSTGRES_URL (default postgresql://postgres@127.0.0.1:5432/test) is
# unreachable; a developer without one may run with PMO_REQUIRE_POSTGRES=0.
set -euo pipefail
cd "$(dirname "$0")/.."

python="${PYTHON:-python3}"
if ! "$python" -c 'import sys; sys.exit(sys.version_info < (3, 11))'; then
    echo "Portfolio Ledger needs Python 3.11 or later ($python is $("$python" --version 2>&1))" >&2
    exit 1
fi
[ -x .venv/bin/python ] || "$python" -m venv .venv
.venv/bin/python -m pip install --quiet --disable-pip-version-check --upgrade pip
.venv/bin/python -m pip install --quiet --disable-pip-version-check -e '.[dev]'

# The dashboard's browser tests drive Debian's Chromium through Playwright (never a browser
# Playwright downloads); a fresh CI machine (root, no stdin) has to install it first.
if [ ! -x /usr/bin/chromium ]; then
    if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
        echo "== installing chromium (for the dashboard's browser tests)"
        DEBIAN_FRONTEND=noninteractive apt-get update -qq
        DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends chromium >/dev/null
    else
        echo "no /usr/bin/chromium: the browser tests need it (apt-get install chromium)" >&2
    fi
fi

export PMO_REQUIRE_POSTGRES="${PMO_REQUIRE_POSTGRES:-1}"
echo "== ruff";          .venv/bin/ruff check . && .venv/bin/ruff format --check .
echo "== mypy";          .venv/bin/mypy
echo "== import-linter"; .venv/bin/lint-imports
echo "== schemathesis against a live pmo serve"; bash scripts/live-api.sh
# pytest on every core (pytest-xdist), each test file on one worker so that its
# module-scoped worlds are built once; PMO_TEST_WORKERS=0 runs it in this process.
echo "== pytest";        .venv/bin/pytest -n "${PMO_TEST_WORKERS:-auto}" --dist loadfile "$@"
