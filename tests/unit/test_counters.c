/* SPDX-License-Identifier: MIT */
/* The /proc/net/{snmp,netstat,sockstat} parsers, read_counters on a
 * fabricated tree, and the rates between two readings. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* cmocka.h needs these included before it */
/* clang-format off */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
/* clang-format on */

#include "fixture.h"
#include "inspect/counters.h"

/* As a 6.1 kernel prints them: pairs of lines per section, names then
 * values; Tcp MaxConn is -1. */
static const char snmp_text[] =
	"Ip: Forwarding DefaultTTL InReceives InHdrErrors InAddrErrors ForwDatagrams "
	"InUnknownProtos InDiscards InDelivers OutRequests OutDiscards OutNoRoutes "
	"ReasmTimeout ReasmReqds ReasmOKs ReasmFails FragOKs FragFails FragCreates "
	"OutTransmits\n"
	"Ip: 2 64 1723745 0 2 0 0 0 1721011 1528306 40 0 0 0 0 0 0 0 0 1528346\n"
	"Icmp: InMsgs InErrors InCsumErrors InDestUnreachs InTimeExcds InParmProbs "
	"InSrcQuenchs InRedirects InEchos InEchoReps InTimestamps InTimestampReps "
	"InAddrMasks InAddrMaskReps OutMsgs OutErrors OutRateLimitGlobal OutRateLimitHost "
	"OutDestUnreachs OutTimeExcds OutParmProbs OutSrcQuenchs OutRedirects OutEchos "
	"OutEchoReps OutTimestamps OutTimestampReps OutAddrMasks OutAddrMaskReps\n"
	"Icmp: 45 0 0 45 0 0 0 0 0 0 0 0 0 0 45 0 0 0 45 0 0 0 0 0 0 0 0 0 0\n"
	"IcmpMsg: InType3 OutType3\n"
	"IcmpMsg: 45 45\n"
	"Tcp: RtoAlgorithm RtoMin RtoMax MaxConn ActiveOpens PassiveOpens AttemptFails "
	"EstabResets CurrEstab InSegs OutSegs RetransSegs InErrs OutRsts InCsumErrors\n"
	"Tcp: 1 200 120000 -1 48213 1877 312 96 23 1690437 1497820 1210 0 3521 0\n"
	"Udp: InDatagrams NoPorts InErrors OutDatagrams RcvbufErrors SndbufErrors "
	"InCsumErrors IgnoredMulti MemErrors\n"
	"Udp: 28763 45 0 29017 0 0 0 118 0\n"
	"UdpLite: InDatagrams NoPorts InErrors OutDatagrams RcvbufErrors SndbufErrors "
	"InCsumErrors IgnoredMulti MemErrors\n"
	"UdpLite: 0 0 0 0 0 0 0 0 0\n";

static const char netstat_text[] =
	"TcpExt: SyncookiesSent SyncookiesRecv SyncookiesFailed EmbryonicRsts PruneCalled "
	"RcvPruned OfoPruned OutOfWindowIcmps LockDroppedIcmps ArpFilter TW TWRecycled "
	"TWKilled PAWSActive PAWSEstab DelayedACKs DelayedACKLocked DelayedACKLost "
	"ListenOverflows ListenDrops TCPHPHits TCPPureAcks TCPHPAcks TCPRenoRecovery "
	"TCPSackRecovery TCPSACKReneging TCPSACKReorder TCPRenoReorder TCPTSReorder "
	"TCPFullUndo TCPPartialUndo TCPDSACKUndo TCPLossUndo TCPLostRetransmit "
	"TCPRenoFailures TCPSackFailures TCPLossFailures TCPFastRetrans TCPSlowStartRetrans "
	"TCPTimeouts TCPLossProbes TCPLossProbeRecovery TCPRenoRecoveryFail "
	"TCPSackRecoveryFail TCPRcvCollapsed TCPDSACKOldSent TCPDSACKOfoSent TCPDSACKRecv "
	"TCPDSACKOfoRecv TCPAbortOnData TCPAbortOnClose TCPAbortOnMemory TCPAbortOnTimeout "
	"TCPAbortOnLinger TCPAbortFailed TCPMemoryPressures TCPMemoryPressuresChrono "
	"TCPSACKDiscard TCPDSACKIgnoredOld TCPDSACKIgnoredNoUndo TCPSpuriousRTOs "
	"TCPMD5NotFound TCPMD5Unexpected TCPMD5Failure TCPSackShifted TCPSackMerged "
	"TCPSackShiftFallback TCPBacklogCoalesce TCPBacklogDrop PFMemallocDrop TCPMinTTLDrop "
	"TCPDeferAcceptDrop IPReversePathFilter TCPTimeWaitOverflow TCPReqQFullDoCookies "
	"TCPReqQFullDrop TCPRetransFail TCPRcvCoalesce TCPOFOQueue TCPOFODrop TCPOFOMerge "
	"TCPChallengeACK TCPSYNChallenge TCPFastOpenActive TCPFastOpenActiveFail "
	"TCPFastOpenPassive TCPFastOpenPassiveFail TCPFastOpenListenOverflow "
	"TCPFastOpenCookieReqd TCPFastOpenBlackhole TCPSpuriousRtxHostQueues "
	"BusyPollRxPackets TCPAutoCorking TCPFromZeroWindowAdv TCPToZeroWindowAdv "
	"TCPWantZeroWindowAdv TCPSynRetrans TCPOrigDataSent TCPHystartTrainDetect "
	"TCPHystartTrainCwnd TCPHystartDelayDetect TCPHystartDelayCwnd TCPACKSkippedSynRecv "
	"TCPACKSkippedPAWS TCPACKSkippedSeq TCPACKSkippedFinWait2 TCPACKSkippedTimeWait "
	"TCPACKSkippedChallenge TCPWinProbe TCPKeepAlive TCPMTUPFail TCPMTUPSuccess "
	"TCPDelivered TCPDeliveredCE TCPAckCompressed TCPZeroWindowDrop TCPRcvQDrop "
	"TCPWqueueTooBig TCPFastOpenPassiveAltKey TcpTimeoutRehash TcpDuplicateDataRehash "
	"TCPDSACKRecvSegs TCPDSACKIgnoredDubious TCPMigrateReqSuccess TCPMigrateReqFailure\n"
	"TcpExt: 1 7 0 512 40961 0 0 0 0 512 182734 0 12 23 7 0 0 7 0 0 7 7 1 0 7 7 23 0 23 "
	"512 1 0 1 40961 7 0 7 0 7 7 1 512 512 7 512 40961 0 1 7 7 0 0 0 40961 7 40961 23 0 "
	"1 0 512 1 40961 7 0 23 512 23 1 23 0 0 1 3391 1 0 23 0 7 40961 0 0 23 0 7 23 0 23 7 "
	"23 0 512 0 7 1 40961 7 0 7 512 0 23 0 23 0 40961 0 23 23 7 0 40961 1 512 1 0 0 0 0 "
	"0 0 0 40961 1 23\n"
	"IpExt: InNoRoutes InTruncatedPkts InMcastPkts OutMcastPkts InBcastPkts OutBcastPkts "
	"InOctets OutOctets InMcastOctets OutMcastOctets InBcastOctets OutBcastOctets "
	"InCsumErrors InNoECTPkts InECT1Pkts InECT0Pkts InCEPkts ReasmOverlaps\n"
	"IpExt: 0 0 0 0 0 0 98765432101234 4820193344 0 0 0 0 0 1723745 0 0 0 0\n"
	"MPTcpExt: MPCapableSYNRX MPCapableSYNTX MPCapableSYNACKRX MPCapableACKRX "
	"MPCapableFallbackACK MPCapableFallbackSYNACK MPFallbackTokenInit MPTCPRetrans "
	"MPJoinNoTokenFound MPJoinSynRx\n"
	"MPTcpExt: 0 0 0 0 0 0 0 0 0 0\n";

/* The counters a kernel with netstat_text has: all but PAWSPassive (gone
 * with tcp_tw_recycle) and PAWSTimewait (recent kernels). */
#define READABLE (CTR_COUNT - 2)

static const char sockstat_text[] = "sockets: used 5\n"
				    "TCP: inuse 3 orphan 0 tw 7 alloc 4 mem 1\n"
				    "UDP: inuse 1 mem 0\n"
				    "UDPLITE: inuse 0\n"
				    "RAW: inuse 0\n"
				    "FRAG: inuse 0 memory 0\n";

/* A copy of TEXT with the first FROM replaced by TO (same length). */
static char *replaced(const char *text, const char *from, const char *to)
{
	char *copy = strdup(text);
	char *at;

	assert_non_null(copy);
	assert_int_equal(strlen(from), strlen(to));
	at = strstr(copy, from);
	assert_non_null(at);
	memcpy(at, to, strlen(to));
	return copy;
}

/* The same, where TO may be longer than FROM. */
static char *widened(const char *text, const char *from, const char *to)
{
	const char *at = strstr(text, from);
	size_t head, size = strlen(text) - strlen(from) + strlen(to) + 1;
	char *copy = malloc(size);

	assert_non_null(at);
	assert_non_null(copy);
	head = (size_t)(at - text);
	snprintf(copy, size, "%.*s%s%s", (int)head, text, to, at + strlen(from));
	return copy;
}

static uint64_t table_value(const char *text, const char *section, const char *field)
{
	uint64_t v = 0;
	unsigned bad_line = 0;
	int r = counter_table_lookup(text, section, field, &v, &bad_line);

	if (r != 0)
		fail_msg("%s %s: %d (line %u)", section, field, r, bad_line);
	return v;
}

static void test_table_lookup_snmp(void **state)
{
	(void)state;
	assert_int_equal(table_value(snmp_text, "Tcp", "ActiveOpens"), 48213);
	assert_int_equal(table_value(snmp_text, "Tcp", "PassiveOpens"), 1877);
	assert_int_equal(table_value(snmp_text, "Tcp", "CurrEstab"), 23);
	assert_int_equal(table_value(snmp_text, "Tcp", "InCsumErrors"), 0);
	assert_int_equal(table_value(snmp_text, "Ip", "Forwarding"), 2);
	assert_int_equal(table_value(snmp_text, "Ip", "OutTransmits"), 1528346);
	assert_int_equal(table_value(snmp_text, "Icmp", "OutDestUnreachs"), 45);
	assert_int_equal(table_value(snmp_text, "Udp", "InDatagrams"), 28763);
	/* UdpLite has the same names; its own line pair is read */
	assert_int_equal(table_value(snmp_text, "UdpLite", "InDatagrams"), 0);
}

static void test_table_lookup_netstat(void **state)
{
	(void)state;
	assert_int_equal(table_value(netstat_text, "TcpExt", "TW"), 182734);
	assert_int_equal(table_value(netstat_text, "TcpExt", "TWRecycled"), 0);
	assert_int_equal(table_value(netstat_text, "TcpExt", "TWKilled"), 12);
	assert_int_equal(table_value(netstat_text, "TcpExt", "TCPTimeWaitOverflow"), 3391);
	assert_int_equal(table_value(netstat_text, "IpExt", "InOctets"), 98765432101234ULL);
	assert_int_equal(table_value(netstat_text, "IpExt", "InNoECTPkts"), 1723745);
}

static void test_table_lookup_missing(void **state)
{
	uint64_t v = 99;
	unsigned bad_line = 0;

	(void)state;
	assert_int_equal(counter_table_lookup(snmp_text, "Tcp", "NoSuchField", &v, &bad_line),
			 -ENOENT);
	assert_int_equal(counter_table_lookup(snmp_text, "Sctp", "ActiveOpens", &v, &bad_line),
			 -ENOENT);
	/* "Tcp" is not a prefix match for "TcpExt", nor the other way */
	assert_int_equal(counter_table_lookup(netstat_text, "Tcp", "TW", &v, &bad_line), -ENOENT);
	assert_int_equal(counter_table_lookup(snmp_text, "TcpExt", "ActiveOpens", &v, &bad_line),
			 -ENOENT);
	/* field names match whole: TW is not TWKilled's prefix */
	assert_int_equal(counter_table_lookup(netstat_text, "TcpExt", "TWK", &v, &bad_line),
			 -ENOENT);
	assert_int_equal(counter_table_lookup("", "Tcp", "ActiveOpens", &v, &bad_line), -ENOENT);
	assert_int_equal(v, 99);
}

static void test_table_header_without_values(void **state)
{
	uint64_t v = 0;
	unsigned bad_line = 0;

	(void)state;
	/* the values line is missing: the next section follows */
	assert_int_equal(counter_table_lookup("Ip: Forwarding DefaultTTL\nIp: 1 64\n"
					      "Tcp: RtoAlgorithm ActiveOpens\n"
					      "Udp: InDatagrams\nUdp: 5\n",
					      "Tcp", "ActiveOpens", &v, &bad_line),
			 -EBADMSG);
	assert_int_equal(bad_line, 3);
	/* the file ends after the header */
	bad_line = 0;
	assert_int_equal(counter_table_lookup("Ip: Forwarding\nIp: 1\nTcp: ActiveOpens\n", "Tcp",
					      "ActiveOpens", &v, &bad_line),
			 -EBADMSG);
	assert_int_equal(bad_line, 3);
}

static void test_table_mismatched_counts(void **state)
{
	uint64_t v = 0;
	unsigned bad_line = 0;

	(void)state;
	/* fewer values than names */
	assert_int_equal(counter_table_lookup("Ip: Forwarding\nIp: 1\n"
					      "Tcp: RtoAlgorithm RtoMin ActiveOpens\n"
					      "Tcp: 1 200\n",
					      "Tcp", "ActiveOpens", &v, &bad_line),
			 -EBADMSG);
	assert_int_equal(bad_line, 4);
	/* more values than names: a field that is not there is not -ENOENT */
	bad_line = 0;
	assert_int_equal(counter_table_lookup("Tcp: RtoAlgorithm RtoMin\nTcp: 1 200 4711\n", "Tcp",
					      "ActiveOpens", &v, &bad_line),
			 -EBADMSG);
	assert_int_equal(bad_line, 2);
	/* a field before the point where the lines stop pairing is no more
	 * trustworthy than one after it */
	bad_line = 0;
	assert_int_equal(counter_table_lookup("Tcp: A B C\nTcp: 1 2\n", "Tcp", "A", &v, &bad_line),
			 -EBADMSG);
	assert_int_equal(bad_line, 2);
}

static void test_table_non_numeric(void **state)
{
	char *text = replaced(snmp_text, " 48213 ", " 48x13 ");
	uint64_t v = 0;
	unsigned bad_line = 0;

	(void)state;
	assert_int_equal(counter_table_lookup(text, "Tcp", "ActiveOpens", &v, &bad_line), -EBADMSG);
	assert_int_equal(bad_line, 8); /* the Tcp values line */
	/* the other fields of that line still read */
	assert_int_equal(table_value(text, "Tcp", "PassiveOpens"), 1877);
	free(text);

	/* MaxConn is -1 on every kernel: not a counter */
	bad_line = 0;
	assert_int_equal(counter_table_lookup(snmp_text, "Tcp", "MaxConn", &v, &bad_line),
			 -EBADMSG);
	assert_int_equal(bad_line, 8);
	/* more than 64 bits */
	bad_line = 0;
	assert_int_equal(counter_table_lookup("TcpExt: TW\nTcpExt: 18446744073709551616\n",
					      "TcpExt", "TW", &v, &bad_line),
			 -EBADMSG);
	assert_int_equal(bad_line, 2);
}

static void test_pairs_lookup(void **state)
{
	uint64_t v = 0;
	unsigned bad_line = 0;

	(void)state;
	assert_int_equal(counter_pairs_lookup(sockstat_text, "TCP", "tw", &v, &bad_line), 0);
	assert_int_equal(v, 7);
	assert_int_equal(counter_pairs_lookup(sockstat_text, "TCP", "inuse", &v, &bad_line), 0);
	assert_int_equal(v, 3);
	assert_int_equal(counter_pairs_lookup(sockstat_text, "TCP", "mem", &v, &bad_line), 0);
	assert_int_equal(v, 1);
	assert_int_equal(counter_pairs_lookup(sockstat_text, "sockets", "used", &v, &bad_line), 0);
	assert_int_equal(v, 5);
	/* "UDP" does not match "UDPLITE" */
	assert_int_equal(counter_pairs_lookup(sockstat_text, "UDP", "inuse", &v, &bad_line), 0);
	assert_int_equal(v, 1);
	assert_int_equal(counter_pairs_lookup(sockstat_text, "FRAG", "memory", &v, &bad_line), 0);
	assert_int_equal(v, 0);
}

static void test_pairs_lookup_errors(void **state)
{
	uint64_t v = 42;
	unsigned bad_line = 0;

	(void)state;
	assert_int_equal(counter_pairs_lookup(sockstat_text, "TCP", "timewait", &v, &bad_line),
			 -ENOENT);
	assert_int_equal(counter_pairs_lookup(sockstat_text, "TCP6", "tw", &v, &bad_line), -ENOENT);
	assert_int_equal(counter_pairs_lookup("TCP6: inuse 2\n", "TCP", "inuse", &v, &bad_line),
			 -ENOENT);
	assert_int_equal(v, 42);
	/* a name without its number */
	assert_int_equal(counter_pairs_lookup("sockets: used 5\nTCP: inuse 3 orphan\n", "TCP", "tw",
					      &v, &bad_line),
			 -EBADMSG);
	assert_int_equal(bad_line, 2);
	bad_line = 0;
	assert_int_equal(counter_pairs_lookup("sockets: used 5\nTCP: inuse 3 tw many\n", "TCP",
					      "tw", &v, &bad_line),
			 -EBADMSG);
	assert_int_equal(bad_line, 2);
}

/* As 6.18 prints it, two CPUs; summed: insert_failed 0x31 + 0x0a = 59,
 * drop 59, early_drop 2, search_restart 0x10, clashres 1. */
static const char nf_conntrack_stat_text[] =
	"entries  clashres found new invalid ignore delete chainlength insert insert_failed drop "
	"early_drop icmp_error  expect_new expect_create expect_delete search_restart\n"
	"0000002a  00000001 00000005 00000000 00000003 00000000 00000000 00000000 000000c8 "
	"00000031 00000031 00000002 00000000  00000000 00000000 00000000 0000000c\n"
	"0000002a  00000000 00000002 00000000 00000000 00000000 00000000 00000000 0000004b "
	"0000000a 0000000a 00000000 00000000  00000000 00000000 00000000 00000004\n";

static void write_counter_files(const char *root)
{
	fixture_write(root, "net/snmp", snmp_text);
	fixture_write(root, "net/netstat", netstat_text);
	fixture_write(root, "net/sockstat", sockstat_text);
	fixture_write(root, "net/stat/nf_conntrack", nf_conntrack_stat_text);
}

static void assert_counter(const struct counter *c, enum counter_id id, uint64_t value)
{
	if (!c[id].present)
		fail_msg("%s is not present", counter_info(id)->json_name);
	if (c[id].value != value)
		fail_msg("%s is %llu, expected %llu", counter_info(id)->json_name,
			 (unsigned long long)c[id].value, (unsigned long long)value);
}

static void test_read_counters_all(void **state)
{
	struct fixture *fx = *state;
	struct counter c[CTR_COUNT];

	write_counter_files(fx->root);
	assert_int_equal(read_counters(fx->root, c, &fx->facts), READABLE);
	assert_counter(c, CTR_ACTIVE_OPENS, 48213);
	assert_counter(c, CTR_PASSIVE_OPENS, 1877);
	assert_counter(c, CTR_CURR_ESTAB, 23);
	assert_counter(c, CTR_TW, 182734);
	assert_counter(c, CTR_TW_RECYCLED, 0);
	assert_counter(c, CTR_TW_KILLED, 12);
	assert_counter(c, CTR_TIME_WAIT_OVERFLOW, 3391);
	assert_counter(c, CTR_SOCKSTAT_TW, 7);
	assert_counter(c, CTR_PAWS_ACTIVE, 23);
	assert_counter(c, CTR_PAWS_ESTAB, 7);
	assert_counter(c, CTR_LISTEN_OVERFLOWS, 0);
	assert_counter(c, CTR_LISTEN_DROPS, 0);
	/* absent on this kernel, and not an error */
	assert_false(c[CTR_PAWS_PASSIVE].present);
	assert_false(c[CTR_PAWS_TIMEWAIT].present);
	assert_counter(c, CTR_CT_INSERT_FAILED, 59);
	assert_counter(c, CTR_CT_DROP, 59);
	assert_counter(c, CTR_CT_EARLY_DROP, 2);
	assert_counter(c, CTR_CT_SEARCH_RESTART, 16);
	assert_counter(c, CTR_CT_CLASH_RESOLVE, 1);
	assert_int_equal(fx->facts.error_count, 0);
}

static void test_read_counters_missing_file(void **state)
{
	struct fixture *fx = *state;
	struct counter c[CTR_COUNT];
	char path[PATH_MAX + 16];
	const char *msg;

	write_counter_files(fx->root);
	fixture_unlink(fx->root, "net/netstat");
	assert_int_equal(read_counters(fx->root, c, &fx->facts), 4 + 5);
	assert_int_equal(fx->facts.error_count, 1);
	fixture_join(path, sizeof(path), fx->root, "net/netstat");
	msg = fixture_find_error(&fx->facts, "counters", path);
	assert_non_null(msg);
	assert_non_null(strstr(msg, strerror(ENOENT)));
	/* the other two files were still read */
	assert_counter(c, CTR_ACTIVE_OPENS, 48213);
	assert_counter(c, CTR_CURR_ESTAB, 23);
	assert_counter(c, CTR_SOCKSTAT_TW, 7);
	assert_false(c[CTR_TW].present);
	assert_false(c[CTR_TIME_WAIT_OVERFLOW].present);
}

static void test_read_counters_malformed_line(void **state)
{
	struct fixture *fx = *state;
	char *netstat = replaced(netstat_text, " 182734 ", " 18x734 ");
	struct counter c[CTR_COUNT];

	fixture_write(fx->root, "net/snmp", snmp_text);
	fixture_write(fx->root, "net/netstat", netstat);
	fixture_write(fx->root, "net/sockstat", sockstat_text);
	fixture_write(fx->root, "net/stat/nf_conntrack", nf_conntrack_stat_text);
	free(netstat);
	assert_int_equal(read_counters(fx->root, c, &fx->facts), READABLE - 1);
	assert_false(c[CTR_TW].present);
	assert_counter(c, CTR_TW_KILLED, 12);
	assert_non_null(fixture_find_error(&fx->facts, "counters", "net/netstat:2: malformed"));
}

static void test_read_counters_bad_value_named(void **state)
{
	struct fixture *fx = *state;
	char *netstat = replaced(netstat_text, " 182734 ", " 18x734 ");
	char *snmp = widened(snmp_text, " 48213 ", " 18446744073709551616 ");

	fixture_write(fx->root, "net/snmp", snmp);
	fixture_write(fx->root, "net/netstat", netstat);
	fixture_write(fx->root, "net/sockstat", sockstat_text);
	fixture_write(fx->root, "net/stat/nf_conntrack", nf_conntrack_stat_text);
	free(netstat);
	free(snmp);
	assert_int_equal(read_counters(fx->root, (struct counter[CTR_COUNT]){0}, &fx->facts),
			 READABLE - 2);
	/* the value at fault, not "names and values do not pair up" */
	assert_non_null(fixture_find_error(&fx->facts, "counters",
					   "net/netstat:2: malformed TcpExt line: TW: '18x734' is "
					   "not written in plain decimal digits (expected 0 to "
					   "18446744073709551615)"));
	assert_non_null(fixture_find_error(&fx->facts, "counters",
					   "net/snmp:8: malformed Tcp line: ActiveOpens: "
					   "'18446744073709551616' is out of range"));
}

static void test_read_counters_largest(void **state)
{
	struct fixture *fx = *state;
	char *netstat = widened(netstat_text, " 182734 ", " 18446744073709551615 ");
	struct counter c[CTR_COUNT];

	fixture_write(fx->root, "net/snmp", snmp_text);
	fixture_write(fx->root, "net/netstat", netstat);
	fixture_write(fx->root, "net/sockstat", sockstat_text);
	fixture_write(fx->root, "net/stat/nf_conntrack", nf_conntrack_stat_text);
	free(netstat);
	assert_int_equal(read_counters(fx->root, c, &fx->facts), READABLE);
	assert_counter(c, CTR_TW, UINT64_MAX);
	assert_int_equal(fx->facts.error_count, 0);
}

/* An empty or foreign net/snmp left every counter it holds "absent", as
 * if the kernel were too old for them, and said nothing. */
static void test_read_counters_empty_or_garbage_file(void **state)
{
	static const char *const contents[] = {"", "\n", "garbage\x01\xff\n",
					       "Ip: Forwarding\nIp: 1\n"};
	struct fixture *fx = *state;

	for (size_t i = 0; i < sizeof(contents) / sizeof(contents[0]); i++) {
		struct counter c[CTR_COUNT];

		facts_free(&fx->facts);
		facts_init(&fx->facts);
		write_counter_files(fx->root);
		fixture_write(fx->root, "net/snmp", contents[i]);
		assert_int_equal(read_counters(fx->root, c, &fx->facts), READABLE - 3);
		assert_false(c[CTR_ACTIVE_OPENS].present);
		assert_int_equal(fx->facts.error_count, 1);
		assert_non_null(fixture_find_error(&fx->facts, "counters",
						   "net/snmp: no Tcp: line (empty, or not a "
						   "/proc/net/snmp file)"));
		/* the other files still read */
		assert_counter(c, CTR_TW, 182734);
	}
}

static void test_read_counters_quiet_without_facts(void **state)
{
	struct fixture *fx = *state;
	struct counter c[CTR_COUNT];

	fixture_write(fx->root, "net/sockstat", sockstat_text);
	assert_int_equal(read_counters(fx->root, c, NULL), 1);
	assert_counter(c, CTR_SOCKSTAT_TW, 7);
	assert_false(c[CTR_ACTIVE_OPENS].present);
}

static void set_counter(struct counter *c, enum counter_id id, uint64_t value)
{
	c[id].present = true;
	c[id].value = value;
}

static void test_compute_rates(void **state)
{
	struct counter before[CTR_COUNT] = {{0}}, after[CTR_COUNT] = {{0}};
	struct tw_rates rates;

	(void)state;
	memset(&rates, 0, sizeof(rates));
	set_counter(before, CTR_ACTIVE_OPENS, 1000);
	set_counter(after, CTR_ACTIVE_OPENS, 1500);
	set_counter(before, CTR_PASSIVE_OPENS, 200);
	set_counter(after, CTR_PASSIVE_OPENS, 200);
	set_counter(before, CTR_CURR_ESTAB, 10);
	set_counter(after, CTR_CURR_ESTAB, 90);
	set_counter(before, CTR_SOCKSTAT_TW, 100);
	set_counter(after, CTR_SOCKSTAT_TW, 300);
	set_counter(before, CTR_TW, 5000); /* the namespace was reset */
	set_counter(after, CTR_TW, 40);
	set_counter(after, CTR_TW_KILLED, 3); /* only in the second reading */
	set_counter(before, CTR_TIME_WAIT_OVERFLOW, 7);
	set_counter(after, CTR_TIME_WAIT_OVERFLOW, 27);

	compute_rates(before, after, 10.0, &rates);
	assert_int_equal(rates.basis, RATES_SAMPLED);
	assert_near(rates.interval, 10.0);
	assert_true(rates.valid[CTR_ACTIVE_OPENS]);
	assert_near(rates.per_second[CTR_ACTIVE_OPENS], 50.0);
	assert_true(rates.valid[CTR_PASSIVE_OPENS]);
	assert_near(rates.per_second[CTR_PASSIVE_OPENS], 0.0);
	assert_true(rates.valid[CTR_TIME_WAIT_OVERFLOW]);
	assert_near(rates.per_second[CTR_TIME_WAIT_OVERFLOW], 2.0);
	/* levels, not running totals */
	assert_false(rates.valid[CTR_CURR_ESTAB]);
	assert_false(rates.valid[CTR_SOCKSTAT_TW]);
	assert_false(rates.valid[CTR_TW]);
	assert_false(rates.valid[CTR_TW_KILLED]);
	assert_false(rates.valid[CTR_TW_RECYCLED]);
}

static void test_compute_rates_fractional_interval(void **state)
{
	struct counter before[CTR_COUNT] = {{0}}, after[CTR_COUNT] = {{0}};
	struct tw_rates rates;

	(void)state;
	memset(&rates, 0, sizeof(rates));
	set_counter(before, CTR_ACTIVE_OPENS, 10);
	set_counter(after, CTR_ACTIVE_OPENS, 13);
	compute_rates(before, after, 0.5, &rates);
	assert_true(rates.valid[CTR_ACTIVE_OPENS]);
	assert_near(rates.per_second[CTR_ACTIVE_OPENS], 6.0);

	/* no time between the readings: no rate at all */
	compute_rates(before, after, 0, &rates);
	assert_false(rates.valid[CTR_ACTIVE_OPENS]);
}

#define FIXTURE_TEST(fn) cmocka_unit_test_setup_teardown(fn, fixture_setup, fixture_teardown)

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_table_lookup_snmp),
		cmocka_unit_test(test_table_lookup_netstat),
		cmocka_unit_test(test_table_lookup_missing),
		cmocka_unit_test(test_table_header_without_values),
		cmocka_unit_test(test_table_mismatched_counts),
		cmocka_unit_test(test_table_non_numeric),
		cmocka_unit_test(test_pairs_lookup),
		cmocka_unit_test(test_pairs_lookup_errors),
		FIXTURE_TEST(test_read_counters_all),
		FIXTURE_TEST(test_read_counters_missing_file),
		FIXTURE_TEST(test_read_counters_malformed_line),
		FIXTURE_TEST(test_read_counters_bad_value_named),
		FIXTURE_TEST(test_read_counters_largest),
		FIXTURE_TEST(test_read_counters_empty_or_garbage_file),
		FIXTURE_TEST(test_read_counters_quiet_without_facts),
		cmocka_unit_test(test_compute_rates),
		cmocka_unit_test(test_compute_rates_fractional_interval),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
