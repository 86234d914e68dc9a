# SPDX-License-Identifier: MIT
# A callback for tests/integration/ansible.sh: every task result of a
# playbook run as one JSON line in the file $TWTUNE_RESULTS, so the shell
# can read Ansible's own verdict (ok, changed, failed, skipped) with jq.
# ansible-core has no JSON callback of its own; this one records only.

DOCUMENTATION = r"""
name: twtune_results
type: notification
short_description: Record each task's result as a JSON line (twtune's tests)
description:
  - Appends one line per task result to the file named by TWTUNE_RESULTS.
requirements:
  - enabled with ANSIBLE_CALLBACKS_ENABLED=twtune_results
"""

import json
import os

from ansible.plugins.callback import CallbackBase


class CallbackModule(CallbackBase):
    CALLBACK_VERSION = 2.0
    CALLBACK_TYPE = "notification"
    CALLBACK_NAME = "twtune_results"
    CALLBACK_NEEDS_ENABLED = True

    def _record(self, result, outcome):
        path = os.environ.get("TWTUNE_RESULTS")
        if not path:
            return
        res = dict(result._result)
        if outcome == "ok" and res.get("changed"):
            outcome = "changed"
        line = {"task": result._task.get_name(), "outcome": outcome, "result": res}
        with open(path, "a", encoding="utf-8") as f:
            f.write(json.dumps(line, default=str, sort_keys=True) + "\n")

    def v2_runner_on_ok(self, result):
        self._record(result, "ok")

    def v2_runner_on_failed(self, result, ignore_errors=False):
        self._record(result, "failed")

    def v2_runner_on_skipped(self, result):
        self._record(result, "skipped")

    def v2_runner_on_unreachable(self, result):
        self._record(result, "unreachable")
