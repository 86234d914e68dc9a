/* SPDX-License-Identifier: MIT */
#include "inspect/facts.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char *const state_names[TCP_STATE_SLOTS] = {
	[TCP_STATE_ESTABLISHED] = "established",
	[TCP_STATE_SYN_SENT] = "syn_sent",
	[TCP_STATE_SYN_RECV] = "syn_recv",
	[TCP_STATE_FIN_WAIT1] = "fin_wait1",
	[TCP_STATE_FIN_WAIT2] = "fin_wait2",
	[TCP_STATE_TIME_WAIT] = "time_wait",
	[TCP_STATE_CLOSE] = "close",
	[TCP_STATE_CLOSE_WAIT] = "close_wait",
	[TCP_STATE_LAST_ACK] = "last_ack",
	[TCP_STATE_LISTEN] = "listen",
	[TCP_STATE_CLOSING] = "closing",
	[TCP_STATE_NEW_SYN_RECV] = "new_syn_recv",
	[TCP_STATE_BOUND_INACTIVE] = "bound_inactive",
};

const char *tcp_state_name(unsigned state)
{
	return state < TCP_STATE_SLOTS ? state_names[state] : NULL;
}

static const struct counter_info counters[CTR_COUNT] = {
	[CTR_ACTIVE_OPENS] = {"active_opens", "net/snmp", "Tcp", "ActiveOpens", false},
	[CTR_PASSIVE_OPENS] = {"passive_opens", "net/snmp", "Tcp", "PassiveOpens", false},
	[CTR_CURR_ESTAB] = {"curr_estab", "net/snmp", "Tcp", "CurrEstab", true},
	[CTR_TW] = {"tw", "net/netstat", "TcpExt", "TW", false},
	[CTR_TW_RECYCLED] = {"tw_recycled", "net/netstat", "TcpExt", "TWRecycled", false},
	[CTR_TW_KILLED] = {"tw_killed", "net/netstat", "TcpExt", "TWKilled", false},
	[CTR_TIME_WAIT_OVERFLOW] = {"time_wait_overflow", "net/netstat", "TcpExt",
				    "TCPTimeWaitOverflow", false},
	[CTR_SOCKSTAT_TW] = {"sockstat_tw", "net/sockstat", "TCP", "tw", true},
	[CTR_PAWS_ACTIVE] = {"paws_active", "net/netstat", "TcpExt", "PAWSActive", false},
	[CTR_PAWS_ESTAB] = {"paws_estab", "net/netstat", "TcpExt", "PAWSEstab", false},
	[CTR_PAWS_PASSIVE] = {"paws_passive", "net/netstat", "TcpExt", "PAWSPassive", false},
	[CTR_PAWS_TIMEWAIT] = {"paws_timewait", "net/netstat", "TcpExt", "PAWSTimewait", false},
	[CTR_LISTEN_OVERFLOWS] = {"listen_overflows", "net/netstat", "TcpExt", "ListenOverflows",
				  false},
	[CTR_LISTEN_DROPS] = {"listen_drops", "net/netstat", "TcpExt", "ListenDrops", false},
	/* FIELD: the column of /proc/net/stat/nf_conntrack's header */
	[CTR_CT_INSERT_FAILED] = {"conntrack_insert_failed", "net/stat/nf_conntrack", "conntrack",
				  "insert_failed", false},
	[CTR_CT_DROP] = {"conntrack_drop", "net/stat/nf_conntrack", "conntrack", "drop", false},
	[CTR_CT_EARLY_DROP] = {"conntrack_early_drop", "net/stat/nf_conntrack", "conntrack",
			       "early_drop", false},
	[CTR_CT_SEARCH_RESTART] = {"conntrack_search_restart", "net/stat/nf_conntrack", "conntrack",
				   "search_restart", false},
	[CTR_CT_CLASH_RESOLVE] = {"conntrack_clash_resolve", "net/stat/nf_conntrack", "conntrack",
				  "clashres", false},
};

const struct counter_info *counter_info(enum counter_id id)
{
	return (unsigned)id < CTR_COUNT ? &counters[id] : NULL;
}

const char *host_class_name(enum host_class c)
{
	switch (c) {
	case HOST_IDLE: return "idle";
	case HOST_OUTBOUND_HEAVY: return "outbound-heavy";
	case HOST_INBOUND_HEAVY: return "inbound-heavy";
	case HOST_MIXED: return "mixed";
	case HOST_UNKNOWN: break;
	}
	return "unknown";
}

void facts_init(struct tw_facts *f)
{
	memset(f, 0, sizeof(*f));
	f->unprivileged_port_start = 1024;
	f->classification.verdict = HOST_UNKNOWN;
}

void facts_free(struct tw_facts *f)
{
	for (int i = 0; i < KNOB_COUNT; i++) {
		free(f->sysctl[i].text);
		f->sysctl[i].text = NULL;
		knob_value_free(&f->sysctl[i].value);
		f->sysctl[i].known = false;
	}
	free(f->census.listen_in_range);
	f->census.listen_in_range = NULL;
	free(f->census.listening);
	f->census.listening = NULL;
}

/* The port facts, from the port keys' values: no second parse. */
static void derive_ports(struct tw_facts *f, enum knob_id id)
{
	const struct sysctl_value *sv = &f->sysctl[id];

	switch (id) {
	case KNOB_IP_LOCAL_PORT_RANGE:
		f->port_range_known = sv->known && sv->value.range.low <= sv->value.range.high;
		f->port_low = f->port_range_known ? sv->value.range.low : 0;
		f->port_high = f->port_range_known ? sv->value.range.high : 0;
		break;
	case KNOB_IP_LOCAL_RESERVED_PORTS:
		memset(f->reserved_ports, 0, sizeof(f->reserved_ports));
		if (sv->known)
			knob_value_port_bits(&sv->value, f->reserved_ports);
		break;
	case KNOB_IP_UNPRIVILEGED_PORT_START:
		f->unprivileged_port_start =
			sv->known && sv->value.integer >= 0 && sv->value.integer <= 65536
				? (unsigned)sv->value.integer
				: 1024;
		break;
	default: break;
	}
}

static int set_text(struct sysctl_value *sv, const char *text)
{
	char *copy = strdup(text);

	if (!copy)
		return -ENOMEM;
	free(sv->text);
	sv->text = copy;
	sv->present = true;
	sv->error = 0;
	return 0;
}

int facts_set_sysctl(struct tw_facts *f, enum knob_id id, const char *text, char *err,
		     size_t errlen)
{
	struct sysctl_value *sv = &f->sysctl[id];
	int r;

	if ((r = set_text(sv, text)) < 0)
		return r;
	knob_value_free(&sv->value);
	r = knob_parse(id, text, &sv->value, err, errlen);
	sv->known = r == 0;
	derive_ports(f, id);
	return r;
}

int facts_set_sysctl_value(struct tw_facts *f, enum knob_id id, const struct knob_value *v)
{
	struct sysctl_value *sv = &f->sysctl[id];
	char *text = knob_text(v);
	int r = text ? set_text(sv, text) : -ENOMEM;

	free(text);
	if (r < 0)
		return r;
	knob_value_free(&sv->value);
	sv->value = knob_value_copy(v);
	sv->known = true;
	derive_ports(f, id);
	return 0;
}

void facts_add_error(struct tw_facts *f, const char *what, const char *fmt, ...)
{
	struct inspect_error *e;
	va_list ap;

	if (f->error_count >= FACTS_MAX_ERRORS)
		return;
	e = &f->errors[f->error_count++];
	snprintf(e->what, sizeof(e->what), "%s", what);
	va_start(ap, fmt);
	vsnprintf(e->message, sizeof(e->message), fmt, ap);
	va_end(ap);
}

bool nodeports_seen(const struct tw_facts *f)
{
	if (f->nat.nodeport_chain[0])
		return true;
	for (unsigned i = 0; i < f->census.listening_count; i++)
		if (f->census.listening[i] >= NODEPORT_LOW &&
		    f->census.listening[i] <= NODEPORT_HIGH)
			return true;
	return false;
}

bool facts_int(const struct tw_facts *f, enum knob_id id, long *v)
{
	const struct sysctl_value *sv = &f->sysctl[id];

	if (!sv->known || sv->value.type != KNOB_TYPE_INT)
		return false;
	*v = sv->value.integer;
	return true;
}
