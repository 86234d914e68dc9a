/* SPDX-License-Identifier: MIT */
/* Hosts built by hand and the verdict tables of the rule engine's tests:
 * see hosts.h. */
#include <arpa/inet.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

/* cmocka.h needs these included before it */
/* clang-format off */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
/* clang-format on */

#include "engine/factview.h"
#include "fixture.h"
#include "hosts.h"
#include "inspect/inspect.h"
#include "inspect/tw_history.h"
#include "report/format.h"

/* Every message of ERRORS, one a line, for failure reports. */
const char *all_errors(const struct rule_errors *errors)
{
	static char text[RULE_MAX_ERRORS * 520];
	size_t n = 0;

	text[0] = '\0';
	for (unsigned i = 0; i < errors->count && n < sizeof(text); i++)
		n += (size_t)snprintf(text + n, sizeof(text) - n, "\n  %s", errors->messages[i]);
	return errors->count ? text : " (none)";
}

/* ---- hand-built facts */

void set_sysctl(struct tw_facts *f, enum knob_id key, const char *value)
{
	fixture_set_sysctl(f, key, value);
}

void set_kernel(struct tw_facts *f, unsigned major, unsigned minor, unsigned patch)
{
	snprintf(f->release, sizeof(f->release), "%u.%u.%u-test", major, minor, patch);
	f->release_known = true;
	f->version = (struct kernel_version){major, minor, patch};
	f->version_known = true;
}

void set_port_range(struct tw_facts *f, unsigned low, unsigned high)
{
	char text[32];

	snprintf(text, sizeof(text), "%u %u", low, high);
	set_sysctl(f, KNOB_IP_LOCAL_PORT_RANGE, text);
	f->port_range_known = true;
	f->port_low = low;
	f->port_high = high;
}

void set_reserved(struct tw_facts *f, const char *list)
{
	set_sysctl(f, KNOB_IP_LOCAL_RESERVED_PORTS, list);
	memset(f->reserved_ports, 0, sizeof(f->reserved_ports));
	assert_int_equal(parse_port_list(list, f->reserved_ports), 0);
}

void set_unprivileged_start(struct tw_facts *f, unsigned port)
{
	char text[16];

	snprintf(text, sizeof(text), "%u", port);
	set_sysctl(f, KNOB_IP_UNPRIVILEGED_PORT_START, text);
	f->unprivileged_port_start = port;
}

void set_time_wait(struct tw_facts *f, uint64_t outbound, uint64_t inbound)
{
	f->census.time_wait_outbound = outbound;
	f->census.time_wait_inbound = inbound;
	f->census.states[TCP_STATE_TIME_WAIT] = outbound + inbound;
	f->census.total = outbound + inbound + f->census.states[TCP_STATE_LISTEN];
	f->counters[CTR_SOCKSTAT_TW].value = outbound + inbound;
	f->counters[CTR_TW].value = outbound + inbound;
}

void set_destination_history(struct destination_stat *d, unsigned first, unsigned seconds,
			     uint32_t count)
{
	for (unsigned i = first; i < first + seconds && i < TW_HISTORY_SECONDS; i++)
		d->history.seconds[i] = count;
	d->history_known = true;
	tw_history_finish(&d->history);
}

void set_counter(struct tw_facts *f, enum counter_id id, uint64_t value)
{
	f->counters[id].present = true;
	f->counters[id].value = value;
}

void classify_as(struct tw_facts *f, enum host_class verdict, double outbound_share)
{
	f->classification.verdict = verdict;
	f->classification.basis = "time_wait";
	f->classification.outbound_share = outbound_share;
	f->classification.outbound = 100 * outbound_share;
	f->classification.inbound = 100 * (1 - outbound_share);
}

void set_rate(struct tw_facts *f, enum counter_id id, double per_second)
{
	f->rates.basis = RATES_SAMPLED;
	f->rates.interval = 10;
	f->rates.valid[id] = true;
	f->rates.per_second[id] = per_second;
}

/* A destination in the census ranking (append in ranking order); it is the
 * worst connect() tuple when it has the most ports in use so far. */
void add_destination(struct tw_facts *f, int family, const char *address, uint16_t port,
		     uint32_t time_wait, uint32_t ports_in_use)
{
	struct tw_census *c = &f->census;
	struct destination_stat *d;

	assert_true(c->top_count < 2 * CENSUS_TOP);
	d = &c->top[c->top_count++];
	memset(d, 0, sizeof(*d));
	d->address.family = (uint8_t)family;
	assert_int_equal(inet_pton(family, address, d->address.bytes), 1);
	d->port = port;
	d->time_wait = time_wait;
	d->ports_in_use = ports_in_use;
	d->max_from_one_local = ports_in_use;
	c->destinations++;
	if (ports_in_use > c->worst_tuple_ports)
		c->worst_tuple_ports = ports_in_use;
}

static uint16_t *port_array(const unsigned *ports, unsigned count)
{
	uint16_t *a = calloc(count ? count : 1, sizeof(*a));

	assert_non_null(a);
	for (unsigned i = 0; i < count; i++)
		a[i] = (uint16_t)ports[i];
	return a;
}

/* Every listening port, ascending, as the census keeps them. */
void set_listening(struct tw_facts *f, const unsigned *ports, unsigned count)
{
	free(f->census.listening);
	f->census.listening = port_array(ports, count);
	f->census.listening_count = count;
	f->census.listening_ports = count;
	f->census.states[TCP_STATE_LISTEN] = count;
}

void set_listen_in_range(struct tw_facts *f, const unsigned *ports, unsigned count)
{
	free(f->census.listen_in_range);
	f->census.listen_in_range = port_array(ports, count);
	f->census.listen_in_range_count = count;
}

/* A quiet Linux 6.1 host with the kernel's defaults: a census with nothing
 * in it, every counter read and at 0, no NAT. */
void quiet_host(struct tw_facts *f)
{
	set_kernel(f, 6, 1, 0);
	set_sysctl(f, KNOB_TCP_TW_REUSE, "2");
	set_sysctl(f, KNOB_TCP_TIMESTAMPS, "1");
	set_port_range(f, 32768, 60999);
	set_reserved(f, "");
	set_unprivileged_start(f, 1024);
	set_sysctl(f, KNOB_TCP_MAX_TW_BUCKETS, "262144");
	set_sysctl(f, KNOB_TCP_FIN_TIMEOUT, "60");
	set_sysctl(f, KNOB_IP_FORWARD, "0");
	f->census.available = true;
	snprintf(f->census.source, sizeof(f->census.source), "proc");
	for (int i = 0; i < CTR_COUNT; i++)
		set_counter(f, (enum counter_id)i, 0);
	classify_as(f, HOST_IDLE, 0);
	f->nat.present = 0;
}

/* A 6.1 host short of ports toward 10.0.0.5:5432: 14000 of the 28232
 * default ports in use there (49.6%), 9000 TIME_WAIT (fewer than the 10000
 * that would be enough on their own). */
void pressured_client(struct tw_facts *f, enum host_class verdict, double share)
{
	quiet_host(f);
	set_time_wait(f, 9000, 100);
	add_destination(f, AF_INET, "10.0.0.5", 5432, 9000, 14000);
	f->census.local_ports_in_use = 14100;
	classify_as(f, verdict, share);
}

void busy_client(struct tw_facts *f, int family, const char *address, uint16_t port,
		 uint32_t time_wait, uint32_t ports_in_use)
{
	quiet_host(f);
	set_time_wait(f, time_wait, 0);
	add_destination(f, family, address, port, time_wait, ports_in_use);
	f->census.local_ports_in_use = ports_in_use;
	classify_as(f, HOST_OUTBOUND_HEAVY, 1);
}

void inspect_tree(struct tw_facts *f, const char *tree, const char *kernel)
{
	char root[PATH_MAX];
	struct inspect_options o = {.kernel_override = kernel};

	fixture_join(root, sizeof(root), DATA_DIR, tree);
	o.proc_root = root;
	assert_int_equal(inspect_host(&o, f), 0);
}

/* ---- judging */

void load_shipped(struct rule_set *set)
{
	struct rule_errors errors;
	int r = rules_load(SHIPPED_RULES, NULL, set, &errors);

	if (r != 0 || errors.count)
		fail_msg("the shipped rules gave %d:%s", r, all_errors(&errors));
}

/* The shipped rules on F. */
void judge(const struct tw_facts *f, struct judgement *j)
{
	load_shipped(&j->rules);
	assert_int_equal(engine_evaluate(&j->rules, f, &j->findings), 0);
}

void judgement_free(struct judgement *j)
{
	findings_free(&j->findings);
	rules_free(&j->rules);
}

const char *finding_ids(const struct findings *fs)
{
	static char text[1024];
	size_t n = 0;

	text[0] = '\0';
	for (size_t i = 0; i < fs->count && n < sizeof(text); i++)
		n += (size_t)snprintf(text + n, sizeof(text) - n, "%s%s", i ? " " : "",
				      fs->items[i].rule->id);
	return fs->count ? text : "(none)";
}

const struct finding *find_finding(const struct findings *fs, const char *id)
{
	for (size_t i = 0; i < fs->count; i++)
		if (strcmp(fs->items[i].rule->id, id) == 0)
			return &fs->items[i];
	return NULL;
}

/* Rule ID fired with SEVERITY. */
const struct finding *assert_fires(const struct findings *fs, const char *id,
				   enum severity severity)
{
	const struct finding *fd = find_finding(fs, id);

	if (!fd)
		fail_msg("%s did not fire; the findings are %s", id, finding_ids(fs));
	assert_string_equal(severity_name(fd->severity), severity_name(severity));
	return fd;
}

void assert_silent(const struct findings *fs, const char *id)
{
	if (find_finding(fs, id))
		fail_msg("%s fired; the findings are %s", id, finding_ids(fs));
}

/* The finding sets KEY from CURRENT to RECOMMENDED. */
void assert_setting(const struct finding *fd, enum knob_id key, const char *current,
		    const char *recommended)
{
	for (unsigned i = 0; i < fd->setting_count; i++) {
		if (fd->settings[i].key != key)
			continue;
		assert_string_equal(fixture_value_text(&fd->settings[i].recommended), recommended);
		if (current) {
			assert_true(fd->settings[i].current_present);
			assert_string_equal(fixture_value_text(&fd->settings[i].current), current);
		}
		return;
	}
	fail_msg("%s recommends nothing for %s", fd->rule->id, knob_get(key)->name);
}

void assert_no_setting(const struct finding *fd, enum knob_id key)
{
	for (unsigned i = 0; i < fd->setting_count; i++)
		if (fd->settings[i].key == key)
			fail_msg("%s recommends %s = %s", fd->rule->id, knob_get(key)->name,
				 fixture_value_text(&fd->settings[i].recommended));
}

void assert_summary_has(const struct finding *fd, const char *text)
{
	if (!strstr(fd->summary, text))
		fail_msg("the summary of %s, \"%s\", lacks \"%s\"", fd->rule->id, fd->summary,
			 text);
}

void assert_summary_starts(const struct finding *fd, const char *text)
{
	if (strncmp(fd->summary, text, strlen(text)) != 0)
		fail_msg("the summary of %s, \"%s\", does not start \"%s\"", fd->rule->id,
			 fd->summary, text);
}

/* No finding at all recommends KEY = VALUE. */
void assert_nobody_recommends(const struct findings *fs, enum knob_id key, const char *value)
{
	for (size_t i = 0; i < fs->count; i++)
		for (unsigned k = 0; k < fs->items[i].setting_count; k++)
			if (fs->items[i].settings[k].key == key &&
			    strcmp(fixture_value_text(&fs->items[i].settings[k].recommended),
				   value) == 0)
				fail_msg("%s recommends %s = %s", fs->items[i].rule->id,
					 knob_get(key)->name, value);
}

static bool checks_the_finding(const struct verdict *v)
{
	return v->settings[0].recommended || v->settings[0].none || v->only_these || v->summary ||
	       v->summary_starts || v->summary_has[0];
}

void test_verdict(void **state)
{
	struct fixture *fx = *state;
	const struct verdict *v = fx->row;
	struct judgement j;

	if (!v->fires && checks_the_finding(v))
		fail_msg("%s checks a finding but names no rule that fires", v->name);
	if (!v->fires && !v->silent[0] && !v->nobody.recommended && !v->findings && !v->count)
		fail_msg("%s checks nothing", v->name);
	v->host(&fx->facts);
	for (size_t i = 0; i < ARRAY_SIZE(v->sysctl); i++)
		if (v->sysctl[i].value || v->sysctl[i].absent)
			set_sysctl(&fx->facts, v->sysctl[i].key, v->sysctl[i].value);
	judge(&fx->facts, &j);
	if (v->fires) {
		const struct finding *fd = assert_fires(&j.findings, v->fires, v->severity);
		unsigned listed = 0;

		for (size_t i = 0; i < ARRAY_SIZE(v->settings); i++) {
			const struct setting_check *s = &v->settings[i];

			if (s->none)
				assert_no_setting(fd, s->key);
			else if (s->recommended) {
				assert_setting(fd, s->key, s->current, s->recommended);
				listed++;
			}
		}
		if (v->only_these)
			assert_int_equal(fd->setting_count, listed);
		if (v->summary)
			assert_string_equal(fd->summary, v->summary);
		if (v->summary_starts)
			assert_summary_starts(fd, v->summary_starts);
		for (size_t i = 0; i < ARRAY_SIZE(v->summary_has) && v->summary_has[i]; i++)
			assert_summary_has(fd, v->summary_has[i]);
	}
	for (size_t i = 0; i < ARRAY_SIZE(v->silent) && v->silent[i]; i++)
		assert_silent(&j.findings, v->silent[i]);
	if (v->nobody.recommended)
		assert_nobody_recommends(&j.findings, v->nobody.key, v->nobody.recommended);
	if (v->findings)
		assert_string_equal(finding_ids(&j.findings), v->findings);
	if (v->count)
		assert_int_equal(j.findings.count, v->count);
	judgement_free(&j);
}
