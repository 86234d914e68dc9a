/* SPDX-License-Identifier: MIT */
/* The conntrack table, from an IPCTNL_MSG_CT_GET dump: entries are counted
 * as they stream by, so a table of a million entries costs the time to
 * read it and no memory beyond the receive buffer. */
#include <arpa/inet.h>
#include <errno.h>
#include <linux/netfilter/nf_conntrack_common.h>
#include <linux/netfilter/nf_conntrack_tcp.h>
#include <linux/netfilter/nfnetlink_conntrack.h>
#include <netinet/in.h>
#include <netlink/socket.h>
#include <string.h>
#include <sys/socket.h>

#include "common/lineread.h"
#include "inspect/nat.h"
#include "inspect/nfnl.h"

#define CT_MSG(m) ((uint16_t)((NFNL_SUBSYS_CTNETLINK << 8) | (m)))

static const struct nla_policy ct_policy[CTA_MAX + 1] = {
	[CTA_TUPLE_ORIG] = {.type = NLA_NESTED},
	[CTA_TUPLE_REPLY] = {.type = NLA_NESTED},
	[CTA_STATUS] = {.type = NLA_U32},
	[CTA_PROTOINFO] = {.type = NLA_NESTED},
};

static const struct nla_policy tuple_policy[CTA_TUPLE_MAX + 1] = {
	[CTA_TUPLE_PROTO] = {.type = NLA_NESTED},
};

static const struct nla_policy proto_policy[CTA_PROTO_MAX + 1] = {
	[CTA_PROTO_NUM] = {.type = NLA_U8},
};

static const struct nla_policy protoinfo_policy[CTA_PROTOINFO_MAX + 1] = {
	[CTA_PROTOINFO_TCP] = {.type = NLA_NESTED},
};

static const struct nla_policy tcp_policy[CTA_PROTOINFO_TCP_MAX + 1] = {
	[CTA_PROTOINFO_TCP_STATE] = {.type = NLA_U8},
};

/* The layer-4 protocol of a conntrack entry, from its original tuple; 0
 * when absent. */
static int entry_protocol(struct nlattr *orig, uint8_t *protocol)
{
	struct nlattr *tuple[CTA_TUPLE_MAX + 1], *proto[CTA_PROTO_MAX + 1];

	*protocol = 0;
	if (!orig)
		return 0;
	if (nfnl_nested(tuple, CTA_TUPLE_MAX, orig, tuple_policy) < 0)
		return -EBADMSG;
	if (!tuple[CTA_TUPLE_PROTO])
		return 0;
	if (nfnl_nested(proto, CTA_PROTO_MAX, tuple[CTA_TUPLE_PROTO], proto_policy) < 0)
		return -EBADMSG;
	if (proto[CTA_PROTO_NUM])
		*protocol = nla_get_u8(proto[CTA_PROTO_NUM]);
	return 0;
}

/* The TCP state of a conntrack entry (enum tcp_conntrack); NONE when the
 * entry carries no TCP protocol information. */
static int entry_tcp_state(struct nlattr *protoinfo, uint8_t *state)
{
	struct nlattr *info[CTA_PROTOINFO_MAX + 1], *tcp[CTA_PROTOINFO_TCP_MAX + 1];

	*state = TCP_CONNTRACK_NONE;
	if (!protoinfo)
		return 0;
	if (nfnl_nested(info, CTA_PROTOINFO_MAX, protoinfo, protoinfo_policy) < 0)
		return -EBADMSG;
	if (!info[CTA_PROTOINFO_TCP])
		return 0;
	if (nfnl_nested(tcp, CTA_PROTOINFO_TCP_MAX, info[CTA_PROTOINFO_TCP], tcp_policy) < 0)
		return -EBADMSG;
	if (tcp[CTA_PROTOINFO_TCP_STATE])
		*state = nla_get_u8(tcp[CTA_PROTOINFO_TCP_STATE]);
	return 0;
}

int nat_parse_conntrack(struct conntrack_facts *ct, const struct nlmsghdr *nlh)
{
	return nat_parse_conntrack_snat(ct, NULL, nlh);
}

int nat_parse_conntrack_snat(struct conntrack_facts *ct, struct snat_tally *snat,
			     const struct nlmsghdr *nlh)
{
	struct nlattr *tb[CTA_MAX + 1];
	uint32_t status = 0;
	uint8_t protocol, state;

	/* Dump replies say CT_NEW whatever was asked (ctnetlink_fill_info;
	 * seen on 6.18). CT_GET, the request's own type, is taken too: the
	 * dump passes it down, and a kernel using it would cost us nothing. */
	if ((nlh->nlmsg_type != CT_MSG(IPCTNL_MSG_CT_NEW) &&
	     nlh->nlmsg_type != CT_MSG(IPCTNL_MSG_CT_GET)) ||
	    nfnl_attrs(nlh, tb, CTA_MAX, ct_policy) < 0 ||
	    entry_protocol(tb[CTA_TUPLE_ORIG], &protocol) < 0 ||
	    entry_tcp_state(tb[CTA_PROTOINFO], &state) < 0)
		return -EBADMSG;
	/* CTA_STATUS is big-endian, like every ctnetlink integer */
	if (tb[CTA_STATUS])
		status = ntohl(nla_get_u32(tb[CTA_STATUS]));
	if (snat && (status & IPS_SRC_NAT) &&
	    snat_tally_reply(snat, tb[CTA_TUPLE_REPLY],
			     protocol == IPPROTO_TCP && state == TCP_CONNTRACK_TIME_WAIT) < 0)
		return -EBADMSG;

	ct->entries++;
	if (status & IPS_SRC_NAT)
		ct->snat++;
	if (status & IPS_DST_NAT)
		ct->dnat++;
	if (protocol == IPPROTO_TCP) {
		ct->tcp++;
		if (state == TCP_CONNTRACK_TIME_WAIT)
			ct->time_wait++;
	}
	return 0;
}

struct ct_dump {
	struct conntrack_facts *ct;
	struct snat_tally *snat;
	unsigned long malformed;
};

static int on_conntrack(struct nl_msg *msg, void *arg)
{
	struct ct_dump *d = arg;

	if (nat_parse_conntrack_snat(d->ct, d->snat, nlmsg_hdr(msg)) < 0)
		d->malformed++;
	return NL_OK;
}

/* Turn the outcome of the dump into the conntrack evidence source. */
static int ct_record(struct conntrack_facts *ct, const struct ct_dump *d, int r)
{
	struct evidence_source *src = &ct->dump;

	switch (r) {
	case 0: src->inspected = true; break;
	case -EPERM:
	case -EACCES:
		/* nfnetlink_rcv checks CAP_NET_ADMIN before anything else */
		nat_source_failed(src, "conntrack: ctnetlink refused: needs CAP_NET_ADMIN");
		return r;
	case -EINVAL:
	case -EOPNOTSUPP:
	case -EPROTONOSUPPORT:
		/* nf_conntrack is loaded (we only ask then), but not its
		 * netlink interface: the table exists and cannot be read. */
		nat_source_failed(src,
				  "conntrack: ctnetlink not available (nf_conntrack_netlink): %s",
				  strerror(-r));
		return r;
	case -EINTR:
	case -ENOBUFS:
		/* The replies seen were counted; the rest were lost. Note that
		 * ctnetlink does not flag a table changing under the dump at
		 * all: entries added meanwhile may be missed either way. */
		nat_source_partial(src,
				   "conntrack: dump interrupted (%s), figures are lower bounds",
				   strerror(-r));
		break;
	default: nat_source_failed(src, "conntrack: dump failed: %s", strerror(-r)); return r;
	}
	if (d->malformed)
		nat_source_partial(
			src, "conntrack: %lu malformed replies skipped; figures are lower bounds",
			d->malformed);
	return 0;
}

static void clear_counts(struct conntrack_facts *ct)
{
	ct->entries = ct->tcp = ct->time_wait = ct->snat = ct->dnat = 0;
}

int nat_dump_conntrack(struct conntrack_facts *ct, struct snat_tally *snat)
{
	struct ct_dump d = {.ct = ct, .snat = snat};
	struct nl_sock *sk;
	int r;

	clear_counts(ct);
	r = nfnl_open(&sk);
	if (r == 0) {
		/* AF_UNSPEC: every family (ctnetlink filters on nfgen_family
		 * only when it is set). */
		r = nfnl_dump(sk, nfnl_request(CT_MSG(IPCTNL_MSG_CT_GET), AF_UNSPEC), on_conntrack,
			      &d);
		nl_socket_free(sk);
	}
	r = ct_record(ct, &d, r);
	if (!ct->dump.inspected)
		clear_counts(ct);
	return r;
}

/* The value of the Nth "KEY=" token on a /proc/net/nf_conntrack line (N
 * counts from 0: the original tuple, then the reply tuple), or NULL. */
static const char *tuple_field(char **tokens, size_t count, const char *key, int n, size_t *len)
{
	size_t klen = strlen(key);

	for (size_t i = 0; i < count; i++) {
		if (strncmp(tokens[i], key, klen) != 0)
			continue;
		if (n-- == 0) {
			*len = strlen(tokens[i] + klen);
			return tokens[i] + klen;
		}
	}
	return NULL;
}

static bool same_field(const char *a, size_t alen, const char *b, size_t blen)
{
	return a && b && alen == blen && memcmp(a, b, alen) == 0;
}

/* A source-NAT entry of the text table, into SNAT: the reply tuple's
 * destination is the translated source, its source and source port the
 * destination (ct_seq_show prints the protocol's number fourth). */
static int snat_text_entry(struct snat_tally *snat, char **tokens, size_t count)
{
	const char *source, *address, *port;
	size_t len;
	uint64_t protocol;

	source = tuple_field(tokens, count, "dst=", 1, &len);
	address = tuple_field(tokens, count, "src=", 1, &len);
	port = tuple_field(tokens, count, "sport=", 1, &len);
	if (strict_uint(tokens[3], 0, 255, &protocol) < 0)
		return -EBADMSG;
	return snat_tally_text(snat, (uint8_t)protocol, source, address, port,
			       count > 5 && strcmp(tokens[5], "TIME_WAIT") == 0) < 0
		       ? -EBADMSG
		       : 0;
}

/* One line of /proc/net/nf_conntrack (net/netfilter/nf_conntrack_standalone.c):
 *   ipv4 2 tcp 6 117 TIME_WAIT src=A dst=B sport=P dport=Q src=B dst=C ... use=2
 * The reply tuple tells the translation: its destination is not the
 * original source under SNAT, its source not the original destination
 * under DNAT. */
static int conntrack_text_line(struct conntrack_facts *ct, struct snat_tally *snat, char *line)
{
	char *tokens[48], *save = NULL;
	const char *osrc, *odst, *rsrc, *rdst;
	size_t count = 0, l1 = 0, l2 = 0, l3 = 0, l4 = 0;

	for (char *t = strtok_r(line, " \t", &save); t && count < 48;
	     t = strtok_r(NULL, " \t", &save))
		tokens[count++] = t;
	if (count < 5)
		return -EBADMSG;
	osrc = tuple_field(tokens, count, "src=", 0, &l1);
	odst = tuple_field(tokens, count, "dst=", 0, &l2);
	rsrc = tuple_field(tokens, count, "src=", 1, &l3);
	rdst = tuple_field(tokens, count, "dst=", 1, &l4);
	if (!osrc || !odst || !rsrc || !rdst)
		return -EBADMSG;
	ct->entries++;
	if (strcmp(tokens[2], "tcp") == 0) {
		ct->tcp++;
		if (count > 5 && strcmp(tokens[5], "TIME_WAIT") == 0)
			ct->time_wait++;
	}
	if (!same_field(rdst, l4, osrc, l1)) {
		ct->snat++;
		if (snat && snat_text_entry(snat, tokens, count) < 0)
			return -EBADMSG;
	}
	if (!same_field(rsrc, l3, odst, l2))
		ct->dnat++;
	return 0;
}

int conntrack_read_proc(const char *proc_root, struct conntrack_facts *ct, struct snat_tally *snat)
{
	char path[4096], line[1024];
	unsigned number = 0;
	size_t len;
	FILE *fp;
	int r;

	snprintf(path, sizeof(path), "%s/net/nf_conntrack", proc_root);
	if (!(fp = fopen(path, "re"))) {
		r = -errno;
		nat_source_failed(&ct->dump, "conntrack: %s: %s", path, strerror(errno));
		return r;
	}
	while ((r = read_line(fp, line, sizeof(line), &len)) != 0) {
		number++;
		if (r > 0)
			r = conntrack_text_line(ct, snat, line);
		if (r < 0) {
			nat_source_failed(&ct->dump, "conntrack: %s:%u: malformed entry", path,
					  number);
			fclose(fp);
			return -EBADMSG;
		}
	}
	fclose(fp);
	ct->dump.inspected = true;
	return 0;
}
