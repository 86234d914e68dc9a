# Undo any tuning: the TIME_WAIT knobs as this kernel sets them itself.
[profile kernel-defaults]
title    = the TIME_WAIT knobs as this kernel sets them
set      = net.ipv4.tcp_tw_reuse @kernel_default
set      = net.ipv4.tcp_tw_recycle @kernel_default
set      = net.ipv4.ip_local_port_range @kernel_default
set      = net.ipv4.ip_local_reserved_ports @kernel_default
set      = net.ipv4.tcp_max_tw_buckets @kernel_default
set      = net.ipv4.tcp_fin_timeout @kernel_default
set      = net.ipv4.tcp_timestamps @kernel_default
set      = net.ipv4.tcp_tw_reuse_delay @kernel_default
set      = net.netfilter.nf_conntrack_tcp_timeout_time_wait @kernel_default
explain  = Each key goes back to the value this kernel version chooses at boot: tcp_tw_reuse 2
           (0 before 4.19), ip_local_port_range 32768 60999 (61000 before 4.6), no reserved
           ports, tcp_max_tw_buckets half the established hash table (tcp_ehash_entries on
           6.1+; before 6.1, tcp_max_orphans, which the kernel sets to the same half at boot
           and shows in the initial namespace only; where neither can be read the key is
           left as it is and the reason said),
           tcp_fin_timeout 60, tcp_timestamps 1, tcp_tw_reuse_delay 1000 ms (6.14+),
           conntrack's TIME_WAIT 120 s. Keys this kernel lacks are left out.
reference = Documentation/networking/ip-sysctl.rst
