/* SPDX-License-Identifier: MIT */
/* See ct_stats.h. The text file is readable by anyone (mode 0444) and
 * needs no privilege, so it comes first; ctnetlink serves kernels built
 * without it. */
#include "inspect/ct_stats.h"

#include <errno.h>
#include <linux/netfilter/nfnetlink_conntrack.h>
#include <netlink/socket.h>
#include <stdio.h>
#include <string.h>

#include "common/lineread.h"
#include "inspect/nfnl.h"
#include "inspect/procfs.h"

#define CT_STATS_FILE "net/stat/nf_conntrack"
/* the kernel prints 17 columns; a header of many more is not this file */
#define CT_STATS_MAX_COLUMNS 64
/* a value line is 17 * 9 characters; a header a little longer */
#define CT_STATS_LINE_MAX 1024

/* The ctnetlink attribute of each conntrack counter. */
static const int stats_attribute[CTR_COUNT] = {
	[CTR_CT_INSERT_FAILED] = CTA_STATS_INSERT_FAILED,
	[CTR_CT_DROP] = CTA_STATS_DROP,
	[CTR_CT_EARLY_DROP] = CTA_STATS_EARLY_DROP,
	[CTR_CT_SEARCH_RESTART] = CTA_STATS_SEARCH_RESTART,
	[CTR_CT_CLASH_RESOLVE] = CTA_STATS_CLASH_RESOLVE,
};

void ct_stats_text_begin(struct ct_stats_text *t)
{
	memset(t, 0, sizeof(*t));
	for (int id = 0; id < CTR_COUNT; id++)
		t->column[id] = -1;
}

static int hex_digit(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	return c >= 'A' && c <= 'F' ? c - 'A' + 10 : -1;
}

/* A value as the kernel prints it: hex digits only, at most 16. */
static int hex_counter(const char *tok, uint64_t *out)
{
	size_t len = strlen(tok);
	uint64_t v = 0;

	if (len == 0 || len > 16)
		return -EINVAL;
	for (size_t i = 0; i < len; i++) {
		int d = hex_digit(tok[i]);

		if (d < 0)
			return -EINVAL;
		v = v << 4 | (uint64_t)d;
	}
	*out = v;
	return 0;
}

static int header_line(struct ct_stats_text *t, char *line, char *why, size_t whylen)
{
	char *save = NULL;

	for (char *name = strtok_r(line, " \t", &save); name; name = strtok_r(NULL, " \t", &save)) {
		if (t->columns == CT_STATS_MAX_COLUMNS) {
			snprintf(why, whylen, "more than %d columns", CT_STATS_MAX_COLUMNS);
			return -EBADMSG;
		}
		for (int id = 0; id < CTR_COUNT; id++)
			if (counter_is_conntrack(id) && t->column[id] < 0 &&
			    strcmp(name, counter_info(id)->field) == 0)
				t->column[id] = (int)t->columns;
		t->columns++;
	}
	if (t->columns == 0) {
		snprintf(why, whylen, "no header naming the columns");
		return -EBADMSG;
	}
	return 0;
}

int ct_stats_text_line(struct ct_stats_text *t, char *line, char *why, size_t whylen)
{
	uint64_t values[CT_STATS_MAX_COLUMNS];
	unsigned n = 0;
	char *save = NULL;

	if (t->columns == 0)
		return header_line(t, line, why, whylen);
	for (char *tok = strtok_r(line, " \t", &save); tok; tok = strtok_r(NULL, " \t", &save)) {
		if (n == t->columns) {
			snprintf(why, whylen, "more values than the header's %u columns",
				 t->columns);
			return -EBADMSG;
		}
		if (hex_counter(tok, &values[n]) < 0) {
			snprintf(why, whylen, "column %u: '%.24s' is not a hexadecimal counter",
				 n + 1, tok);
			return -EBADMSG;
		}
		n++;
	}
	if (n != t->columns) {
		snprintf(why, whylen, "%u values for the header's %u columns", n, t->columns);
		return -EBADMSG;
	}
	for (int id = 0; id < CTR_COUNT; id++)
		if (t->column[id] >= 0)
			t->sum[id] += values[t->column[id]];
	t->cpus++;
	return 0;
}

int ct_stats_text_finish(const struct ct_stats_text *t, struct counter out[CTR_COUNT])
{
	int found = 0;

	for (int id = 0; id < CTR_COUNT; id++) {
		if (t->column[id] < 0 || t->cpus == 0)
			continue;
		out[id].present = true;
		out[id].value = t->sum[id];
		found++;
	}
	return found;
}

static int read_text(const char *proc_root, struct counter out[CTR_COUNT], struct tw_facts *f)
{
	struct ct_stats_text t;
	char path[4096], line[CT_STATS_LINE_MAX], why[128] = "";
	unsigned number = 0;
	size_t len;
	FILE *fp;
	int r;

	if (procfs_path(proc_root, CT_STATS_FILE, path, sizeof(path)) < 0)
		return -ENAMETOOLONG;
	if (!(fp = fopen(path, "re")))
		return -errno;
	ct_stats_text_begin(&t);
	while ((r = read_line(fp, line, sizeof(line), &len)) != 0) {
		number++;
		if (r < 0) {
			snprintf(why, sizeof(why), "%s",
				 r == -E2BIG	 ? "line too long"
				 : r == -EBADMSG ? "a NUL byte"
						 : strerror(-r));
			break;
		}
		if ((r = ct_stats_text_line(&t, line, why, sizeof(why))) < 0)
			break;
	}
	fclose(fp);
	if (r == 0 && !t.cpus) {
		number++;
		snprintf(why, sizeof(why), "%s", t.columns ? "no line of values" : "empty");
	}
	if (why[0]) {
		if (f)
			facts_add_error(f, "conntrack", "%s:%u: malformed statistics: %s", path,
					number, why);
		return -EBADMSG;
	}
	return ct_stats_text_finish(&t, out);
}

static const struct nla_policy stats_policy[CTA_STATS_MAX + 1] = {
	[CTA_STATS_INSERT_FAILED] = {.type = NLA_U32},
	[CTA_STATS_DROP] = {.type = NLA_U32},
	[CTA_STATS_EARLY_DROP] = {.type = NLA_U32},
	[CTA_STATS_SEARCH_RESTART] = {.type = NLA_U32},
	[CTA_STATS_CLASH_RESOLVE] = {.type = NLA_U32},
};

int ct_stats_parse_cpu(const struct nlmsghdr *nlh, uint64_t sum[CTR_COUNT], bool seen[CTR_COUNT])
{
	const uint16_t type = (NFNL_SUBSYS_CTNETLINK << 8) | IPCTNL_MSG_CT_GET_STATS_CPU;
	struct nlattr *tb[CTA_STATS_MAX + 1];

	if (nlh->nlmsg_type != type || nfnl_attrs(nlh, tb, CTA_STATS_MAX, stats_policy) < 0)
		return -EBADMSG;
	for (int id = 0; id < CTR_COUNT; id++) {
		if (!counter_is_conntrack(id) || !tb[stats_attribute[id]])
			continue;
		/* big-endian, like every ctnetlink integer */
		sum[id] += ntohl(nla_get_u32(tb[stats_attribute[id]]));
		seen[id] = true;
	}
	return 0;
}

struct stats_dump {
	uint64_t sum[CTR_COUNT];
	bool seen[CTR_COUNT];
	unsigned long malformed;
};

static int on_stats(struct nl_msg *msg, void *arg)
{
	struct stats_dump *d = arg;

	if (ct_stats_parse_cpu(nlmsg_hdr(msg), d->sum, d->seen) < 0)
		d->malformed++;
	return NL_OK;
}

static int read_netlink(struct counter out[CTR_COUNT], struct tw_facts *f)
{
	const uint16_t type = (NFNL_SUBSYS_CTNETLINK << 8) | IPCTNL_MSG_CT_GET_STATS_CPU;
	struct stats_dump d = {0};
	struct nl_sock *sk;
	int r, found = 0;

	r = nfnl_open(&sk);
	if (r == 0) {
		r = nfnl_dump(sk, nfnl_request(type, AF_UNSPEC), on_stats, &d);
		nl_socket_free(sk);
	}
	if (r < 0 || d.malformed) {
		if (f)
			facts_add_error(
				f, "conntrack",
				"no /proc/net/stat/nf_conntrack (a kernel without "
				"CONFIG_NF_CONNTRACK_PROCFS), and ctnetlink's statistics: %s",
				r == -EPERM || r == -EACCES ? "refused: needs CAP_NET_ADMIN"
				: r < 0			    ? strerror(-r)
							    : "malformed replies");
		return r < 0 ? r : -EBADMSG;
	}
	for (int id = 0; id < CTR_COUNT; id++) {
		if (!d.seen[id])
			continue;
		out[id].present = true;
		out[id].value = d.sum[id];
		found++;
	}
	return found;
}

int ct_stats_read(const char *proc_root, struct counter out[CTR_COUNT], struct tw_facts *f)
{
	char count[64];
	int r = read_text(proc_root, out, f);

	if (r != -ENOENT)
		return r < 0 ? 0 : r;
	/* No text file: no nf_conntrack here, or a kernel without
	 * CONFIG_NF_CONNTRACK_PROCFS. nf_conntrack_count exists exactly while
	 * nf_conntrack is loaded; only then is netlink asked (asking would
	 * load the module). */
	if (!procfs_is_live(proc_root) ||
	    procfs_read(proc_root, "sys/net/netfilter/nf_conntrack_count", count, sizeof(count)) <
		    0)
		return 0;
	r = read_netlink(out, f);
	return r < 0 ? 0 : r;
}
