//! Who is asking: the client's address, believing `X-Forwarded-For` only from trusted proxies
//! (`CARRIED_TRUSTED_PROXIES`), so a hall behind one proxy is not one client and a client cannot claim
//! another's address.

use std::net::IpAddr;

use actix_web::HttpRequest;

/// The client address of a request whose TCP peer is `peer`: the peer itself, unless the peer is a trusted
/// proxy, in which case the right-most address in `X-Forwarded-For` that is not itself a trusted proxy.
pub fn client_ip(peer: Option<IpAddr>, forwarded_for: &[&str], trusted: &[ipnet::IpNet]) -> Option<IpAddr> {
    let peer = peer?;
    let is_trusted = |ip: &IpAddr| trusted.iter().any(|n| n.contains(ip));
    if !is_trusted(&peer) {
        return Some(peer);
    }
    let mut chain: Vec<IpAddr> = Vec::new();
    for header in forwarded_for {
        for part in header.split(',') {
            match part.trim().parse::<IpAddr>() {
                Ok(ip) => chain.push(ip),
                // An unreadable hop: believe nothing to its left.
                Err(_) => chain.clear(),
            }
        }
    }
    Some(chain.into_iter().rev().find(|ip| !is_trusted(ip)).unwrap_or(peer))
}

/// The key a client is counted under: its address, or its /64 network for IPv6 (one host holds a /64).
pub fn client_key(ip: Option<IpAddr>) -> String {
    match ip {
        Some(IpAddr::V4(v4)) => v4.to_string(),
        Some(IpAddr::V6(v6)) => match v6.to_ipv4_mapped() {
            Some(v4) => v4.to_string(),
            None => {
                let s = v6.segments();
                format!("{:x}:{:x}:{:x}:{:x}::/64", s[0], s[1], s[2], s[3])
            }
        },
        None => "unknown".to_string(),
    }
}

/// The client key of a request under the service's trusted-proxy setting.
pub fn client_of(req: &HttpRequest, trusted: &[ipnet::IpNet]) -> String {
    let forwarded: Vec<&str> = req.headers().get_all("x-forwarded-for").filter_map(|v| v.to_str().ok()).collect();
    client_key(client_ip(req.peer_addr().map(|a| a.ip()), &forwarded, trusted))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ip(s: &str) -> IpAddr {
        s.parse().expect("ip")
    }

    #[test]
    fn forwarded_for_is_believed_only_from_trusted_proxies() {
        let trusted: Vec<ipnet::IpNet> = vec!["10.0.0.0/8".parse().expect("net")];
        // An untrusted peer: its header is ignored.
        assert_eq!(client_ip(Some(ip("203.0.113.9")), &["1.2.3.4"], &trusted), Some(ip("203.0.113.9")));
        // A trusted proxy: the right-most untrusted hop, whatever the client prepended.
        assert_eq!(
            client_ip(Some(ip("10.0.0.2")), &["6.6.6.6, 198.51.100.7, 10.0.0.5"], &trusted),
            Some(ip("198.51.100.7"))
        );
        assert_eq!(client_ip(Some(ip("10.0.0.2")), &["198.51.100.7", "10.1.1.1"], &trusted), Some(ip("198.51.100.7")));
        // Nothing usable: the proxy itself.
        assert_eq!(client_ip(Some(ip("10.0.0.2")), &["rubbish"], &trusted), Some(ip("10.0.0.2")));
        assert_eq!(client_ip(Some(ip("10.0.0.2")), &[], &trusted), Some(ip("10.0.0.2")));
        // Nothing trusted: the peer, always.
        assert_eq!(client_ip(Some(ip("10.0.0.2")), &["198.51.100.7"], &[]), Some(ip("10.0.0.2")));
    }

    #[test]
    fn ipv6_clients_count_by_their_64() {
        assert_eq!(client_key(Some(ip("2001:db8:1:2:3:4:5:6"))), "2001:db8:1:2::/64");
        assert_eq!(client_key(Some(ip("2001:db8:1:2:ffff::1"))), "2001:db8:1:2::/64");
        assert_eq!(client_key(Some(ip("::ffff:192.0.2.1"))), "192.0.2.1");
        assert_eq!(client_key(None), "unknown");
    }
}
