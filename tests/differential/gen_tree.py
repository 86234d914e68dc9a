# SPDX-License-Identifier: MIT
"""Random sysctl.d trees for the differential test, one per seed.

A tree is laid out like /: etc/sysctl.d, run/sysctl.d, usr/local/lib/sysctl.d
and usr/lib/sysctl.d, the four directories systemd-sysctl 252 reads (on
Debian 12 /lib is a link to /usr/lib, so /lib/sysctl.d is the last one).
The same seed always gives the same tree, byte for byte.

Every key and glob written here lies under net.: the runner applies the tree
inside a fresh network namespace, where /proc/sys/net holds only that
namespace's own entries. Host-wide sysctls (kernel.*, vm.*, fs.*) are never
named, and no byte sequence can split into a line that names one: every
fragment a line can be cut into (at CR, NUL, LF) is itself one of the lines
made here.

  python3 gen_tree.py SEED DIR    write the tree for SEED into DIR
"""

import os
import random
import sys

DIRS = ("etc/sysctl.d", "run/sysctl.d", "usr/local/lib/sysctl.d", "usr/lib/sysctl.d")

# Values by the kind of key, the awkward ones beside the plain ones: base
# prefixes, signs, trailing fields and comments, separators, out of range.
INT_SMALL = ["0", "1", "2", "3", "-1", "+1", "0x1", "01", "1 2", "1;", "1.0", "",
             "  1  ", "1 # one", "1#c", "2147483648", "99999999999", "1\t0", "0x",
             "abc", "1\xff"]
INT_TIMEOUT = ["30", "+30", "030", "0x1e", "0", "-1", "60", "3600", "3601",
               "30 # thirty", "60 61", "2147483647", "2147483648", "", "15s", "010"]
INT_BUCKETS = ["010", "0", "-5", "262144", "4294967296", "1e5", "5000", "0x100", "+7"]
INT_DELAY = ["0", "1", "1000", "60000", "60001", "+5", "010", "10 20"]
PORT_RANGE = ["1024 65535", "40000", "60000 30000", "1024 65535 1", "32768\t60999",
              "0 65535", "1 65535", "1024 65536", "  2000   3000 ", "2000,3000",
              "1023 1023", "40000 40001", "1024 -1", "0x400 0xffff", "500 600",
              "", "20000 30000 # ranged", "010 020"]
RESERVED = ["8080", "8080,", "8080, 9000", "8080,9000", "8000-8010", "9000-8000", "0",
            "65535", "65536", "8080 9000", "", "8080,,9000", "-8080", "40000-40010",
            "32768-32770,50000", "0x1f90"]
UNPRIV = ["0", "1024", "500", "65536", "65535", "-1", "1024 5", "80", "40001", "+1024"]
FORWARD = ["0", "1", "2", "-1", "1 0", "01", "0x1", ""]
CT_TIMEOUT = ["120", "0", "-1", "030", "60 # w"]

# Keys twtune knows (src/common/knobs.c) and some it does not, all of them
# per network namespace; tcp_tw_recycle (gone since 4.12) and
# tcp_max_orphans (initial namespace only) are absent here; tcp_ehash_entries
# and, outside the initial namespace, nf_conntrack_max are read-only.
KEYS = {
    "net.ipv4.tcp_tw_reuse": INT_SMALL,
    "net.ipv4.tcp_tw_recycle": ["0", "1"],
    "net.ipv4.ip_local_port_range": PORT_RANGE,
    "net.ipv4.tcp_max_tw_buckets": INT_BUCKETS,
    "net.ipv4.tcp_fin_timeout": INT_TIMEOUT,
    "net.ipv4.tcp_timestamps": INT_SMALL,
    "net.ipv4.tcp_tw_reuse_delay": INT_DELAY,
    "net.ipv4.ip_local_reserved_ports": RESERVED,
    "net.ipv4.ip_unprivileged_port_start": UNPRIV,
    "net.ipv4.ip_forward": FORWARD,
    "net.ipv6.conf.all.forwarding": FORWARD,
    "net.netfilter.nf_conntrack_max": ["262144", "1000"],
    "net.netfilter.nf_conntrack_tcp_timeout_time_wait": CT_TIMEOUT,
    "net.ipv4.tcp_ehash_entries": ["1024"],
    "net.ipv4.tcp_max_orphans": ["4096"],
    "net.core.somaxconn": ["4096", "0x100", "128 # c"],
    "net.ipv4.tcp_syncookies": ["0", "1", "2"],
    "net.ipv4.conf.lo.forwarding": FORWARD,
    "net.ipv4.conf.default.forwarding": FORWARD,
    "net.ipv6.conf.default.forwarding": FORWARD,
    "net.ipv4.tcp_keepalive_time": ["600", "+60"],
    "net.ipv4.ip_nonlocal_bind": ["0", "1"],
}
# The common keys come up more often.
KEY_WEIGHTS = {"net.ipv4.tcp_tw_reuse": 4, "net.ipv4.ip_local_port_range": 4,
               "net.ipv4.tcp_fin_timeout": 3, "net.ipv4.tcp_timestamps": 3,
               "net.ipv4.ip_local_reserved_ports": 3, "net.ipv4.ip_unprivileged_port_start": 3,
               "net.ipv4.tcp_max_tw_buckets": 2, "net.ipv4.tcp_tw_reuse_delay": 2,
               "net.ipv4.ip_forward": 2, "net.ipv6.conf.all.forwarding": 2}

# Globs matching nothing outside /proc/sys/net/ipv4 and /proc/sys/net/ipv6,
# with the values they get.
GLOBS = {
    "net.ipv4.tcp_tw_*": INT_SMALL + INT_DELAY,
    "net.ipv4.ip_local_*": PORT_RANGE + RESERVED,
    "net.ipv4.conf.*.forwarding": FORWARD,
    "net.ipv6.conf.*.forwarding": FORWARD,
    "net.ipv4.tcp_fin_time?ut": INT_TIMEOUT,
    "net.ipv4.tcp_t[iw]*": INT_SMALL,
    "net.ipv4.tcp_max_*": INT_BUCKETS,
    "net.ipv4.ip_*": ["0", "1", "1024", "40000 50000"],
    "net/ipv4/tcp_tw_*": INT_SMALL,
    "net.ipv4.*_port_*": UNPRIV + PORT_RANGE,
}

NAMES = ["10-base", "50-tcp", "60-ports", "70-site", "80-local", "90-override",
         "99-last", "20-forward", "50-Tcp", "a-late"]


def key_form(rng, key):
    """The key as a file may spell it: dots, slashes, blanks around it."""
    r = rng.random()
    if r < 0.15:
        key = key.replace(".", "/")
    elif r < 0.18:
        # dots then slashes: systemd keeps it as written
        key = key.replace(".", "/", 1)
    elif r < 0.20:
        key = key + "."
    lead = rng.choice(["", "", "", " ", "\t", "  "])
    return lead + key


def assignment(rng, key, values):
    eq = rng.choice([" = ", " = ", " = ", "=", " =", "= ", "\t=\t", " =  "])
    value = rng.choice(values)
    trail = rng.choice(["", "", "", "", " ", "\t"])
    return f"{key}{eq}{value}{trail}"


def plain_line(rng, well_formed):
    """One line of text (no terminator)."""
    r = rng.random()
    keys = list(KEYS)
    if r < 0.55:
        key = rng.choices(keys, [KEY_WEIGHTS.get(k, 1) for k in keys])[0]
        values = KEYS[key]
        if well_formed:
            values = [v for v in values if v in ("0", "1", "2", "30", "60", "5000", "262144",
                                                  "1024 65535", "40000 40001", "8080",
                                                  "8080,9000", "1024", "120", "4096", "600")] or values[:1]
        prefix = "-" if rng.random() < 0.12 else ""
        return assignment(rng, prefix + key_form(rng, key).lstrip(), values)
    if r < 0.70:
        glob = rng.choice(list(GLOBS))
        values = GLOBS[glob]
        if well_formed:
            values = [v for v in values if v in ("0", "1")] or ["1"]
        prefix = "-" if rng.random() < 0.1 else ""
        return assignment(rng, prefix + glob, values)
    if r < 0.78:
        # an exclusion: the key (or glob) alone, after '-'
        return "-" + rng.choice(keys + list(GLOBS)[:3])
    if r < 0.90:
        return rng.choice(["# a comment", "; another", "", "   ", "#net.ipv4.tcp_tw_reuse = 2",
                           "; net.ipv4.tcp_fin_timeout=5", "\t# indented"])
    if well_formed:
        return "# fine"
    return rng.choice(["net.ipv4.tcp_tw_reuse", "= 1", "net.ipv4.tcp_fin_timeout 30",
                       "net.ipv4.no_such_key = 1", "net.ipv4.tcp_tw_reuse == 1"])


def awkward_line(rng):
    """A line whose bytes are unusual: long, not UTF-8."""
    r = rng.random()
    if r < 0.35:
        return "# " + "x" * rng.choice([4094, 4095, 4096, 5000, 9000])
    if r < 0.55:
        return " " * rng.choice([4090, 4100, 6000]) + "net.ipv4.tcp_fin_timeout = 45"
    if r < 0.75:
        return "# caf\xe9 r\xc3sum\xe9"
    if r < 0.9:
        return "net.ipv4.tcp_fin_timeout = 30 # th\xefrty"
    return "net.ipv4.tcp_tw_reuse = 1\xff"


def file_bytes(rng, well_formed):
    lines = [plain_line(rng, well_formed) for _ in range(rng.randint(1, 8))]
    if not well_formed and rng.random() < 0.3:
        lines.insert(rng.randrange(len(lines) + 1), awkward_line(rng))
    crlf = rng.random() < 0.15
    out = bytearray()
    for i, line in enumerate(lines):
        # latin-1 keeps the code points below 256 as the bytes themselves
        out += line.encode("latin-1")
        last = i == len(lines) - 1
        if last and rng.random() < 0.15:
            break  # no terminator after the last line
        if not well_formed and rng.random() < 0.08:
            out += rng.choice([b"\r", b"\0", b"\0\0", b"\r\r\n"])
        else:
            out += b"\r\n" if crlf else b"\n"
    return bytes(out)


def generate(seed, root):
    """Write the tree for SEED under ROOT (which must not exist yet or be
    empty); returns a one-line description of its kind."""
    rng = random.Random(seed)
    well_formed = rng.random() < 0.3
    for d in DIRS:
        os.makedirs(os.path.join(root, d), exist_ok=True)
    files = rng.randint(1, 6)
    for _ in range(files):
        d = rng.choices(DIRS, [4, 2, 1, 3])[0]
        name = rng.choice(NAMES)
        suffix = ".conf" if rng.random() < 0.93 else rng.choice([".conf.bak", "", ".CONF"])
        path = os.path.join(root, d, name + suffix)
        if os.path.lexists(path):
            continue
        if rng.random() < 0.12:
            # a mask: a link to /dev/null hides the same name in later directories
            os.symlink("/dev/null", path)
            continue
        with open(path, "wb") as f:
            f.write(file_bytes(rng, well_formed))
    return "well-formed" if well_formed else "awkward"


def main(argv):
    if len(argv) != 3:
        sys.stderr.write("usage: gen_tree.py SEED DIR\n")
        return 2
    generate(int(argv[1]), argv[2])
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
