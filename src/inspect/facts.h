/* SPDX-License-Identifier: MIT */
/* struct tw_facts: everything the inspector learned about one host (one
 * network namespace). Filled by inspect/, read by everything else; nothing
 * outside inspect/ reads /proc or netlink. */
#ifndef TWTUNE_FACTS_H
#define TWTUNE_FACTS_H

#include <stdbool.h>
#include <stdint.h>

#include "common/addr.h"
#include "common/knob_value.h"
#include "common/knobs.h"
#include "common/strutil.h"

/* TCP_TIMEWAIT_LEN in include/net/tcp.h: fixed at 60 s, not a sysctl. */
#define TIME_WAIT_SECONDS 60

/* Kernel TCP state numbers (include/net/tcp_states.h). */
enum tcp_state {
	TCP_STATE_ESTABLISHED = 1,
	TCP_STATE_SYN_SENT,
	TCP_STATE_SYN_RECV,
	TCP_STATE_FIN_WAIT1,
	TCP_STATE_FIN_WAIT2,
	TCP_STATE_TIME_WAIT,
	TCP_STATE_CLOSE,
	TCP_STATE_CLOSE_WAIT,
	TCP_STATE_LAST_ACK,
	TCP_STATE_LISTEN,
	TCP_STATE_CLOSING,
	TCP_STATE_NEW_SYN_RECV,
	TCP_STATE_BOUND_INACTIVE,
	TCP_STATE_SLOTS = 16
};

/* Lower-case name used in JSON, or NULL for a slot with no state. */
const char *tcp_state_name(unsigned state);

struct kernel_version {
	unsigned major, minor, patch;
};

#define KERNEL_VERSION_CODE(a, b, c) (((a) << 16) + ((b) << 8) + ((c) > 255 ? 255 : (c)))

static inline unsigned kernel_version_code(const struct kernel_version *v)
{
	return KERNEL_VERSION_CODE(v->major, v->minor, v->patch);
}

/* One sysctl as the host holds it. Everything that judges or compares
 * reads VALUE; TEXT is what reports show. */
struct sysctl_value {
	bool present; /* the key exists on this kernel / in this tree */
	char *text;   /* as read, blanks normalised; NULL when absent or unreadable */
	int error;    /* negative errno when it exists but could not be read */
	bool known;   /* TEXT is a value of the key's type, parsed into VALUE */
	struct knob_value value;
	/* its file has no write permission at all: read-only in this network
	 * namespace (nf_conntrack_max outside the initial one, on 6.x), which
	 * no privilege changes */
	bool read_only;
};

/* A TIME_WAIT socket lives TCP_TIMEWAIT_LEN, 60 s (include/net/tcp.h), and
 * the kernel reports the time it has left: so one census holds the closes
 * of the last minute, second by second. */
#define TW_HISTORY_SECONDS 60
/* The recent window of the close rate, and how far it must differ from the
 * 50 s before it for the trend to be rising or falling (25%: a one-off
 * second of twice the usual closes does not move a 10 s window that far). */
#define TW_HISTORY_RECENT 10
#define TW_HISTORY_TREND_MARGIN 0.25

enum tw_trend { TW_TREND_STEADY, TW_TREND_RISING, TW_TREND_FALLING };

const char *tw_trend_name(enum tw_trend t);

/* The closes of one direction over the last minute: seconds[0] counts the
 * TIME_WAIT sockets that entered TIME_WAIT less than 1 s ago, seconds[59]
 * those 59 s ago or more. */
struct tw_history {
	uint32_t seconds[TW_HISTORY_SECONDS];
	double rate_10s;      /* closes/s over seconds[0..9] */
	double rate_60s;      /* closes/s over all 60 */
	double rate_before;   /* closes/s over seconds[10..59] */
	unsigned peak_second; /* the index of the busiest second (the newest on a tie) */
	uint32_t peak_count;  /* its closes */
	enum tw_trend trend;  /* rate_10s against rate_before */
};

struct destination_stat {
	struct tw_addr address;
	uint16_t port;
	uint32_t time_wait;	     /* TIME_WAIT sockets toward it, outbound */
	uint32_t ports_in_use;	     /* outbound sockets toward it, any state */
	uint32_t max_from_one_local; /* most from one local address: vs. range */
	/* the census could not count it whole (see census.h): each figure
	 * above may be low by at most ERROR sockets */
	bool estimated;
	uint32_t error;
	/* ESTABLISHED sockets toward it whose tcp_info says timestamps were
	 * negotiated (TCPI_OPT_TIMESTAMPS) and those where they were not:
	 * read only when tw_census.tcp_info (sock_diag), counted like
	 * TIME_WAIT (low by at most ERROR when estimated) */
	uint32_t established_with_timestamps;
	uint32_t established_without_timestamps;
	/* its outbound closes of the last minute, from the TIME_WAIT timers
	 * (struct tw_history below), counted like time_wait */
	bool history_known;
	struct tw_history history;
};

#define CENSUS_TOP 10

struct tw_census {
	bool available;
	char source[16]; /* "sock_diag" or "proc" */
	bool ipv6;	 /* the IPv6 table could be read too */
	uint64_t total;	 /* every socket counted, listeners included */
	uint64_t states[TCP_STATE_SLOTS];
	uint64_t time_wait_outbound, time_wait_inbound;
	uint64_t outbound_other, inbound_other; /* non-TIME_WAIT, non-listen */
	/* Every TIME_WAIT socket by the seconds since it entered TIME_WAIT,
	 * when the source gives its timer (sock_diag's idiag_expires,
	 * /proc/net/tcp's tm->when): history_known. */
	bool history_known;
	struct tw_history history_outbound, history_inbound;
	/* Timewait sockets in the FIN_WAIT2 substate: this host closed
	 * first and the peer has not yet (tcp_time_wait(sk, TCP_FIN_WAIT2,
	 * tmo), a timer of tcp_fin_timeout); TcpExt TW counted them when they
	 * entered, and their FIN restarts them as TIME_WAIT with 60 s. By
	 * the whole seconds left on their timer, the last slot 60 or more. */
	uint64_t fin_wait2_timewait;
	uint32_t fin_wait2_left[TW_HISTORY_SECONDS + 1];

	uint32_t listening_ports;    /* distinct ports with a listener */
	uint32_t local_ports_in_use; /* distinct, inside the ephemeral range */
	uint64_t destinations;	     /* distinct (remote address, port); estimated
				      * (about 2%) when truncated */
	/* more destinations than the census tracks (census.h says what is
	 * then exact): none that is not tracked holds more than
	 * destinations_untracked_max outbound sockets */
	bool destinations_truncated;
	uint64_t destinations_untracked_max;

	/* connect() limit: the worst (local address, remote address, port);
	 * when estimated, a lower bound that may be low by worst_tuple_error */
	uint32_t worst_tuple_ports;
	struct tw_addr worst_local, worst_remote;
	uint16_t worst_remote_port;
	bool worst_tuple_estimated;
	uint32_t worst_tuple_error;

	/* The dump carried each established socket's tcp_info (INET_DIAG_INFO):
	 * the timestamps counts of the destinations mean something. False for
	 * /proc/net/tcp, which has no such field. */
	bool tcp_info;
	/* Outbound sockets (not on a listening port) whose local port lies
	 * outside ip_local_port_range: connect() and bind(0) only pick ports
	 * inside it, so the application bound these itself. And those inside
	 * it on the parity bind(0) prefers (since 4.6 connect() starts from
	 * ports of the low end's parity, bind(0) from the others). Exact. */
	uint64_t outbound_outside_range;
	uint64_t outbound_bind_parity;

	/* Ranked by TIME_WAIT, then those in the top by ports in use that the
	 * first ranking missed. */
	struct destination_stat top[2 * CENSUS_TOP];
	unsigned top_count;

	/* listening ports inside the ephemeral range, not reserved */
	uint16_t *listen_in_range;
	unsigned listen_in_range_count;

	/* every listening port, ascending */
	uint16_t *listening;
	unsigned listening_count;

	/* the listening ports holding the most inbound TIME_WAIT */
	struct {
		uint16_t port;
		uint32_t time_wait;
	} top_inbound[CENSUS_TOP];
	unsigned top_inbound_count;
};

/* The processes behind the top destinations (inspect/owners.c, twtune(1)
 * PROCESSES): TIME_WAIT sockets have no owner, but the live sockets toward
 * the same destination do. Each listed owner is one process (tgid). */
#define OWNERS_LISTED 5

struct socket_owner {
	uint32_t pid;
	char command[16];     /* /proc/PID/comm (TASK_COMM_LEN), "" when unreadable */
	char unit[128];	      /* "api.service": the last *.service or *.scope of its
			       * cgroup, "" when none */
	char cgroup[256];     /* cgroup v2 path (or v1 name=systemd's), "" unknown */
	uint32_t connections; /* its live sockets toward the destination */
	uint32_t new_sockets; /* with --sample: those not open at its start */
};

struct destination_owners {
	struct socket_owner owners[OWNERS_LISTED]; /* most connections first */
	unsigned count;
	uint32_t live;	       /* live (not TIME_WAIT) sockets toward it */
	uint32_t orphaned;     /* closed by their process, the kernel finishing */
	uint32_t unattributed; /* held by no process twtune could read */
	uint32_t unrecorded;   /* beyond OWNERS_INODES_PER_DESTINATION */
	uint32_t other_processes, other_connections; /* owners not listed */
	uint32_t new_sockets;			     /* with --sample, every owner's */
};

struct owner_facts {
	bool attempted;
	char reason[192]; /* why it was (or was not) attempted */
	uint64_t sockets; /* live sockets toward the top destinations */
	uint64_t attributed, unattributed, orphaned, unrecorded;
	char unattributed_why[256]; /* "" when every socket was attributed */
	uint32_t processes_scanned, processes_unreadable;
	bool truncated; /* a bound was reached: counts are lower bounds */
	char truncated_why[160];
	bool sampled; /* new_sockets measured over INTERVAL seconds */
	double interval;
	char sample_note[160]; /* why not, with --sample */
	double seconds;	       /* the dump and the walk took this long */
	/* parallel to census.top */
	struct destination_owners destinations[2 * CENSUS_TOP];
};

struct counter {
	bool present;
	uint64_t value;
};

enum counter_id {
	CTR_ACTIVE_OPENS, /* /proc/net/snmp Tcp */
	CTR_PASSIVE_OPENS,
	CTR_CURR_ESTAB,
	CTR_TW, /* /proc/net/netstat TcpExt */
	CTR_TW_RECYCLED,
	CTR_TW_KILLED,
	CTR_TIME_WAIT_OVERFLOW,
	CTR_SOCKSTAT_TW, /* /proc/net/sockstat TCP tw */
	CTR_PAWS_ACTIVE, /* /proc/net/netstat TcpExt: PAWS and listen queue drops */
	CTR_PAWS_ESTAB,
	CTR_PAWS_PASSIVE,  /* tcp_tw_recycle's SYN drops: 4.11 and older */
	CTR_PAWS_TIMEWAIT, /* recent kernels (present on 6.18) */
	CTR_LISTEN_OVERFLOWS,
	CTR_LISTEN_DROPS,
	/* conntrack's statistics, summed over CPUs (ct_stats.c): absent
	 * without nf_conntrack */
	CTR_CT_INSERT_FAILED,
	CTR_CT_DROP,
	CTR_CT_EARLY_DROP,
	CTR_CT_SEARCH_RESTART,
	CTR_CT_CLASH_RESOLVE,
	CTR_COUNT
};

static inline bool counter_is_conntrack(int id)
{
	return id >= CTR_CT_INSERT_FAILED && id <= CTR_CT_CLASH_RESOLVE;
}

struct counter_info {
	const char *json_name;
	const char *file; /* relative to the proc root */
	const char *section;
	const char *field;
	bool is_gauge; /* a level, not a running total: no rate */
};

const struct counter_info *counter_info(enum counter_id id);

/* Where rates of the cumulative counters come from: none (a counter since
 * boot is no evidence of now), two readings --sample apart, or this
 * reading against the previous run's (kept in the state directory). */
enum rate_basis { RATES_NONE, RATES_SAMPLED, RATES_PREVIOUS_RUN };

struct tw_rates {
	enum rate_basis basis;
	char note[512];		      /* why there are none, for a person; "" */
	double interval;	      /* seconds between the two readings */
	double per_second[CTR_COUNT]; /* valid where both readings exist */
	bool valid[CTR_COUNT];
	/* Closes per second, both directions: over the last 10 s from the
	 * TIME_WAIT timers when close_rate_from_history, else TIME_WAIT / 60 s */
	double close_rate_estimate;
	bool close_rate_from_history;
};

/* The timers against --sample's counters over the window the sample
 * ends at the census: TcpExt TW counts each socket entering the timewait
 * state (since 5.18; its FIN_WAIT2 substate included), the timers hold
 * those still in it. Sockets that left early make the gap; the counters
 * say how. */
enum timers_verdict {
	TIMERS_AGREE,	   /* within TIMERS_CHECK_SLACK */
	TIMERS_LEFT_EARLY, /* fewer held than entered: see the split */
	TIMERS_MORE_HELD,  /* more held than entered: timers restarted */
};

/* A gap is worth naming past this share of what entered, and this many
 * sockets (a second's boundary between the sample and the census). */
#define TIMERS_CHECK_SLACK 0.1
#define TIMERS_CHECK_MIN_GAP 20

struct timers_check {
	bool known;
	char reason[192];      /* when not known although sampled: why */
	double window;	       /* seconds compared: the sample's, at most 60 */
	double entered;	       /* TW over the window */
	double held;	       /* timewait sockets that entered within it, now */
	double held_fin_wait2; /* ... of them in the FIN_WAIT2 substate */
	double left_early;     /* entered - held, when positive */
	double recycled;       /* TWRecycled over the window: taken over by reuse */
	double unexplained;    /* left early beyond those: an RST, a SYN reopening, a
				* FIN_WAIT2 that timed out before the peer's FIN */
	double no_bucket;      /* TCPTimeWaitOverflow: closes that never entered */
	enum timers_verdict verdict;
};

const char *timers_verdict_name(enum timers_verdict v);

enum host_class {
	HOST_UNKNOWN,
	HOST_IDLE,
	HOST_OUTBOUND_HEAVY,
	HOST_INBOUND_HEAVY,
	HOST_MIXED,
};

const char *host_class_name(enum host_class c);

struct classification {
	enum host_class verdict;
	const char *basis;	  /* "opens_rate" (sampled) or "time_wait" */
	double outbound, inbound; /* per second */
	double outbound_share;	  /* outbound / (outbound + inbound), 0..1 */
	char evidence[256];
};

#define NAT_MAX_SIGNALS 16

/* One piece of evidence that this namespace translates addresses. */
struct nat_signal {
	char name[32];	  /* "ipv4_forwarding", "nft_nat_chain", "conntrack_nat", ... */
	char detail[192]; /* what exactly was found, for a person */
};

/* Whether a source of evidence could be read: a source that could not be
 * read makes "no NAT" unknowable, never false. */
struct evidence_source {
	bool inspected;
	bool incomplete; /* inspected, but part of it was missed: figures are lower bounds */
	char error[192]; /* why not, when !inspected; what was missed, when incomplete */
};

#define SNAT_MAX_RULES 8
#define SNAT_TOP 5

/* A masquerade or snat statement (nftables, iptables-nft's MASQUERADE and
 * SNAT targets, the legacy nat table), as the kernel holds it. */
struct snat_rule {
	char where[96];	  /* "ip twtnat/post", "iptables nat" */
	char action[16];  /* "masquerade" or "snat" */
	uint32_t flags;	  /* NF_NAT_RANGE_* (linux/netfilter/nf_nat.h) */
	bool ports_known; /* a port range is set and twtune could read it */
	uint16_t port_low, port_high;
};

/* Source-NAT entries of one (protocol, translated source address,
 * destination address, destination port): the kernel picks a translated
 * port unique for that tuple (nf_nat_core.c), so each holds one port. */
struct snat_destination {
	uint8_t protocol;      /* IPPROTO_TCP, IPPROTO_UDP, ... */
	struct tw_addr source; /* the translated source: this host's address */
	struct tw_addr address;
	uint16_t port;
	uint32_t entries;   /* conntrack entries for it */
	uint32_t time_wait; /* of which TCP TIME_WAIT */
	bool estimated;	    /* more tuples than tracked: figures may be low by ERROR */
	uint32_t error;
};

/* Source NAT: which rules translate, with which port selection, and how
 * much of each destination's port space the conntrack table holds. */
struct snat_facts {
	/* masquerade and snat rules, counted where nat.nftables and
	 * nat.iptables were inspected; the first SNAT_MAX_RULES described */
	unsigned rules, rules_without_fully_random;
	struct snat_rule rule[SNAT_MAX_RULES];
	unsigned rule_count;
	/* the narrowest port range a rule sets; without one (port_low 0) the
	 * kernel picks from 1024-65535 (snat_port_range() in inspect/snat.h) */
	unsigned port_low, port_high;
	/* the conntrack table's SNAT entries, tallied per destination */
	bool tallied;
	uint64_t entries;
	bool truncated;			       /* more tuples than tracked: the top may be low */
	uint64_t untracked_max;		       /* then: the most entries an untracked one holds */
	struct snat_destination top[SNAT_TOP]; /* most entries first */
	unsigned top_count;
};

struct nat_facts {
	int present; /* 1 yes, 0 no, -1 unknown (nothing found, not all inspected) */
	struct nat_signal signals[NAT_MAX_SIGNALS];
	unsigned signal_count;
	struct evidence_source nftables; /* chains over NETLINK_NETFILTER */
	struct evidence_source iptables; /* legacy nat table, getsockopt */
	uint32_t nft_nat_chains, nft_nat_rules;
	int64_t iptables_nat_rules; /* -1 when no legacy nat table */
	/* a kube-proxy chain that serves NodePorts ("ip nat/KUBE-NODEPORTS"),
	 * "" when none was seen */
	char nodeport_chain[128];
	struct snat_facts snat; /* source NAT: its rules and its ports */
};

struct conntrack_facts {
	bool loaded; /* nf_conntrack is there in this namespace */
	bool count_known, max_known, timeout_known;
	uint64_t count;		     /* net.netfilter.nf_conntrack_count */
	uint64_t max;		     /* net.netfilter.nf_conntrack_max */
	uint64_t time_wait_timeout;  /* nf_conntrack_tcp_timeout_time_wait, s */
	struct evidence_source dump; /* the ctnetlink table dump */
	uint64_t entries;	     /* counted in the dump */
	uint64_t tcp, time_wait;     /* TCP entries, and those in TIME_WAIT */
	uint64_t snat, dnat;	     /* entries with source / destination NAT */
};

/* Which network namespace the facts describe. */
struct netns_identity {
	bool known;
	uint64_t inode;
	uint64_t device;
	uint64_t cookie; /* SO_NETNS_COOKIE (5.14+): never reused in a boot; 0 unknown */
	char name[256];	 /* under /run/netns, when it has one */
};

#define FACTS_MAX_ERRORS 16

struct inspect_error {
	char what[64];	   /* the part: "kernel", "sysctl", "census", ... */
	char message[256]; /* names the file or interface at fault */
};

struct tw_facts {
	char release[256];
	bool release_known;
	char boot_id[40]; /* /proc/sys/kernel/random/boot_id, "" when unknown */
	struct kernel_version version;
	bool version_known;
	bool version_overridden;

	struct sysctl_value sysctl[KNOB_COUNT];

	/* the port keys' values, as the census and the computations use them
	 * (facts_set_sysctl keeps them in step) */
	bool port_range_known; /* ip_local_port_range holds LOW <= HIGH */
	unsigned port_low, port_high;
	uint8_t reserved_ports[PORT_BITMAP_BYTES];
	unsigned unprivileged_port_start; /* 1024 when unknown */

	struct tw_census census;
	struct owner_facts owners;
	struct counter counters[CTR_COUNT];
	struct tw_rates rates;
	struct timers_check timers_check;
	struct classification classification;

	struct nat_facts nat;
	struct conntrack_facts conntrack;
	struct netns_identity netns;

	bool cap_net_admin; /* the inspecting process holds it */

	struct inspect_error errors[FACTS_MAX_ERRORS];
	unsigned error_count;
	unsigned parts_inspected; /* how many parts gave anything at all */
};

/* Kubernetes hands out NodePorts from 30000-32767 by default
 * (kube-apiserver --service-node-port-range); kube-proxy serves them on
 * every node. */
#define NODEPORT_LOW 30000
#define NODEPORT_HIGH 32767

/* NodePorts are served here: kube-proxy's NodePort chain is in the
 * ruleset, or something listens inside the NodePort range. */
bool nodeports_seen(const struct tw_facts *f);

static inline unsigned port_range_size(const struct tw_facts *f)
{
	return f->port_range_known && f->port_high >= f->port_low ? f->port_high - f->port_low + 1
								  : 0;
}

void facts_init(struct tw_facts *f);
void facts_free(struct tw_facts *f);
/* Key ID of F holds TEXT (read from a /proc file or a tree): kept for
 * display and parsed, once, into the key's type; the port facts follow
 * the port keys. 0; -EINVAL (or -ERANGE, -E2BIG) when TEXT is no value of
 * the key's type, kept as text, with ERR saying why; -ENOMEM. */
int facts_set_sysctl(struct tw_facts *f, enum knob_id id, const char *text, char *err,
		     size_t errlen);

/* Key ID of F holds V (a value from files, or a kernel default; F takes a
 * reference of its own). 0 or -ENOMEM. */
int facts_set_sysctl_value(struct tw_facts *f, enum knob_id id, const struct knob_value *v);

/* An integer key's value into *V, when the host holds one. */
bool facts_int(const struct tw_facts *f, enum knob_id id, long *v);

void facts_add_error(struct tw_facts *f, const char *what, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

#endif
