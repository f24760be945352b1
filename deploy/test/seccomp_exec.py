"""Runs a command under a seccomp filter equal to the syscall side of the units' hardening
(deploy/systemd/stepwise@.service), as systemd would install it. Used by unit_sandbox.sh.

usage: seccomp_exec.py COMMAND [ARG...]

Each rule makes a syscall fail with the errno systemd uses; everything else is allowed:
  RestrictAddressFamilies=AF_UNIX AF_INET AF_INET6 AF_NETLINK   socket() of another family
  RestrictNamespaces=yes        unshare, setns, clone with a CLONE_NEW* flag (clone3: ENOSYS)
  RestrictRealtime=yes          sched_setscheduler to SCHED_FIFO, SCHED_RR, SCHED_DEADLINE
  RestrictSUIDSGID=yes          chmod/fchmod/fchmodat setting the setuid or setgid bit
  ProtectClock=yes              @clock (setting the clock)
  ProtectKernelModules=yes      init_module, finit_module, delete_module
  ProtectKernelLogs=yes         syslog
  PrivateDevices=yes            @raw-io
  SystemCallArchitectures=native  the filter admits the native architecture only
Standard library only: libseccomp through ctypes (libseccomp2 comes with systemd).
"""
import ctypes
import errno
import os
import sys

_lib = ctypes.CDLL("libseccomp.so.2", use_errno=True)


class _Cmp(ctypes.Structure):
    _fields_ = [("arg", ctypes.c_uint), ("op", ctypes.c_int), ("a", ctypes.c_uint64), ("b", ctypes.c_uint64)]


_lib.seccomp_init.restype = ctypes.c_void_p
_lib.seccomp_init.argtypes = [ctypes.c_uint32]
_lib.seccomp_rule_add_array.argtypes = [ctypes.c_void_p, ctypes.c_uint32, ctypes.c_int, ctypes.c_uint,
                                        ctypes.POINTER(_Cmp)]
_lib.seccomp_syscall_resolve_name.argtypes = [ctypes.c_char_p]
_lib.seccomp_load.argtypes = [ctypes.c_void_p]

ALLOW = 0x7FFF0000
EQ, GE, MASKED_EQ = 4, 5, 7


def _errno(e):
    return 0x00050000 | e


def build():
    ctx = _lib.seccomp_init(ALLOW)

    def rule(name, action, *cmps):
        nr = _lib.seccomp_syscall_resolve_name(name.encode())
        if nr < 0:  # not on this architecture
            return
        arr = (_Cmp * max(1, len(cmps)))(*[_Cmp(*c) for c in cmps])
        rc = _lib.seccomp_rule_add_array(ctx, action, nr, len(cmps), arr)
        if rc != 0:
            sys.exit(f"seccomp_exec: rule for {name} refused ({rc})")

    allowed_families = {1, 2, 10, 16}  # AF_UNIX, AF_INET, AF_INET6, AF_NETLINK
    for family in range(46):  # AF_MAX on Linux 6.x
        if family not in allowed_families:
            rule("socket", _errno(errno.EAFNOSUPPORT), (0, EQ, family, 0))
    rule("socket", _errno(errno.EAFNOSUPPORT), (0, GE, 46, 0))
    for name in ("unshare", "setns"):
        rule(name, _errno(errno.EPERM))
    for flag in (0x80, 0x20000, 0x02000000, 0x04000000, 0x08000000, 0x10000000, 0x20000000, 0x40000000):
        rule("clone", _errno(errno.EPERM), (0, MASKED_EQ, flag, flag))
    rule("clone3", _errno(errno.ENOSYS))
    for policy in (1, 2, 6):
        rule("sched_setscheduler", _errno(errno.EPERM), (1, EQ, policy, 0))
    for name, arg in (("chmod", 1), ("fchmod", 1), ("fchmodat", 2)):
        for bit in (0o4000, 0o2000):
            rule(name, _errno(errno.EPERM), (arg, MASKED_EQ, bit, bit))
    for name in ("adjtimex", "clock_adjtime", "clock_adjtime64", "clock_settime", "clock_settime64",
                 "settimeofday", "stime", "init_module", "finit_module", "delete_module", "syslog",
                 "ioperm", "iopl", "pciconfig_iobase", "pciconfig_read", "pciconfig_write"):
        rule(name, _errno(errno.EPERM))
    return ctx


def main():
    if len(sys.argv) < 2:
        sys.exit(__doc__)
    if _lib.seccomp_load(build()) != 0:
        sys.exit("seccomp_exec: seccomp_load failed")
    os.execvp(sys.argv[1], sys.argv[1:])


if __name__ == "__main__":
    main()
