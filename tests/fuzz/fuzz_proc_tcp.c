/* SPDX-License-Identifier: MIT */
/* libFuzzer target: the kernel's socket tables as --proc reads them
 * (census_read_proc_table in src/inspect/census_proc.c), the input as
 * net/tcp or net/tcp6 (as its header says), read in the census's two
 * passes (listeners, then every other socket) and the census finished:
 * ranking, pressure, listeners in the ephemeral range. */
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "inspect/census.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static int read_table(struct census_builder *b, const uint8_t *data, size_t size, const char *path,
		      int family, bool listeners)
{
	char err[256];
	FILE *fp;
	int r;

	if (size == 0)
		return 0; /* fmemopen refuses an empty buffer; so is an empty table */
	if (!(fp = fmemopen((void *)data, size, "r")))
		return -1;
	r = census_read_proc_table(b, fp, path, family, listeners, err, sizeof(err));
	fclose(fp);
	return r;
}

/* The host whose census is taken again for each input: its port range
 * and reserved ports, parsed once (parsing them costs more than a table). */
static struct tw_facts *host(void)
{
	static struct tw_facts f; /* static: too large for the stack */
	static bool made;
	char err[256];

	if (!made) {
		facts_init(&f);
		if (facts_set_sysctl(&f, KNOB_IP_LOCAL_PORT_RANGE, "32768 60999", err,
				     sizeof(err)) < 0 ||
		    facts_set_sysctl(&f, KNOB_IP_LOCAL_RESERVED_PORTS, "8080,40000-40010", err,
				     sizeof(err)) < 0)
			abort();
		made = true;
	}
	return &f;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	/* The header tells the tables apart: tcp6 says "remote_address", tcp
	 * "rem_address". One table an input: the census's fixed costs (its
	 * port bitmaps) are most of a run. */
	const uint8_t *eol = memchr(data, '\n', size);
	size_t header = eol ? (size_t)(eol - data) : size;
	bool ipv6 = memmem(data, header, "remote_address", 14) != NULL;
	int family = ipv6 ? AF_INET6 : AF_INET;
	const char *path = ipv6 ? "/proc/net/tcp6" : "/proc/net/tcp";
	struct tw_facts *f = host();
	struct census_builder b;

	if (census_begin(&b, f) < 0)
		abort();
	if (read_table(&b, data, size, path, family, true) == 0 &&
	    read_table(&b, data, size, path, family, false) == 0)
		census_finish(&b);
	else
		census_discard(&b);
	/* what census_finish allocated; census_begin forgets it */
	free(f->census.listening);
	free(f->census.listen_in_range);
	f->census.listening = f->census.listen_in_range = NULL;
	return 0;
}
