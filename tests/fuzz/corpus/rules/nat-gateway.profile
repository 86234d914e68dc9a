# Namespaces that translate addresses: gateways, Kubernetes and Docker
# hosts.
[profile nat-gateway]
title    = hosts that translate addresses (gateways, container hosts)
requires = nat.present
set      = net.ipv4.tcp_tw_recycle @kernel_default
set      = net.ipv4.tcp_timestamps 1
set      = net.netfilter.nf_conntrack_tcp_timeout_time_wait 60
set      = net.netfilter.nf_conntrack_max @conntrack_max
explain  = Makes sure tcp_tw_recycle is off where the kernel still has it (it drops connections
           from clients behind NAT), keeps timestamps on, holds closed connections in conntrack
           for 60 s rather than 120 (TCP's own TIME_WAIT length) and gives the conntrack table room
           for twice the entries it holds (never lowering nf_conntrack_max).
           nf_conntrack_max is global on recent kernels and read-only outside the initial
           namespace; there it is skipped and said so.
reference = Documentation/networking/nf_conntrack-sysctl.rst
