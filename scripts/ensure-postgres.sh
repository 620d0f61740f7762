#!/usr/bin/env bash
# Makes sure the PostgreSQL that the test suite's second backend uses answers on 127.0.0.1:5432
# (user postgres, trust auth): starts the local cluster when it is installed but stopped, installs
# Debian's postgresql when it is missing (as root, or with sudo). Never skips: a suite that cannot
# reach PostgreSQL fails. KUCUN_TEST_BACKENDS=sqlite runs the SQLite half alone, by choice.
set -euo pipefail
case ",${KUCUN_TEST_BACKENDS:-sqlite,postgresql}," in *,postgresql,*) ;; *) exit 0 ;; esac
if [ -n "${KUCUN_TEST_PG:-}" ]; then exit 0; fi  # another server was named: the suite connects to it
answers() { pg_isready -q -h 127.0.0.1 -p 5432 2>/dev/null; }
if command -v pg_isready >/dev/null 2>&1 && answers; then exit 0; fi
SUDO=""
if [ "$(id -u)" != 0 ] && command -v sudo >/dev/null 2>&1; then SUDO="sudo"; fi
if ! command -v pg_ctlcluster >/dev/null 2>&1 || [ -z "$(ls /etc/postgresql 2>/dev/null)" ]; then
  if ! command -v apt-get >/dev/null 2>&1; then
    echo "kucun: PostgreSQL is not answering on 127.0.0.1:5432 and no apt-get to install it;" >&2
    echo "kucun: start one (user postgres, trust auth) or set KUCUN_TEST_PG=postgresql://user@host:port/postgres" >&2
    exit 1
  fi
  echo "kucun: installing PostgreSQL for the tests' second backend..."
  $SUDO apt-get update -qq && DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq postgresql >/dev/null
  INSTALLED=1
fi
VERSION=$(ls /etc/postgresql | sort -V | tail -1)
echo "kucun: PostgreSQL is not answering; starting cluster $VERSION/main"
$SUDO pg_ctlcluster --skip-systemctl-redirect "$VERSION" main start || true
for _ in $(seq 1 30); do answers && break; sleep 1; done
answers || { echo "kucun: PostgreSQL still not answering on 127.0.0.1:5432" >&2; exit 1; }
# the tests connect as postgres over TCP without a password: a cluster this script installed
# trusts the loopback addresses (only they)
if [ "${INSTALLED:-0}" = 1 ]; then
  HBA=/etc/postgresql/$VERSION/main/pg_hba.conf
  $SUDO sed -i -E 's/^(host\s+all\s+all\s+(127\.0\.0\.1\/32|::1\/128)\s+)\S+/\1trust/' "$HBA"
  $SUDO pg_ctlcluster --skip-systemctl-redirect "$VERSION" main reload || true
fi
if ! psql -h 127.0.0.1 -U postgres -d postgres -Atc 'SELECT 1' >/dev/null 2>&1; then
  echo "kucun: PostgreSQL answers but refuses user postgres without a password on 127.0.0.1;" >&2
  echo "kucun: allow trust for 127.0.0.1 in pg_hba.conf, or set KUCUN_TEST_PG with a password" >&2
  exit 1
fi
echo "kucun: PostgreSQL is up."
