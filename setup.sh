#!/bin/bash
# One-time (and idempotent) set-up of a Debian 12 or 13 machine for runtest.py. Run as root.
# What it changes on the system, each said as it is done:
#  - installs with apt Debian's Exim (exim4-daemon-heavy, exim4-base: 4.96 on Debian 12,
#    4.98.2 on 13), the tools the suite uses (with Cyrus SASL's modules, and on Debian 13
#    tzdata-legacy for the zone GB), chromium (headless, for the tests of the --html
#    report), tmux (a real terminal, for the tests of the prompt);
#  - installs the servers and tools some of Exim's tests use (redis, MariaDB, PostgreSQL,
#    OpenLDAP, Dovecot, SpamAssassin's spamd, ClamAV's clamd, microsocks, lmdb's tools)
#    without starting them or leaving them enabled as system services: the tests start
#    their own (--no-servers leaves them out);
#  - creates the unprivileged account tests run as (rtcaller: own group, in the Exim group);
#  - enables server-side TCP Fast Open (sysctl net.ipv4.tcp_fastopen=3, until reboot);
#  - raises kernel.pid_max to 4194304 (until reboot), so that pids rarely wrap;
#  - gives the host a fully qualified name in /etc/hosts when it has none;
#  - generates the fr_FR (ISO-8859-1) locale that Exim's locale test uses.
# In the checkout only: the virtualenv .venv, and the ${dlfunc test module when a C
# compiler is present.
# A running system Exim is left alone: the tests use their own ports (PORT_D 1225 and up,
# never 25) in network namespaces of their own. --stop-system-exim stops it all the same.
# --valgrind also installs valgrind, for runtest.py -VALGRIND.
set -euo pipefail
cd "$(dirname "$0")"
caller=${RUNTEST_CALLER:-rtcaller}
stop_exim=no
valgrind=no
servers=yes
for arg in "$@"; do
  case "$arg" in
    --stop-system-exim) stop_exim=yes ;;
    --valgrind) valgrind=yes ;;
    --no-servers) servers=no ;;
    -h|--help) awk 'NR > 1 && !/^#/ { exit } NR > 1 { sub(/^# ?/, ""); print }' "$0"; exit 0 ;;
    *) echo "setup.sh: unknown option $arg (--stop-system-exim, --valgrind, --no-servers, --help)" >&2; exit 2 ;;
  esac
done

if [ "$(id -u)" -ne 0 ]; then
  echo "setup.sh: run me as root (sudo ./setup.sh)" >&2
  exit 2
fi

packages=(exim4-daemon-heavy exim4-base sudo perl iproute2 python3 python3-venv openssl gcc libc6-dev locales chromium)
packages+=(tmux)  # a real terminal for the tests of the prompt
packages+=(libsasl2-modules)  # Cyrus SASL's mechanisms, for Exim's 3800s
# Exim's tests run in TZ=GB, a zone name Debian 13 moved to tzdata-legacy
[ -e /usr/share/zoneinfo/GB ] || packages+=(tzdata-legacy)
[ "$valgrind" = no ] || packages+=(valgrind)  # only when asked: runtest.py -VALGRIND
# Servers the tests start themselves (bin.sys links, `background`), or that the runner
# starts for a test's `running X` (harness/host/services.py); their system units stay off.
server_packages=(redis-server mariadb-server postgresql slapd ldap-utils dovecot-core spamd
  clamav-daemon microsocks lmdb-utils)
declare -A server_units=([redis-server]=redis-server [mariadb-server]=mariadb
  [postgresql]=postgresql [slapd]=slapd [dovecot-core]=dovecot [spamd]=spamd
  [clamav-daemon]="clamav-daemon clamav-freshclam" [microsocks]=microsocks)
[ "$servers" = no ] || packages+=("${server_packages[@]}")
missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
  echo "setup: installing ${missing[*]}"
  export DEBIAN_FRONTEND=noninteractive
  # no package's service may start while installing: a policy-rc.d of our own, when the
  # system has none, says so to invoke-rc.d and deb-systemd-invoke
  own_policy=no
  if [ ! -e /usr/sbin/policy-rc.d ]; then
    printf '#!/bin/sh\nexit 101\n' >/usr/sbin/policy-rc.d && chmod 755 /usr/sbin/policy-rc.d
    own_policy=yes
  fi
  trap '[ "$own_policy" = no ] || rm -f /usr/sbin/policy-rc.d' EXIT
  apt-get update -qq
  apt-get install -y -qq "${missing[@]}" >/dev/null
  [ "$own_policy" = no ] || rm -f /usr/sbin/policy-rc.d
  own_policy=no
  # SpamAssassin's installation imports its update keys with a gpg-agent that stays
  if [ -d /var/lib/spamassassin/sa-update-keys ] && command -v gpgconf >/dev/null; then
    gpgconf --homedir /var/lib/spamassassin/sa-update-keys --kill gpg-agent 2>/dev/null || true
  fi
  if [ -d /run/systemd/system ]; then  # nor do the servers installed now start at boot
    for p in "${missing[@]}"; do
      for unit in ${server_units[$p]:-}; do
        systemctl disable --now "$unit" >/dev/null 2>&1 || true
      done
    done
  fi
fi
if [ "$stop_exim" = yes ] && pgrep -x exim4 >/dev/null; then
  echo "setup: stopping the system's Exim daemon, as asked (--stop-system-exim)"
  if [ -x /etc/init.d/exim4 ]; then /etc/init.d/exim4 stop >/dev/null 2>&1 || true; fi
  pkill -x exim4 2>/dev/null || true
fi

# .venv has the package, its test extras, and the linters at the versions constraints.txt pins
venv_ok() {
  .venv/bin/python -c 'import dns, psutil, jinja2, pytest, junitparser, hypothesis, mypy, xdist' \
    2>/dev/null || return 1
  .venv/bin/python - <<'PY'
import importlib.metadata as metadata
import sys

for line in open("constraints.txt"):
    name, _, want = line.split("#")[0].strip().partition("==")
    if not name:
        continue
    try:
        have = metadata.version(name)
    except metadata.PackageNotFoundError:
        sys.exit(1)
    if have != want:
        sys.exit(1)
PY
}
if [ ! -x .venv/bin/python ] || ! venv_ok; then
  [ -x .venv/bin/python ] || { echo "setup: creating .venv"; /usr/bin/python3 -m venv .venv; }
  echo "setup: installing runtest.py and its test tools into .venv (linters as constraints.txt pins)"
  .venv/bin/pip install -q --disable-pip-version-check -c constraints.txt -e '.[test]'
fi

if ! id "$caller" >/dev/null 2>&1; then
  echo "setup: creating the caller account $caller"
  useradd --create-home --user-group --comment "Runtest Caller" --shell /bin/sh "$caller"
fi
if ! id -nG "$caller" | tr ' ' '\n' | grep -qx Debian-exim; then
  echo "setup: adding $caller to the group Debian-exim"
  usermod -a -G Debian-exim "$caller"
fi

# Perl's locale test (3000) switches LC_TIME to fr_FR, in ISO-8859-1.
if ! locale -a 2>/dev/null | grep -qx 'fr_FR'; then
  echo "setup: generating the fr_FR (ISO-8859-1) locale"
  sed -i 's/^# *\(fr_FR ISO-8859-1\)$/\1/' /etc/locale.gen
  locale-gen >/dev/null
fi

if [ "$(cat /proc/sys/net/ipv4/tcp_fastopen 2>/dev/null)" != 3 ]; then
  if sysctl -q -w net.ipv4.tcp_fastopen=3 >/dev/null 2>&1; then
    echo "setup: TCP Fast Open enabled for clients and servers (sysctl net.ipv4.tcp_fastopen=3)"
  else
    echo "setup: could not set net.ipv4.tcp_fastopen=3 here; TFO tests will show it" >&2
  fi
fi

# Exim's harness takes a pid for at least four digits; a large pid space rarely wraps.
if [ "$(cat /proc/sys/kernel/pid_max 2>/dev/null || echo 0)" -lt 4194304 ]; then
  if sysctl -q -w kernel.pid_max=4194304 >/dev/null 2>&1; then
    echo "setup: raised the pid space (sysctl kernel.pid_max=4194304)"
  fi
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
