# Hosts that mostly accept connections: web and API servers, databases.
[profile server]
title    = hosts that mostly accept connections
requires = classification == "inbound-heavy" || classification == "idle"
because  = a mixed host also makes many outbound connections, which this profile does not
           look after (it never touches tcp_tw_reuse or the port range): see what
           `twtune check` recommends for it, or apply with --force if its outbound side
           needs nothing
set      = net.ipv4.tcp_tw_recycle 0
set      = net.ipv4.tcp_timestamps 1
set      = net.ipv4.ip_local_reserved_ports @reserved_ports
set      = net.ipv4.tcp_max_tw_buckets @tw_buckets
explain  = A server's TIME_WAIT sockets sit on its listening ports and cost no ephemeral
           ports, only memory. This profile turns tcp_tw_recycle off where the kernel still
           has it (before 4.12; it drops connections from clients behind NAT), keeps
           timestamps on, reserves the listening ports that lie in the ephemeral range, and
           gives tcp_max_tw_buckets room (256 bytes per socket) so that a busy server never
           closes connections without TIME_WAIT.
           .
           It leaves tcp_tw_reuse alone: reuse does nothing for accepted connections, and a
           server that also connects out (to a database, a cache) may need the reuse it has.
           It applies to inbound-heavy and idle hosts; a mixed host needs --force. The real
           cure for server-side TIME_WAIT is letting clients close first, and keep-alive.
reference = Documentation/networking/ip-sysctl.rst: tcp_max_tw_buckets, ip_local_reserved_ports
reference = Linux 4.12, commit "tcp: remove tcp_tw_recycle"
