#!/usr/bin/env bash
# PostgreSQL for the tests and benchmarks: the Debian package when initdb is missing.
# The tests start their own throwaway server (tests/pgserver.py); nothing is started here.
set -euo pipefail

if ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1 || command -v initdb >/dev/null 2>&1; then
    exit 0
fi
if [ "$(id -u)" -ne 0 ]; then
    echo "PostgreSQL is missing; install it as root: apt-get install -y postgresql" >&2
    echo "(the PostgreSQL tests are skipped locally without it, and fail under CI=true)" >&2
    exit 0
fi
export DEBIAN_FRONTEND=noninteractive
apt-get update
apt-get install -y --no-install-recommends postgresql
