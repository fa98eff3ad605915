#!/bin/bash
# Run a command in a Debian 13 (trixie) chroot with what runtest.py needs. Run as root.
#
#   tools/debian13-chroot.sh [ROOT] [-- COMMAND...]     (ROOT: /srv/trixie; COMMAND: bash -l)
#   tools/debian13-chroot.sh /srv/trixie -- bash -lc 'cd /opt/main && ./setup.sh && ./runtest.py'
#
# Makes ROOT with debootstrap when it is missing. The command runs in a mount namespace of
# its own, with /proc, /dev (and /dev/pts, /dev/shm), /sys (and the cgroup file systems:
# the runner puts a run in a cgroup v2 of its own) and a /run tmpfs mounted under ROOT.
# A trap unmounts them when the command ends, and they never exist outside that namespace,
# so nothing stays mounted on the host, whatever happens, and several commands can use one
# ROOT at once. (No PID namespace: runners in PID namespaces of their own get the same pid
# and so the same cgroup, runtest-PID, and the first to end kills the others.)
# The host's resolv.conf and CA bundle are copied in (pip and Python reach PyPI through
# the host's CA bundle; a proxy's CA in it is not in Debian's) and PIP_CERT names it.
set -euo pipefail
root=/srv/trixie
if [ $# -gt 0 ] && [ "$1" != -- ]; then root=$1; shift; fi
if [ "${1:-}" = -- ]; then shift; fi
[ $# -gt 0 ] || set -- bash -l
root=$(realpath -m "$root")
[ "$(id -u)" -eq 0 ] || { echo "$0: run me as root" >&2; exit 2; }

if [ -z "${DEBIAN13_CHROOT_INSIDE:-}" ]; then
  if [ ! -x "$root/bin/bash" ]; then
    debootstrap --variant=minbase --include=ca-certificates,git trixie "$root" http://deb.debian.org/debian
  fi
  # The host's name servers and CA bundle, so that apt and pip reach their registries.
  cp -L /etc/resolv.conf "$root/etc/resolv.conf"
  ca=/etc/ssl/certs/ca-certificates.crt
  mkdir -p "$root/usr/local/share/ca-certificates"
  cp /usr/local/share/ca-certificates/*.crt "$root/usr/local/share/ca-certificates/" 2>/dev/null || true
  cp "$ca" "$root$ca"   # update-ca-certificates in the chroot rebuilds it with those too
  [ -e "$root/etc/hosts" ] || printf '127.0.0.1\tlocalhost\n::1\t\tlocalhost ip6-localhost ip6-loopback\n' > "$root/etc/hosts"
  # No package's daemon starts in the chroot (Exim's would listen on the host's port 25).
  printf '#!/bin/sh\nexit 101\n' > "$root/usr/sbin/policy-rc.d" && chmod 755 "$root/usr/sbin/policy-rc.d"
  DEBIAN13_CHROOT_INSIDE=1 exec unshare --mount --propagation private "$(realpath "$0")" "$root" -- "$@"
fi

# Here: in a mount namespace of our own.
unmount() {  # a mount can be stacked on another at one path: until none is left
  for d in proc run sys dev; do
    while mountpoint -q "$root/$d" && umount -R "$root/$d" 2>/dev/null; do :; done
  done
}
trap unmount EXIT
trap 'exit 130' INT TERM HUP
# ROOT made a mount point, as / is on a machine: `unshare --mount` inside (it makes / private)
# fails with EINVAL on a root that is not one.
mountpoint -q "$root" || mount --bind "$root" "$root"
mount -t proc proc "$root/proc"
mount --rbind /dev "$root/dev"
mount --rbind /sys "$root/sys"
mount -t tmpfs -o mode=755,nosuid,nodev tmpfs "$root/run"
mkdir -m 1777 "$root/run/lock"
# The command sees a root login's environment, not the caller's (no host PIP_* or paths).
chroot "$root" /usr/bin/env -i HOME=/root USER=root LOGNAME=root TERM="${TERM:-dumb}" \
  PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin \
  PIP_CERT=/etc/ssl/certs/ca-certificates.crt "$@"
