# Hosts that mostly accept connections: web and API servers, databases.
[profile server]
title    = hosts that mostly accept connections
requires = classification == "inbound-heavy" || classification == "mixed"
           || classification == "idle"
set      = net.ipv4.tcp_tw_reuse @kernel_default
set      = net.ipv4.tcp_timestamps 1
set      = net.ipv4.ip_local_reserved_ports @reserved_ports
set      = net.ipv4.tcp_max_tw_buckets @tw_buckets
explain  = A server's TIME_WAIT sockets sit on its listening ports and cost no ephemeral
           ports, only memory, so this profile leaves tcp_tw_reuse at the kernel's default
           (loopback only since 4.19), keeps timestamps on, reserves the listening ports that
           lie in the ephemeral range, and gives tcp_max_tw_buckets room (256 bytes per
           socket) so that a busy server never closes connections without TIME_WAIT. The real
           cure for server-side TIME_WAIT is letting clients close first and keep-alive.
reference = Documentation/networking/ip-sysctl.rst: tcp_max_tw_buckets, ip_local_reserved_ports
