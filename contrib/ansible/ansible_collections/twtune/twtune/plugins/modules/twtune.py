#!/usr/bin/python
# -*- coding: utf-8 -*-
# SPDX-License-Identifier: MIT
#
# The twtune module: runs `twtune apply` or `twtune rollback` on the managed
# host with --format json and turns the one JSON object twtune prints into
# the task's result. twtune decides what changes and does the work as a
# transaction; this module only maps its answer onto Ansible's (changed,
# failed, check mode, diff mode). Python 3.9 or later on the managed host.

DOCUMENTATION = r"""
---
module: twtune
short_description: Set TCP TIME_WAIT knobs with twtune, transactionally, or roll them back
version_added: "0.1.0"
description:
  - Runs C(twtune apply) on the managed host to bring its TCP TIME_WAIT knobs
    (C(net.ipv4.tcp_tw_reuse), C(net.ipv4.ip_local_port_range),
    C(net.ipv4.ip_local_reserved_ports), ...) to a twtune profile or to what
    C(twtune check) recommends for that host, or C(twtune rollback) to undo such a change.
  - twtune does the work as one transaction, journalled in the state directory
    before anything is written; each key is written and read back, the
    persisted file C(90-twtune.conf) in the sysctl.d directory is replaced
    atomically, and any failure undoes every change. A run that finds the host
    already as wanted writes nothing and reports C(changed=false), so the task
    can run every hour without C(changed_when) or C(failed_when).
  - The task fails, with twtune's own message in C(msg), whenever twtune exits
    non-zero; the twtune(1) manual lists the exit statuses.
  - In check mode twtune is run with C(--check) and reports what it would change;
    in diff mode with C(--diff), and the task returns one diff for the running
    values and one for the persisted file.
requirements:
  - twtune on the managed host, of the same version as this collection
    (it provides C(--format json), C(--check) and C(--diff) for apply and rollback)
  - Python 3.9 or later on the managed host
  - Root on the managed host (C(become=true)) unless the play already runs as root;
    twtune needs CAP_NET_ADMIN and write access to the sysctl.d and state directories
options:
  state:
    description:
      - C(applied) runs C(twtune apply) with I(profile) or I(recommended).
      - C(rolled_back) runs C(twtune rollback) for I(transaction).
    type: str
    choices: [applied, rolled_back]
    default: applied
  profile:
    description:
      - The profile to apply (C(twtune profiles) lists them; shipped are
        C(client-heavy), C(server), C(nat-gateway) and C(kernel-defaults)).
      - With C(state=applied), exactly one of I(profile) and C(recommended=true) is required.
    type: str
  recommended:
    description:
      - Apply what C(twtune check) recommends for this host instead of a profile
        (C(twtune apply --recommended)).
    type: bool
    default: false
  force:
    description:
      - Apply a profile even though the host does not meet its C(requires)
        condition (C(--force)); twtune says so in I(notes).
      - Without it such a run is refused and the task fails, nothing changed.
    type: bool
    default: false
  persist:
    description:
      - Keep the values across reboots in C(90-twtune.conf) in I(sysctl_d).
      - C(false) changes the running kernel only (C(--no-persist)); it cannot be
        combined with I(sysctl_d).
    type: bool
    default: true
  sysctl_d:
    description:
      - The directory of the persisted file (C(--sysctl-d)). It must exist.
      - twtune's default is C(/etc/sysctl.d).
      - With C(state=rolled_back), the directory the transaction persisted to.
        twtune restores the file only where it is told to keep it, never where
        its journal says, and refuses a transaction that persisted elsewhere;
        use the same value for C(state=applied) and C(state=rolled_back).
    type: path
  state_dir:
    description:
      - The directory of twtune's journal and counters (C(--state-dir)).
        Rollback reads the journal from here, so use the same value for
        C(state=applied) and C(state=rolled_back).
      - twtune's default is C(/var/lib/twtune).
    type: path
  netns:
    description:
      - Work in the named network namespace C(/run/netns/NAME), as C(ip netns)
        makes them (twtune's global option C(--netns)). Its sysctls, its journal
        records and its lock are its own.
      - By default the network namespace the module runs in, normally the host's.
    type: str
  transaction:
    description:
      - With C(state=rolled_back), the id of the apply to undo (I(transaction) in
        the result of the apply, or C(twtune history)).
      - By default the last apply in this namespace that changed something.
        If it was rolled back already the task reports C(changed=false) and
        does nothing; unlike C(twtune rollback) without an id, the module does
        not go on to the apply before it, so the task is idempotent.
    type: str
  twtune:
    description:
      - The twtune program on the managed host.
      - By default C(twtune) is looked for on C(PATH) and in the sbin directories.
    type: path
notes:
  - One apply or rollback runs at a time per network namespace, whatever the
    I(state_dir) (twtune's lock in C(/run/twtune)); a second one waits 5 seconds, then the task fails with nothing changed.
  - A run that was interrupted (the host rebooted or the process was killed in the
    middle of a transaction) is undone first by the next apply or rollback;
    its id is in I(recovered).
  - twtune reads profiles and rules from its own directories; the C(TWTUNE_PROFILES)
    and C(TWTUNE_RULES) environment variables (the task's C(environment) keyword)
    point it at others.
extends_documentation_fragment:
  - ansible.builtin.action_common_attributes
attributes:
  check_mode:
    support: full
  diff_mode:
    support: full
    details: >-
      One diff for the keys (C(key = value) lines, old and new), and one for
      the whole persisted file when it changes (before or after may be absent).
  platform:
    platforms: posix
    details: Linux only.
author:
  - twtune developers
"""

EXAMPLES = r"""
- name: Give outbound-heavy hosts the client-heavy profile
  twtune.twtune.twtune:
    profile: client-heavy
  become: true

- name: Apply what twtune check recommends for each host
  twtune.twtune.twtune:
    recommended: true
  become: true

- name: Apply a profile whose requirements the host does not meet (yet)
  twtune.twtune.twtune:
    profile: client-heavy
    force: true
  become: true

- name: Change the running kernel only, in network namespace "blue"
  twtune.twtune.twtune:
    profile: server
    persist: false
    netns: blue
  become: true

- name: Use the site's own profiles
  twtune.twtune.twtune:
    profile: edge-proxy
  environment:
    TWTUNE_PROFILES: /etc/twtune/profiles
  become: true

- name: Apply, and remember the transaction
  twtune.twtune.twtune:
    profile: client-heavy
  register: tuned
  become: true

- name: Undo exactly that transaction
  twtune.twtune.twtune:
    state: rolled_back
    transaction: "{{ tuned.transaction }}"
  when: tuned.transaction is not none
  become: true

- name: Undo the last apply (once; running it again changes nothing)
  twtune.twtune.twtune:
    state: rolled_back
  become: true
"""

RETURN = r"""
status:
  description:
    - How the run ended, as twtune says it.
    - C(committed) (something changed), C(unchanged) (the host already held these
      values), C(check) (check mode), and, when the task fails, C(refused) (nothing
      changed), C(rolled-back) (failed and undone) or C(failed) (failed and not
      undone completely).
  returned: always, unless the task failed before twtune answered in JSON
  type: str
  sample: committed
transaction:
  description:
    - The id of the transaction this run committed, or null when it changed nothing
      or ran in check mode. Pass it to I(transaction) to undo the run.
  returned: always, unless the task failed before twtune answered in JSON
  type: str
  sample: "20261201T212020.238179Z"
source:
  description: What the values came from.
  returned: always, unless the task failed before twtune answered in JSON
  type: str
  sample: profile client-heavy
changes:
  description:
    - The keys set (or, in check mode, that would be set), with the running value
      before and after. Empty when only the persisted file changes.
  returned: always, unless the task failed before twtune answered in JSON
  type: list
  elements: dict
  contains:
    key:
      description: The sysctl key.
      type: str
      sample: net.ipv4.tcp_tw_reuse
    old:
      description: The value before, as the kernel shows it.
      type: str
      sample: "0"
    new:
      description: The value after.
      type: str
      sample: "1"
    state:
      description:
        - After a failed run, how the key was left ("restored to '0'", or
          "holds '1', not the old '0'"); null otherwise.
      type: str
      sample: null
  sample: [{"key": "net.ipv4.tcp_tw_reuse", "old": "0", "new": "1"}]
skipped_keys:
  description:
    - Keys the profile or the rules name that were left as they are, and why.
    - This is twtune's C(skipped), renamed because Ansible reads a true C(skipped)
      in a result as a skipped task.
  returned: always, unless the task failed before twtune answered in JSON
  type: list
  elements: dict
  contains:
    key:
      description: The sysctl key.
      type: str
    reason:
      description: Why it was left alone.
      type: str
  sample: []
persisted:
  description:
    - The path of the persisted file when this run changed it (or would, in check
      mode); null when the file was left as it was or C(persist=false).
  returned: always, unless the task failed before twtune answered in JSON
  type: str
  sample: /etc/sysctl.d/90-twtune.conf
warnings:
  description:
    - twtune's warnings, for example a sysctl.d file applied after C(90-twtune.conf)
      that would set a key to another value at boot. Ansible also shows them as warnings.
  returned: when twtune warns
  type: list
  elements: str
notes:
  description:
    - What twtune wants known, for example that I(force) overrode a profile's
      requirements, or that a computed value had no value on this host.
  returned: always, unless the task failed before twtune answered in JSON
  type: list
  elements: str
  sample: []
recovered:
  description: The ids of interrupted transactions undone before this run.
  returned: always, unless the task failed before twtune answered in JSON
  type: list
  elements: str
  sample: []
message:
  description: twtune's message about the run, or null.
  returned: always, unless the task failed before twtune answered in JSON
  type: str
  sample: null
rc:
  description: twtune's exit status (0, or 1, 2, 3 when the task fails).
  returned: when twtune apply or rollback ran
  type: int
  sample: 0
stderr:
  description: What twtune printed on standard error.
  returned: when twtune apply or rollback ran
  type: str
  sample: ""
cmd:
  description: The twtune command the task ran.
  returned: when twtune apply or rollback ran
  type: list
  elements: str
  sample: [/usr/bin/twtune, apply, --profile, client-heavy, --format, json]
"""

import json
import os

from ansible.module_utils.basic import AnsibleModule

ARGUMENT_SPEC = dict(
    state=dict(type="str", default="applied", choices=["applied", "rolled_back"]),
    profile=dict(type="str"),
    recommended=dict(type="bool", default=False),
    force=dict(type="bool", default=False),
    persist=dict(type="bool", default=True),
    sysctl_d=dict(type="path"),
    state_dir=dict(type="path"),
    netns=dict(type="str"),
    transaction=dict(type="str"),
    twtune=dict(type="path"),
)

# The keys of twtune's JSON object the task returns as they are.
PASSED_ON = ("status", "transaction", "source", "changes", "persisted", "recovered", "notes",
             "message")

EXIT_NOT_RESTORED = 3


def option_errors(p):
    """The combinations of options that make no sense, each said once."""
    errors = []
    if p["profile"] is not None and not p["profile"].strip():
        errors.append("profile must not be empty")
    if p["state"] == "applied":
        if p["profile"] is not None and p["recommended"]:
            errors.append("profile and recommended=true are mutually exclusive")
        elif p["profile"] is None and not p["recommended"]:
            errors.append("state=applied needs profile or recommended=true")
        if p["transaction"] is not None:
            errors.append("transaction applies to state=rolled_back only")
        if p["sysctl_d"] is not None and not p["persist"]:
            errors.append("sysctl_d and persist=false contradict each other")
    else:
        given = [name for name in ("profile",) if p[name] is not None]
        given += [name + "=true" for name in ("recommended", "force") if p[name]]
        if not p["persist"]:
            given.append("persist=false")
        if given:
            errors.append("%s: only for state=applied (a rollback restores what the "
                          "transaction changed)" % ", ".join(given))
    return errors


def find_twtune(module):
    given = module.params["twtune"]
    if given is None:
        return module.get_bin_path("twtune", required=True)
    if os.sep not in given:
        return module.get_bin_path(given, required=True)
    if not (os.path.isfile(given) and os.access(given, os.X_OK)):
        module.fail_json(msg="twtune=%s is not an executable file" % given)
    return given


def global_args(p):
    return ["--netns", p["netns"]] if p["netns"] is not None else []


def run(module, cmd):
    # No expansion of $ or ~: a name is passed to twtune as written.
    rc, out, err = module.run_command(cmd, check_rc=False, expand_user_and_vars=False)
    return rc, out, err


def parse_outcome(out):
    """twtune's one JSON object, or None when stdout is something else."""
    try:
        doc = json.loads(out)
    except ValueError:
        return None
    if not isinstance(doc, dict) or not isinstance(doc.get("changed"), bool) or "status" not in doc:
        return None
    return doc


def as_line(key, value):
    return "%s = %s\n" % (key, "(none)" if value is None else value)


def ansible_diff(doc, netns):
    """Ansible's diff: the keys' old -> new, then the persisted file whole."""
    diff = []
    changes = doc.get("changes") or []
    if changes:
        where = "running kernel" if netns is None else "network namespace %s" % netns
        diff.append(dict(
            before_header=where,
            after_header=where,
            before="".join(as_line(c.get("key"), c.get("old")) for c in changes),
            after="".join(as_line(c.get("key"), c.get("new")) for c in changes),
        ))
    f = doc.get("diff")
    if isinstance(f, dict) and f.get("path"):
        path = f["path"]
        before, after = f.get("before"), f.get("after")
        diff.append(dict(
            before_header=path if before is not None else "%s (absent)" % path,
            after_header=path if after is not None else "%s (absent)" % path,
            before=before or "",
            after=after or "",
        ))
    return diff


def empty_outcome(status, source, message):
    return dict(changed=False, status=status, transaction=None, source=source, changes=[],
                skipped_keys=[], persisted=None, recovered=[], notes=[], message=message)


def finish(module, cmd, rc, out, err):
    """Exit the module with twtune's answer: its JSON, its exit status."""
    p = module.params
    doc = parse_outcome(out)
    base = dict(rc=rc, stderr=err, cmd=cmd)
    if doc is None:
        # Not the JSON object: a usage error, or not twtune at all.
        msg = err.strip() or out.strip() or "twtune exited with status %d and printed nothing" % rc
        if rc == 0:
            msg = "twtune printed no JSON object: %s" % msg
        module.fail_json(msg=msg, changed=False, stdout=out, **base)

    result = dict((k, doc.get(k)) for k in PASSED_ON)
    # Not "skipped": Ansible would call the task skipped.
    result["skipped_keys"] = doc.get("skipped")
    result.update(base)
    for k in ("changes", "skipped_keys", "recovered", "notes"):
        if not isinstance(result[k], list):
            result[k] = []
    if doc.get("warnings"):
        # Ansible shows these as warnings too.
        result["warnings"] = [str(w) for w in doc["warnings"]]
    if module._diff:
        result["diff"] = ansible_diff(doc, p["netns"])

    if rc != 0:
        msg = doc.get("message") or err.strip() or "twtune exited with status %d" % rc
        # Exit 3: keys could not be restored, so the host is not as it was.
        module.fail_json(msg=msg, changed=rc == EXIT_NOT_RESTORED or doc["changed"], **result)
    module.exit_json(changed=doc["changed"], **result)


def history(module, binary):
    """This namespace's journal records, oldest first (twtune history)."""
    p = module.params
    cmd = [binary] + global_args(p) + ["history"]
    if p["state_dir"] is not None:
        cmd += ["--state-dir", p["state_dir"]]
    cmd += ["--format", "json"]
    rc, out, err = run(module, cmd)
    try:
        records = json.loads(out) if rc == 0 else None
    except ValueError:
        records = None
    if not isinstance(records, list):
        module.fail_json(msg=err.strip() or "twtune history printed no JSON list", rc=rc,
                         stderr=err, stdout=out, cmd=cmd, changed=False)
    return [r for r in records if isinstance(r, dict)]


def already_rolled_back(module, binary):
    """When there is nothing left to undo, say so and exit unchanged; else
    return the id of the apply to roll back."""
    p = module.params
    records = history(module, binary)
    wanted = p["transaction"]
    if wanted is None:
        applies = [r for r in records if r.get("kind") == "apply" and r.get("status") == "committed"]
        if not applies:
            module.exit_json(**empty_outcome(
                "unchanged", None, "nothing to roll back: no committed apply in this namespace"))
        target = applies[-1]
    else:
        found = [r for r in records if r.get("id") == wanted]
        if not found:
            # twtune says why: unknown, or another namespace's.
            return wanted
        target = found[-1]
    if target.get("rolled_back_by"):
        module.exit_json(**empty_outcome(
            "unchanged", "rollback of %s" % target["id"],
            "transaction %s was rolled back already, by %s" % (target["id"], target["rolled_back_by"])))
    return target["id"]


def main():
    module = AnsibleModule(argument_spec=ARGUMENT_SPEC, supports_check_mode=True)
    p = module.params
    errors = option_errors(p)
    if errors:
        module.fail_json(msg="; ".join(errors))
    binary = find_twtune(module)

    cmd = [binary] + global_args(p)
    target = []
    if p["state"] == "applied":
        cmd.append("apply")
        cmd += ["--profile", p["profile"]] if p["profile"] is not None else ["--recommended"]
        if p["force"]:
            cmd.append("--force")
        if not p["persist"]:
            cmd.append("--no-persist")
        if p["sysctl_d"] is not None:
            cmd += ["--sysctl-d", p["sysctl_d"]]
    else:
        cmd.append("rollback")
        if p["sysctl_d"] is not None:
            cmd += ["--sysctl-d", p["sysctl_d"]]
        # After the options, where it is read even with POSIXLY_CORRECT set.
        target = [already_rolled_back(module, binary)]
    if p["state_dir"] is not None:
        cmd += ["--state-dir", p["state_dir"]]
    if module.check_mode:
        cmd.append("--check")
    if module._diff:
        cmd.append("--diff")
    cmd += ["--format", "json"] + target

    rc, out, err = run(module, cmd)
    finish(module, cmd, rc, out, err)


if __name__ == "__main__":
    main()
