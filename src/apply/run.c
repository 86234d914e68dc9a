/* SPDX-License-Identifier: MIT */
#include "apply/run.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "apply/counter_log.h"
#include "apply/desired.h"
#include "apply/journal.h"
#include "apply/lock.h"
#include "apply/privilege.h"
#include "inspect/inspect.h"
#include "inspect/netns.h"
#include "inspect/procfs.h"

/* How long a run waits for another one in the same namespace. */
#define LOCK_WAIT_MS 5000

/* A run that will change the host, or says what it would change
 * (--check), passes the same gates: the privilege to change net sysctls
 * and write the state directory, then the namespace's lock. A real run
 * then undoes what an interrupted one left, before the host is inspected:
 * the plan must start from the values as they are once that is done; a
 * checking run only says that this would come first. */
static int lock_and_recover(const struct txn_env *env, bool check, struct apply_outcome *out,
			    int *lock)
{
	struct txn_env recovery = *env;
	struct txn_result result;
	struct journal j;
	char err[1024];
	int r, recovered;

	if ((r = privilege_precheck(env->proc_root, env->state_dir, err, sizeof(err))) < 0)
		return apply_refuse(out, r, "%s; nothing was changed", err);
	if ((*lock = take_lock(env->lock_dir, env->ns, LOCK_WAIT_MS, err, sizeof(err))) < 0)
		return apply_refuse(out, *lock, "%s; nothing was changed", err);
	/* a checking run refuses an untrusted journal as the real run does */
	if ((r = journal_read(env->state_dir, &j, err, sizeof(err))) < 0)
		return apply_refuse(out, r, "%s; nothing was changed", err);
	for (size_t i = 0; i < j.skipped_count; i++)
		apply_note(out, "journal: skipped %s; it is never used (move it aside to keep it)",
			   j.skipped[i]);
	if (check) {
		for (size_t i = 0; i < j.count; i++)
			if (j.records[i].status == TXN_PENDING &&
			    strcmp(j.records[i].ns, env->ns) == 0)
				apply_note(out,
					   "transaction %s (%s) was interrupted: a real run undoes "
					   "it first and plans from what that leaves",
					   j.records[i].id, j.records[i].source);
		journal_free(&j);
		return 0;
	}
	recovered = txn_recover(&recovery, &j, out->recovered, APPLY_RECOVERED_MAX, &result);
	journal_free(&j);
	if (recovered < 0) {
		snprintf(out->message, sizeof(out->message), "%s", result.message);
		out->status = result.status;
		out->refused = result.status == APPLY_REFUSED;
		close(*lock);
		*lock = -1;
		return -EIO;
	}
	out->recovered_count = (unsigned)recovered < APPLY_RECOVERED_MAX ? (unsigned)recovered
									 : APPLY_RECOVERED_MAX;
	if (recovered > 0)
		snprintf(out->recovery, sizeof(out->recovery), "%s", result.message);
	return 0;
}

/* Run the plan under the lock: nothing to do when nothing changes;
 * otherwise check what privilege it needs (a checking run too: it must
 * refuse what the real run would), and unless checking, shed the rest
 * and run the transaction. */
static int execute(struct txn_env *env, bool check, bool preview, struct apply_outcome *out)
{
	struct plan *p = &out->plan;
	struct txn_result result;
	char err[1024];
	int r;

	out->status = APPLY_OK;
	if (!plan_changes_anything(p))
		return 0;
	if (!preview && (r = privilege_check(p, env->proc_root, err, sizeof(err))) < 0)
		return apply_refuse(out, r, "%s; nothing was changed", err);
	if (check)
		return 0;
	drop_capabilities();
	txn_execute(env, &p->record, &result);
	out->executed = true;
	out->status = result.status;
	if (result.status != APPLY_OK)
		snprintf(out->message, sizeof(out->message), "%s", result.message);
	return 0;
}

int apply_begin(const struct apply_request *req, struct apply_run *run, struct apply_outcome *out)
{
	struct inspect_options io = {.proc_root = req->proc_root,
				     .kernel_override = req->kernel_override};
	int r;

	memset(run, 0, sizeof(*run));
	run->req = req;
	run->lock = -1;
	facts_init(&run->facts);
	out->check_mode = req->check;
	netns_journal_name(req->proc_root, run->ns, sizeof(run->ns));
	run->env =
		(struct txn_env){.proc_root = req->proc_root,
				 .state_dir = req->state_dir,
				 .ns = run->ns,
				 .lock_dir = req->lock_dir,
				 /* --no-persist still undoes a record of the default */
				 .persist_dir = req->persist_dir ? req->persist_dir : PERSIST_DIR};
	if (!req->preview && (r = lock_and_recover(&run->env, req->check, out, &run->lock)) < 0)
		return r;
	if (inspect_host(&io, &run->facts) < 0)
		return apply_refuse(
			out, -ENODATA,
			req->preview ? "this host could not be inspected"
				     : "this host could not be inspected; nothing was changed");
	/* rates since the previous run, for rules that read cumulative
	 * counters (--recommended); the live kernel only */
	if (procfs_is_live(req->proc_root)) {
		char err[512] = "";

		counter_log_rates(req->state_dir, run->ns, &run->facts);
		if (!req->check && !req->preview &&
		    counter_log_save(req->state_dir, run->ns, &run->facts, true, err, sizeof(err)) <
			    0 &&
		    err[0])
			apply_note(out, "the counters were not kept for the next run: %s", err);
	}
	return 0;
}

/* A profile's requirements gate changes, not a host that already holds
 * the profile's settings: whatever its traffic is now, a converged host
 * is left as it is and the run succeeds. */
static int gate_requirements(const struct apply_request *req, const struct rule *profile,
			     const struct tw_facts *f, struct apply_outcome *out)
{
	char why[1024];

	if (!profile || profile_requirements_met(profile, f, why, sizeof(why)))
		return 0;
	if (!plan_changes_anything(&out->plan)) {
		apply_note(out, "%s; it already holds the profile's settings", why);
		return 0;
	}
	if (req->preview) {
		apply_note(out, "%s. apply refuses it without --force; what it would change:", why);
		return 0;
	}
	if (!req->force)
		return apply_refuse(out, -EPERM,
				    "%s. Nothing was changed; --force applies it anyway", why);
	apply_note(out, "--force: applying profile %s although %s", profile->id, why);
	return 0;
}

int apply_settings(struct apply_run *run, const struct rule *profile, const struct rule_set *rules,
		   struct apply_outcome *out)
{
	const struct apply_request *req = run->req;
	struct desired_setting desired[KNOB_COUNT];
	char err[1024] = "";
	struct plan_options po = {.proc_root = req->proc_root,
				  .persist_dir = req->persist_dir,
				  .persist_dir_given = req->persist_dir_given,
				  .source = out->source,
				  .ns = run->ns};
	unsigned n = 0;
	int r = 0;

	if (profile)
		desired_from_profile(profile, &run->facts, desired, &n, out);
	else if ((r = desired_from_rules(rules, &run->facts, desired, &n)) < 0)
		apply_refuse(out, r, "out of memory evaluating the rules; nothing was changed");
	if (r == 0 &&
	    (r = plan_build(&run->facts, desired, n, &po, &out->plan, err, sizeof(err))) < 0)
		r = apply_refuse(out, r, req->preview ? "%s" : "%s; nothing was changed", err);
	else if (r == 0 && (r = gate_requirements(req, profile, &run->facts, out)) == 0)
		r = execute(&run->env, req->check, req->preview, out);
	desired_free(desired, n);
	return r;
}

void apply_end(struct apply_run *run)
{
	facts_free(&run->facts);
	if (run->lock >= 0)
		close(run->lock);
	run->lock = -1;
}

/* The transaction to undo: ID, or the last committed apply of NS not yet
 * rolled back. */
static struct txn_record *find_target(struct txn_record *records, size_t count, const char *ns,
				      const char *id, char *err, size_t errlen)
{
	for (size_t i = count; i-- > 0;) {
		struct txn_record *r = &records[i];

		if (id && strcmp(r->id, id) != 0)
			continue;
		if (id && strcmp(r->ns, ns) != 0) {
			snprintf(err, errlen,
				 "transaction %s belongs to %s, not to this namespace (%s)", id,
				 r->ns, ns);
			return NULL;
		}
		if (id &&
		    (r->kind != TXN_APPLY || r->status != TXN_COMMITTED || r->rolled_back_by[0])) {
			snprintf(err, errlen,
				 "transaction %s is a %s that is %s%s%s; only committed "
				 "applies can be rolled back",
				 id, r->kind == TXN_APPLY ? "apply" : "rollback",
				 txn_status_name(r->status),
				 r->rolled_back_by[0] ? ", already rolled back by " : "",
				 r->rolled_back_by);
			return NULL;
		}
		if (!id && (strcmp(r->ns, ns) != 0 || r->kind != TXN_APPLY ||
			    r->status != TXN_COMMITTED || r->rolled_back_by[0]))
			continue;
		return r;
	}
	snprintf(err, errlen,
		 id ? "no transaction %s in the journal"
		    : "nothing to roll back: no committed apply in this namespace%s",
		 id ? id : "");
	return NULL;
}

/* A transaction the journal skipped (see journal_read) is named with the
 * reason, rather than said not to exist. */
static void skipped_target(const struct journal *j, const char *id, char *err, size_t errlen)
{
	char file[96];

	snprintf(file, sizeof(file), "/%s.json: ", id ? id : "");
	for (size_t i = 0; id && i < j->skipped_count; i++)
		if (strstr(j->skipped[i], file)) {
			snprintf(err, errlen, "transaction %s cannot be used: %s", id,
				 j->skipped[i]);
			return;
		}
}

static int rollback_locked(const struct rollback_request *req, struct txn_env *env,
			   struct apply_outcome *out)
{
	struct plan_options po = {.proc_root = req->proc_root, .ns = env->ns, .source = ""};
	struct txn_record *target = NULL;
	struct journal j;
	char err[1024] = "";
	int r;

	if ((r = journal_read(req->state_dir, &j, err, sizeof(err))) < 0)
		return apply_refuse(out, r, "%s; nothing was changed", err);
	if (!(target = find_target(j.records, j.count, env->ns, req->id, err, sizeof(err)))) {
		skipped_target(&j, req->id, err, sizeof(err));
		journal_free(&j);
		return apply_refuse(out, -ENOENT, "%s", err);
	}
	/* the file is restored where twtune is configured to keep it, never
	 * where the record says */
	if (target->persist && !journal_same_persist_dir(target->persist_dir, env->persist_dir)) {
		apply_refuse(out, -EINVAL,
			     "transaction %s persisted to %s, not to %s; run rollback with "
			     "--sysctl-d %s; nothing was changed",
			     target->id, target->persist_dir, env->persist_dir,
			     target->persist_dir);
		journal_free(&j);
		return -EINVAL;
	}
	if (target->persist)
		snprintf(target->persist_dir, sizeof(target->persist_dir), "%s", env->persist_dir);
	if ((r = plan_undo(target, &po, &out->plan, err, sizeof(err))) < 0) {
		journal_free(&j);
		return apply_refuse(out, r, "%s; nothing was changed", err);
	}
	snprintf(out->source, sizeof(out->source), "rollback of %s", target->id);
	r = execute(env, req->check, false, out);
	if (r == 0 && out->executed && out->status == APPLY_OK) {
		/* the target is among the records just read: mark it undone there */
		snprintf(target->rolled_back_by, sizeof(target->rolled_back_by), "%s",
			 out->plan.record.id);
		if (journal_write(req->state_dir, target, err, sizeof(err)) < 0)
			snprintf(out->warning, sizeof(out->warning), "%s", err);
	}
	journal_free(&j);
	return r;
}

int rollback_run(const struct rollback_request *req, struct apply_outcome *out)
{
	struct txn_env env = {.proc_root = req->proc_root,
			      .state_dir = req->state_dir,
			      .lock_dir = req->lock_dir,
			      .persist_dir = req->persist_dir ? req->persist_dir : PERSIST_DIR};
	char ns[160];
	int r, lock = -1;

	out->check_mode = req->check;
	netns_journal_name(req->proc_root, ns, sizeof(ns));
	env.ns = ns;
	if ((r = lock_and_recover(&env, req->check, out, &lock)) < 0)
		return r;
	r = rollback_locked(req, &env, out);
	if (lock >= 0)
		close(lock);
	return r;
}
