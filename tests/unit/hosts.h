/* SPDX-License-Identifier: MIT */
/* Hosts built by hand for the rule engine's tests, and verdict tables:
 * what the shipped rules make of one host (struct verdict, one cmocka
 * case per row through test_verdict). Shared by test_rules.c and
 * test_advice.c; include after <cmocka.h> and "fixture.h". */
#ifndef TWTUNE_TEST_HOSTS_H
#define TWTUNE_TEST_HOSTS_H

#include <stdbool.h>
#include <stdint.h>

#include "engine/engine.h"
#include "engine/rules.h"
#include "inspect/facts.h"

#define SHIPPED_RULES TEST_SRCDIR "/../rules"
#define SHIPPED_PROFILES TEST_SRCDIR "/../profiles"
#define DATA_DIR TEST_SRCDIR "/data"

/* The shipped rules, loaded, and what they found on one host. */
struct judgement {
	struct rule_set rules;
	struct findings findings;
};

/* A finding's setting for KEY, as a verdict expects it. */
struct setting_check {
	enum knob_id key;
	const char *current;	 /* NULL: not checked */
	const char *recommended; /* the value recommended for KEY */
	bool none;		 /* or: nothing recommended for KEY */
};

/* A sysctl set over what HOST made: to VALUE, or with ABSENT, to nothing. */
struct sysctl_change {
	enum knob_id key;
	const char *value;
	bool absent;
};

/* What the shipped rules make of one host: HOST and SYSCTL build the
 * facts, the rest is what the judgement must show. Each field left out is
 * not checked; every row checks something. */
struct verdict {
	const char *name;
	void (*host)(struct tw_facts *f);
	struct sysctl_change sysctl[2];	  /* and then these, to the first empty one */
	const char *fires;		  /* a rule that fires */
	enum severity severity;		  /* with this severity */
	struct setting_check settings[2]; /* its settings, to the first empty one */
	bool only_these;		  /* and no others */
	const char *summary;		  /* its summary, whole */
	const char *summary_starts;	  /* or its beginning */
	const char *summary_has[2];	  /* or parts of it */
	const char *silent[2];		  /* rules that do not fire */
	struct setting_check nobody;	  /* what no finding recommends */
	const char *findings;		  /* the ids of every finding, in order */
	size_t count;			  /* how many findings there are */
};

/* Every message of ERRORS, one a line, for failure reports. */
const char *all_errors(const struct rule_errors *errors);

void set_sysctl(struct tw_facts *f, enum knob_id key, const char *value);

void set_kernel(struct tw_facts *f, unsigned major, unsigned minor, unsigned patch);

void set_port_range(struct tw_facts *f, unsigned low, unsigned high);

void set_reserved(struct tw_facts *f, const char *list);

void set_unprivileged_start(struct tw_facts *f, unsigned port);

void set_time_wait(struct tw_facts *f, uint64_t outbound, uint64_t inbound);

void set_counter(struct tw_facts *f, enum counter_id id, uint64_t value);

/* D's timers: COUNT closes in each of the SECONDS seconds from FIRST back
 * (index 0: the newest), its rates recomputed. */
void set_destination_history(struct destination_stat *d, unsigned first, unsigned seconds,
			     uint32_t count);

void classify_as(struct tw_facts *f, enum host_class verdict, double outbound_share);

/* Counter ID rose PER_SECOND while sampled (10 s, --sample). */
void set_rate(struct tw_facts *f, enum counter_id id, double per_second);

/* A destination in the census ranking (append in ranking order); it is the
 * worst connect() tuple when it has the most ports in use so far. */
void add_destination(struct tw_facts *f, int family, const char *address, uint16_t port,
		     uint32_t time_wait, uint32_t ports_in_use);

/* Every listening port, ascending, as the census keeps them. */
void set_listening(struct tw_facts *f, const unsigned *ports, unsigned count);

void set_listen_in_range(struct tw_facts *f, const unsigned *ports, unsigned count);

/* A quiet Linux 6.1 host with the kernel's defaults: a census with nothing
 * in it, every counter read and at 0, no NAT. */
void quiet_host(struct tw_facts *f);

/* A 6.1 host short of ports toward 10.0.0.5:5432: 14000 of the 28232
 * default ports in use there (49.6%), 9000 TIME_WAIT (fewer than the 10000
 * that would be enough on their own). */
void pressured_client(struct tw_facts *f, enum host_class verdict, double share);

/* A quiet 6.1 host that is outbound-heavy: TIME_WAIT sockets toward
 * ADDRESS:PORT, PORTS_IN_USE ports held there (and bound). */
void busy_client(struct tw_facts *f, int family, const char *address, uint16_t port,
		 uint32_t time_wait, uint32_t ports_in_use);

void inspect_tree(struct tw_facts *f, const char *tree, const char *kernel);

void load_shipped(struct rule_set *set);

/* The shipped rules on F. */
void judge(const struct tw_facts *f, struct judgement *j);

void judgement_free(struct judgement *j);

const char *finding_ids(const struct findings *fs);

const struct finding *find_finding(const struct findings *fs, const char *id);

/* Rule ID fired with SEVERITY. */
const struct finding *assert_fires(const struct findings *fs, const char *id,
				   enum severity severity);

void assert_silent(const struct findings *fs, const char *id);

/* The finding sets KEY from CURRENT to RECOMMENDED. */
void assert_setting(const struct finding *fd, enum knob_id key, const char *current,
		    const char *recommended);

void assert_no_setting(const struct finding *fd, enum knob_id key);

void assert_summary_has(const struct finding *fd, const char *text);

void assert_summary_starts(const struct finding *fd, const char *text);

/* No finding at all recommends KEY = VALUE. */
void assert_nobody_recommends(const struct findings *fs, enum knob_id key, const char *value);

void test_verdict(void **state);

#endif
