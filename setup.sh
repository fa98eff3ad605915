#!/bin/bash
# One-time (and idempotent) set-up of a Debian 12 machine for runtest.py. Run as root.
#  - Debian's Exim 4.96 (exim4-daemon-heavy, exim4-base) and the tools the suite uses;
#  - Debian's chromium, headless, for the tests of the --html report;
#  - a virtualenv .venv with the Python dependencies;
#  - the unprivileged account tests run as (rtcaller: own group, in the Exim group);
#  - server-side TCP Fast Open, and a fully qualified host name in /etc/hosts;
#  - the fr_FR locale Perl's locale test uses;
#  - the ${dlfunc test module, compiled when a C compiler is present.
set -euo pipefail
cd "$(dirname "$0")"
caller=${RUNTEST_CALLER:-rtcaller}

if [ "$(id -u)" -ne 0 ]; then
  echo "setup.sh: run me as root (sudo ./setup.sh)" >&2
  exit 2
fi

packages=(exim4-daemon-heavy exim4-base sudo perl iproute2 python3 python3-venv openssl gcc libc6-dev locales chromium)
missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
  echo "setup: installing ${missing[*]}"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq "${missing[@]}" >/dev/null
fi
# The system's own Exim daemon is not wanted while tests run.
if [ -x /etc/init.d/exim4 ]; then /etc/init.d/exim4 stop >/dev/null 2>&1 || true; fi
pkill -x exim4 2>/dev/null || true

if [ ! -x .venv/bin/python ] || ! .venv/bin/python -c 'import dns, psutil, jinja2, pytest, junitparser, hypothesis, mypy' 2>/dev/null; then
  echo "setup: creating .venv"
  /usr/bin/python3 -m venv .venv
  .venv/bin/pip install -q --disable-pip-version-check -e '.[test]'
fi

if ! id "$caller" >/dev/null 2>&1; then
  echo "setup: creating the caller account $caller"
  useradd --create-home --user-group --comment "Runtest Caller" --shell /bin/sh "$caller"
fi
usermod -a -G Debian-exim "$caller"

# Perl's locale test (3000) switches LC_TIME to fr_FR, in ISO-8859-1.
if ! locale -a 2>/dev/null | grep -qx 'fr_FR'; then
  echo "setup: generating the fr_FR (ISO-8859-1) locale"
  sed -i 's/^# *\(fr_FR ISO-8859-1\)$/\1/' /etc/locale.gen
  locale-gen >/dev/null
fi

if sysctl -q -w net.ipv4.tcp_fastopen=3 >/dev/null 2>&1; then
  echo "setup: TCP Fast Open enabled for clients and servers (net.ipv4.tcp_fastopen=3)"
else
  echo "setup: could not set net.ipv4.tcp_fastopen=3 here; TFO tests will show it" >&2
fi

# Exim's harness takes a pid for at least four digits; a large pid space rarely wraps.
if [ "$(cat /proc/sys/kernel/pid_max 2>/dev/null || echo 0)" -lt 4194304 ]; then
  sysctl -q -w kernel.pid_max=4194304 >/dev/null 2>&1 || true
fi

short=$(hostname -s)
if ! hostname -f 2>/dev/null | grep -q '\.'; then
  addr=$(ip -o -4 addr show scope global | awk '{split($4,a,"/"); print a[1]; exit}')
  fqdn="$short.runtest.invalid"
  echo "setup: giving this host a fully qualified name in /etc/hosts: ${addr:-127.0.1.1} $fqdn"
  { echo "${addr:-127.0.1.1} $fqdn $short"; grep -v " $fqdn " /etc/hosts; } > /etc/hosts.runtest
  cat /etc/hosts.runtest > /etc/hosts && rm -f /etc/hosts.runtest
fi

if reason=$(.venv/bin/python -c 'import sys; sys.path.insert(0, "."); from harness.peers.build_loaded import build_loaded; from pathlib import Path; r = build_loaded(Path(".venv/lib/runtest-loaded.so")); print(r or "")' 2>&1) && [ -z "$reason" ]; then
  echo "setup: built the \${dlfunc test module"
else
  echo "setup: no \${dlfunc test module (${reason:-unknown reason}); those tests will be skipped"
fi
echo "setup: done"
