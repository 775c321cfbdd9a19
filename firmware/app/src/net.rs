//! Bringing the network up: DHCP first, a static address if no DHCP
//! server answers (a dongle on a bench cable to a laptop has none).

use embassy_net::{ConfigV4, Ipv4Cidr, Stack, StaticConfigV4};
use embassy_time::{with_timeout, Duration};

/// The address to fall back to.
#[derive(Debug, Clone, Copy)]
pub struct Fallback {
    /// Address and prefix.
    pub address: Ipv4Cidr,
    /// Default gateway, if any.
    pub gateway: Option<embassy_net::Ipv4Address>,
}

/// Wait for DHCP for `dhcp_wait`; on no answer, configure `fallback`.
/// The stack must have been created with `Config::dhcpv4`. Returns the
/// address in use.
pub async fn configure(stack: Stack<'_>, dhcp_wait: Duration, fallback: Fallback) -> Ipv4Cidr {
    if with_timeout(dhcp_wait, stack.wait_config_up())
        .await
        .is_err()
    {
        crate::log::warning!(
            "no DHCP answer; using the static fallback {}",
            fallback.address
        );
        stack.set_config_v4(ConfigV4::Static(StaticConfigV4 {
            address: fallback.address,
            gateway: fallback.gateway,
            dns_servers: heapless::Vec::new(),
        }));
        stack.wait_config_up().await;
    }
    match stack.config_v4() {
        Some(c) => c.address,
        None => fallback.address,
    }
}
