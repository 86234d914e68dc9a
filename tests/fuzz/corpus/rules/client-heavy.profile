# Hosts that open many short outbound connections: API clients, proxies,
# crawlers, health checkers.
[profile client-heavy]
title    = hosts that open many short outbound connections
requires = classification == "outbound-heavy" && net.ipv4.tcp_timestamps != 0
set      = net.ipv4.tcp_tw_reuse 1
set      = net.ipv4.ip_local_port_range @wider_port_range(10000)
set      = net.ipv4.ip_local_reserved_ports @reserved_ports
explain  = Lets connect() take over TIME_WAIT sockets toward the same destination when TCP
           timestamps make it safe (tcp_tw_reuse = 1), widens the ephemeral range upward to
           65535 and, only when that leaves less than four times the ports in use, downward
           to port 10000 at the lowest (never into Kubernetes' NodePorts), and reserves the
           listening ports the range covers so no client socket can take a service's port. Applied only to
           hosts classified outbound-heavy with timestamps on (--force overrides; tcp_tw_reuse
           does nothing for connections a host accepts).
reference = Documentation/networking/ip-sysctl.rst: tcp_tw_reuse, ip_local_port_range
