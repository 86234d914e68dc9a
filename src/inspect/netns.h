/* SPDX-License-Identifier: MIT */
/* Network namespaces: which one twtune is looking at, entering another by
 * name or by process, and finding them all. Most TIME_WAIT knobs and all
 * sockets are per namespace: on a container host each pod has its own. */
#ifndef TWTUNE_NETNS_H
#define TWTUNE_NETNS_H

#include <stddef.h>
#include <sys/types.h>

#include "inspect/facts.h"

#define NETNS_RUN_DIR "/run/netns"

/* Open the namespace called NAME under /run/netns, or that of process PID
 * (given as text, validated here). The descriptor is checked to be a
 * network namespace. Returns an fd, or a negative errno with ERR naming
 * the name or PID at fault. */
int netns_open_name(const char *name, char *err, size_t errlen);
int netns_open_pid(const char *pid, char *err, size_t errlen);

/* setns() into FD; ERR says what privilege is missing on EPERM. */
int netns_enter(int fd, const char *label, char *err, size_t errlen);

/* Open PATH (/run/netns/NAME, /proc/PID/ns/net) and enter it. */
int netns_enter_path(const char *path, const char *label, char *err, size_t errlen);

/* A descriptor of the namespace this process is in now, to come back to
 * after visiting others. */
int netns_open_current(char *err, size_t errlen);

/* Is ID the initial network namespace (pid 1's, the one sysctl.d
 * configures at boot)? 1, 0, or -1 when that cannot be told. */
int netns_is_initial(const struct netns_identity *id);

/* How the journal and the lock name the namespace whose keys a run
 * changes: "net:[INODE]" for the live kernel, "proc:REALPATH" for a
 * --proc tree. */
void netns_journal_name(const char *proc_root, char *buf, size_t size);

/* The same from an identity already taken (inspect_host() records it in
 * the facts), without looking again. */
void netns_journal_name_of(const char *proc_root, const struct netns_identity *id, char *buf,
			   size_t size);

/* Identity of the namespace this process is in now: inode, device, and
 * its name under /run/netns if one points at it. */
int netns_identify(struct netns_identity *id);

struct netns_entry {
	uint64_t inode, device;
	char name[256];	    /* under /run/netns, or "" */
	char path[300];	    /* how to open it: /run/netns/NAME or /proc/PID/ns/net */
	unsigned processes; /* processes in it */
	pid_t example_pid;  /* the lowest PID in it, 0 if none */
	char example_command[32];
	bool current; /* the namespace twtune started in */
};

struct netns_list {
	struct netns_entry *items;
	size_t count, capacity;
	unsigned unreadable_processes; /* whose namespace could not be told */
};

/* The command name of process PID (its comm), or "" when it cannot be
 * read. */
/* The largest process id Linux hands out (PID_MAX_LIMIT in
 * include/linux/threads.h: 4 * 1024 * 1024 on 64-bit), so the most
 * /proc/sys/kernel/pid_max accepts. */
#define TW_PID_MAX 4194304

void process_command(pid_t pid, char *buf, size_t size);

/* Every distinct network namespace: the named ones and those of running
 * processes, deduplicated by (device, inode), the current one first. */
int netns_list_all(struct netns_list *list);
void netns_list_free(struct netns_list *list);

/* A short label for a person: the name, else "pid N (COMMAND)", else
 * "net:[INODE]". */
const char *netns_entry_label(const struct netns_entry *e, char *buf, size_t size);

#endif
