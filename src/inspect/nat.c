/* SPDX-License-Identifier: MIT */
/* NAT facts: the conntrack limits, the legacy iptables nat table, and the
 * verdict drawn from every source. The nftables and conntrack dumps are in
 * nat_nftables.c and nat_conntrack.c, over the plumbing in nfnl.c. */
#include "inspect/nat.h"

#include <errno.h>
#include <limits.h>
#include <netinet/in.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

/* after <netinet/in.h>: glibc's copy of the in.h structs must win */
/* clang-format off */
#include <linux/netfilter_ipv4/ip_tables.h>
/* clang-format on */

#include "inspect/procfs.h"

/* The legacy nat table's built-in chains: PREROUTING, INPUT, OUTPUT and
 * POSTROUTING (iptable_nat.c). */
#define IPT_NAT_BUILTIN_CHAINS 4

void nat_add_signal(struct nat_facts *nat, const char *name, const char *fmt, ...)
{
	struct nat_signal *s;
	va_list ap;

	if (nat->signal_count >= NAT_MAX_SIGNALS)
		return;
	s = &nat->signals[nat->signal_count++];
	snprintf(s->name, sizeof(s->name), "%s", name);
	va_start(ap, fmt);
	vsnprintf(s->detail, sizeof(s->detail), fmt, ap);
	va_end(ap);
}

void nat_source_failed(struct evidence_source *src, const char *fmt, ...)
{
	va_list ap;

	src->inspected = false;
	va_start(ap, fmt);
	vsnprintf(src->error, sizeof(src->error), fmt, ap);
	va_end(ap);
}

void nat_source_partial(struct evidence_source *src, const char *fmt, ...)
{
	va_list ap;

	src->inspected = true;
	if (src->incomplete)
		return;
	src->incomplete = true;
	va_start(ap, fmt);
	vsnprintf(src->error, sizeof(src->error), fmt, ap);
	va_end(ap);
}

static bool knob_is(const struct tw_facts *f, enum knob_id id, long value)
{
	return f->sysctl[id].known && f->sysctl[id].value.integer == value;
}

static bool knob_u64(const struct tw_facts *f, enum knob_id id, uint64_t *out)
{
	if (!f->sysctl[id].known || f->sysctl[id].value.integer < 0)
		return false;
	*out = (uint64_t)f->sysctl[id].value.integer;
	return true;
}

/* The conntrack limits are sysctls (read with the others); the current
 * count is a read-only file beside them. All exist only while nf_conntrack
 * is loaded, which is when conntrack can matter at all. */
static void read_conntrack_sysctls(const char *proc_root, struct tw_facts *f)
{
	struct conntrack_facts *ct = &f->conntrack;
	char buf[64];
	long n;
	int r;

	ct->max_known = knob_u64(f, KNOB_NF_CONNTRACK_MAX, &ct->max);
	ct->timeout_known =
		knob_u64(f, KNOB_NF_CONNTRACK_TCP_TIMEOUT_TIME_WAIT, &ct->time_wait_timeout);
	n = procfs_read(proc_root, "sys/net/netfilter/nf_conntrack_count", buf, sizeof(buf));
	if (n >= 0 && (r = parse_u64(buf, &ct->count)) == 0) {
		ct->count_known = true;
	} else if (n >= 0) {
		char what[PATH_MAX + 48], message[PATH_MAX + 160];

		str_normalize_blanks(buf);
		utf8_sanitize(buf);
		snprintf(what, sizeof(what), "%s/sys/net/netfilter/nf_conntrack_count", proc_root);
		strict_uint_error(r, what, buf, 0, UINT64_MAX, message, sizeof(message));
		facts_add_error(f, "conntrack", "%s", message);
	}
	ct->loaded = ct->max_known || ct->count_known || f->sysctl[KNOB_NF_CONNTRACK_MAX].present;
}

void nat_conclude(struct tw_facts *f)
{
	struct nat_facts *nat = &f->nat;
	const struct conntrack_facts *ct = &f->conntrack;
	bool translating = false;

	if (nat->nft_nat_chains)
		translating = true;
	if (nat->iptables_nat_rules > 0)
		translating = true;
	if (ct->snat || ct->dnat) {
		translating = true;
		nat_add_signal(
			nat, "conntrack_nat",
			"%llu of %llu conntrack entries carry NAT (%llu source, %llu destination)",
			(unsigned long long)(ct->snat + ct->dnat), (unsigned long long)ct->entries,
			(unsigned long long)ct->snat, (unsigned long long)ct->dnat);
	}
	/* Forwarding alone is a router, not a translator; it is evidence
	 * beside the rest, never the verdict on its own. */
	if (knob_is(f, KNOB_IP_FORWARD, 1))
		nat_add_signal(nat, "ipv4_forwarding", "net.ipv4.ip_forward = 1");
	if (knob_is(f, KNOB_IPV6_FORWARDING, 1))
		nat_add_signal(nat, "ipv6_forwarding", "net.ipv6.conf.all.forwarding = 1");

	if (translating)
		nat->present = 1;
	else if (nat->nftables.inspected && nat->iptables.inspected &&
		 (ct->dump.inspected || !ct->loaded))
		nat->present = 0;
	else
		nat->present = -1;
}

/* Whether the text of ip_tables_names lists NAME on a line of its own. */
static bool names_list(const char *names, const char *name)
{
	size_t len = strlen(name);

	for (const char *line = names;;) {
		const char *end = strchr(line, '\n');
		size_t line_len = end ? (size_t)(end - line) : strlen(line);

		if (line_len == len && memcmp(line, name, len) == 0)
			return true;
		if (!end)
			return false;
		line = end + 1;
	}
}

/* The size of the legacy IPv4 nat table, from the kernel: its entries, and
 * its SIZE in bytes. */
static int ipt_nat_entries(unsigned *entries, unsigned *size)
{
	struct ipt_getinfo info;
	socklen_t len = sizeof(info);
	int fd, r = 0;

	fd = socket(AF_INET, SOCK_RAW | SOCK_CLOEXEC, IPPROTO_RAW);
	if (fd < 0)
		return -errno;
	memset(&info, 0, sizeof(info));
	snprintf(info.name, sizeof(info.name), "nat");
	if (getsockopt(fd, IPPROTO_IP, IPT_SO_GET_INFO, &info, &len) < 0)
		r = -errno;
	else {
		*entries = info.num_entries;
		*size = info.size;
	}
	close(fd);
	return r;
}

/* Legacy iptables (x_tables, not iptables-nft: those rules are nftables
 * chains). Since Linux 4.6 a table exists in a namespace only once used
 * there, and ip_tables_names lists exactly those; asking getsockopt about
 * an unlisted table would create it (xt_find_table_lock calls table_init),
 * so the list is read first. */
static void inspect_iptables(const char *proc_root, struct nat_facts *nat)
{
	struct evidence_source *src = &nat->iptables;
	char names[1024];
	unsigned entries = 0, size = 0;
	long n;
	int r;

	n = procfs_read(proc_root, "net/ip_tables_names", names, sizeof(names));
	if (n == -ENOENT || (n >= 0 && !names_list(names, "nat"))) {
		/* ip_tables not loaded, or no nat table in this namespace */
		src->inspected = true;
		nat->iptables_nat_rules = -1;
		return;
	}
	if (n < 0) {
		/* the file is mode 0440 root (xt_proto_init) */
		nat_source_failed(src, "iptables: cannot read %s/net/ip_tables_names: %s",
				  proc_root, strerror((int)-n));
		return;
	}
	r = ipt_nat_entries(&entries, &size);
	if (r == -EPERM || r == -EACCES) {
		/* do_ipt_get_ctl wants CAP_NET_ADMIN; the raw socket itself
		 * CAP_NET_RAW */
		nat_source_failed(src, "iptables: the kernel refused to describe the nat table: "
				       "needs CAP_NET_ADMIN (and CAP_NET_RAW)");
		return;
	}
	if (r < 0) {
		nat_source_failed(src, "iptables: IPT_SO_GET_INFO on nat failed: %s", strerror(-r));
		return;
	}
	/* num_entries counts every entry: one policy per built-in chain, the
	 * final error entry, and per user-defined chain a head and a return.
	 * So entries - 5 is the rule count plus twice the user chains: close
	 * enough to tell an empty table from a used one without reading it
	 * (IPT_SO_GET_ENTRIES would copy the whole table). */
	src->inspected = true;
	nat->iptables_nat_rules =
		entries > IPT_NAT_BUILTIN_CHAINS + 1 ? entries - (IPT_NAT_BUILTIN_CHAINS + 1) : 0;
	if (nat->iptables_nat_rules > 0)
		nat_add_signal(nat, "iptables_nat_rules",
			       "legacy iptables nat table in use: %u entries, %lld beyond an empty "
			       "table's %d (rules, and 2 per user chain)",
			       entries, (long long)nat->iptables_nat_rules,
			       IPT_NAT_BUILTIN_CHAINS + 1);
	/* which of them masquerade, and how they pick ports */
	if (nat->iptables_nat_rules > 0 && (r = snat_read_legacy(&nat->snat, size)) < 0)
		nat_source_partial(src,
				   "iptables: the nat table's rules were not read for "
				   "masquerade and SNAT (%s)",
				   r == -EFBIG ? "larger than twtune reads" : strerror(-r));
}

void inspect_nat(const char *proc_root, struct tw_facts *f)
{
	const char *why = "not asked: a --proc tree has no kernel behind it";
	struct snat_tally tally, *snat = &tally;

	memset(&f->nat, 0, sizeof(f->nat));
	memset(&f->conntrack, 0, sizeof(f->conntrack));
	f->nat.iptables_nat_rules = -1;
	read_conntrack_sysctls(proc_root, f);
	if (snat_tally_begin(&tally) < 0) {
		/* the per-destination figures are a nicety; the counts stand */
		snat_tally_discard(&tally);
		snat = NULL;
	}

	if (strcmp(proc_root, "/proc") != 0) {
		nat_source_failed(&f->nat.nftables, "%s", why);
		nat_source_failed(&f->nat.iptables, "%s", why);
		/* A copied tree may still carry the conntrack table as text. */
		if (f->conntrack.loaded)
			conntrack_read_proc(proc_root, &f->conntrack, snat);
		else
			nat_source_failed(&f->conntrack.dump, "%s", why);
	} else {
		/* Each source records its own outcome; one refused source does
		 * not stop the others. */
		nat_dump_nftables(&f->nat);
		inspect_iptables(proc_root, &f->nat);
		if (f->conntrack.loaded)
			nat_dump_conntrack(&f->conntrack, snat);
		else
			nat_source_failed(
				&f->conntrack.dump,
				"conntrack: nf_conntrack is not loaded here: no table to dump");
	}
	if (snat && f->conntrack.dump.inspected)
		snat_tally_finish(snat, &f->nat.snat);
	else if (snat)
		snat_tally_discard(snat);
	nat_conclude(f);
}
