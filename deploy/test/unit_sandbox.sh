#!/usr/bin/env bash
# Runs a command inside an emulation of the sandbox deploy/systemd/stepwise@.service gives the
# server (and so the checker and its Chromium), for a test where systemd is not PID 1. Root only.
#
# usage: unit_sandbox.sh STATE_DIR TREE USER COMMAND [ARG...]
#   STATE_DIR  writable, the service's StateDirectory: mounted at /srv, the HOME and working dir
#   TREE       the built tree (the release /opt/stepwise/current points to): mounted at /opt
#
# In a private mount namespace:
#   ProtectSystem=strict     every mount read-only except /dev, /proc, /sys; STATE_DIR writable
#   PrivateTmp=yes           fresh /tmp and /var/tmp
#   ProtectHome=yes          /home, /root, /run/user inaccessible
#   PrivateDevices=yes       a /dev of null, zero, full, random, urandom, tty, shm/ and pts/
#   ProtectProc=invisible    /proc shows only the service's own processes
#   ProtectKernelTunables=, ProtectControlGroups=   /proc/sys and /sys read-only
# then as USER: NoNewPrivileges=yes, CapabilityBoundingSet= (none), AmbientCapabilities= (none),
# UMask=0027, and the syscall restrictions of seccomp_exec.py.
set -euo pipefail
[ $# -ge 4 ] || { echo "usage: $0 STATE_DIR TREE USER COMMAND [ARG...]" >&2; exit 2; }
[ "$(id -u)" = 0 ] || { echo "unit_sandbox.sh: needs root (mount namespaces)" >&2; exit 2; }
state=$(cd "$1" && pwd); tree=$(cd "$2" && pwd); user=$3; shift 3
cp "$(dirname "$0")/seccomp_exec.py" "$state/.seccomp_exec.py"

exec unshare --mount --propagation private bash -s "$state" "$tree" "$user" "$@" <<'SANDBOX'
set -euo pipefail
state=$1 tree=$2 user=$3; shift 3
for m in $(findmnt -rno TARGET | grep -vE '^/(dev|proc|sys)(/|$)' | sort -u); do
  mount -n -o remount,bind,ro "$m" 2>/dev/null || { echo "unit_sandbox: cannot make $m read-only" >&2; exit 1; }
done
# Bind mounts keep their source's read-only flag: made writable again.
mount -n --bind "$state" /srv
mount -n -o remount,bind,rw /srv
mount -n --bind "$tree" /opt
mount -n -t tmpfs -o mode=1777,nosuid,nodev tmpfs /tmp
mount -n -t tmpfs -o mode=1777,nosuid,nodev tmpfs /var/tmp
for h in /home /root /run/user; do
  if [ -d "$h" ]; then mount -n -t tmpfs -o mode=000,ro tmpfs "$h"; fi
done
mount -n -t tmpfs -o mode=755,nosuid tmpfs /mnt
for d in null zero full random urandom tty; do touch "/mnt/$d"; mount -n --bind "/dev/$d" "/mnt/$d"; done
mkdir /mnt/shm /mnt/pts
mount -n -t tmpfs -o mode=1777,nosuid,nodev tmpfs /mnt/shm
mount -n --bind /dev/pts /mnt/pts
mount -n --move /mnt /dev
mount -n -t proc -o hidepid=invisible,nosuid,nodev,noexec proc /proc
mount -n --bind /proc/sys /proc/sys
mount -n -o remount,bind,ro /proc/sys
for m in $(findmnt -rno TARGET | grep -E '^/sys(/|$)' | sort -u); do
  mount -n -o remount,bind,ro "$m" 2>/dev/null || true
done
if touch /.unit_sandbox 2>/dev/null; then echo "unit_sandbox: / is writable" >&2; exit 1; fi
cd /srv
umask 0027
exec setpriv --reuid="$user" --regid="$(id -g "$user")" --clear-groups --no-new-privs \
  --bounding-set=-all --inh-caps=-all --ambient-caps=-all \
  env -i HOME=/srv PATH=/usr/local/bin:/usr/bin:/bin python3 /srv/.seccomp_exec.py "$@"
SANDBOX
