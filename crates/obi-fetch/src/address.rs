//! Which IP addresses a fetch may connect to.
//!
//! Only globally routable unicast addresses are public. Everything else (loopback, the private
//! ranges of RFC 1918 and RFC 4193, link-local, unspecified, multicast, broadcast, carrier-grade
//! NAT, documentation, benchmarking and reserved ranges) is refused unless the policy allows the
//! private network. IPv6 addresses that embed an IPv4 address (mapped, compatible, NAT64, 6to4)
//! are judged by the embedded address. Ranges from the IANA special-purpose registries
//! (<https://www.iana.org/assignments/iana-ipv4-special-registry>,
//! <https://www.iana.org/assignments/iana-ipv6-special-registry>).

use std::net::{IpAddr, Ipv4Addr, Ipv6Addr};

/// Whether `ip` is a globally routable unicast address, the only kind a fetch connects to by
/// default.
#[must_use]
pub fn is_public_address(ip: IpAddr) -> bool {
    match ip {
        IpAddr::V4(v4) => is_public_v4(v4),
        IpAddr::V6(v6) => is_public_v6(v6),
    }
}

fn in_v4(ip: Ipv4Addr, net: [u8; 4], prefix: u32) -> bool {
    let mask = if prefix == 0 {
        0
    } else {
        u32::MAX << (32 - prefix)
    };
    (u32::from(ip) & mask) == (u32::from(Ipv4Addr::from(net)) & mask)
}

fn is_public_v4(ip: Ipv4Addr) -> bool {
    const NOT_PUBLIC: &[([u8; 4], u32)] = &[
        ([0, 0, 0, 0], 8),       // "this network", unspecified
        ([10, 0, 0, 0], 8),      // private
        ([100, 64, 0, 0], 10),   // carrier-grade NAT
        ([127, 0, 0, 0], 8),     // loopback
        ([169, 254, 0, 0], 16),  // link-local
        ([172, 16, 0, 0], 12),   // private
        ([192, 0, 0, 0], 24),    // IETF protocol assignments
        ([192, 0, 2, 0], 24),    // documentation TEST-NET-1
        ([192, 88, 99, 0], 24),  // deprecated 6to4 relay anycast
        ([192, 168, 0, 0], 16),  // private
        ([198, 18, 0, 0], 15),   // benchmarking
        ([198, 51, 100, 0], 24), // documentation TEST-NET-2
        ([203, 0, 113, 0], 24),  // documentation TEST-NET-3
        ([224, 0, 0, 0], 4),     // multicast
        ([240, 0, 0, 0], 4),     // reserved, and 255.255.255.255 broadcast
    ];
    !NOT_PUBLIC
        .iter()
        .any(|&(net, prefix)| in_v4(ip, net, prefix))
}

fn in_v6(ip: Ipv6Addr, net: [u16; 8], prefix: u32) -> bool {
    let mask = if prefix == 0 {
        0
    } else {
        u128::MAX << (128 - prefix)
    };
    (u128::from(ip) & mask) == (u128::from(Ipv6Addr::from(net)) & mask)
}

fn embedded_v4(bits: u128) -> Ipv4Addr {
    // The low 32 bits; truncation is the point.
    #[allow(clippy::cast_possible_truncation)] // the low 32 bits are the embedded address
    Ipv4Addr::from(bits as u32)
}

fn is_public_v6(ip: Ipv6Addr) -> bool {
    let bits = u128::from(ip);
    // ::ffff:0:0/96 (mapped), 64:ff9b::/96 (NAT64): judge the embedded IPv4 address.
    if in_v6(ip, [0, 0, 0, 0, 0, 0xffff, 0, 0], 96)
        || in_v6(ip, [0x64, 0xff9b, 0, 0, 0, 0, 0, 0], 96)
    {
        return is_public_v4(embedded_v4(bits));
    }
    // 2002::/16 (6to4): the IPv4 address is bits 16..48.
    if in_v6(ip, [0x2002, 0, 0, 0, 0, 0, 0, 0], 16) {
        #[allow(clippy::cast_possible_truncation)] // 32 bits after the 16-bit prefix
        let v4 = Ipv4Addr::from((bits >> 80) as u32);
        return is_public_v4(v4);
    }
    // Only global unicast 2000::/3 is routable; ::, ::1, ::/96 (compatible), fc00::/7 (unique
    // local), fe80::/10 (link-local), fec0::/10 (site-local), ff00::/8 (multicast) all fall
    // outside it.
    if !in_v6(ip, [0x2000, 0, 0, 0, 0, 0, 0, 0], 3) {
        return false;
    }
    const NOT_PUBLIC: &[([u16; 8], u32)] = &[
        ([0x2001, 0, 0, 0, 0, 0, 0, 0], 23), // IETF protocol assignments (Teredo, ORCHID...)
        ([0x2001, 0xdb8, 0, 0, 0, 0, 0, 0], 32), // documentation
        ([0x3fff, 0, 0, 0, 0, 0, 0, 0], 20), // documentation
        ([0x5f00, 0, 0, 0, 0, 0, 0, 0], 16), // segment routing SIDs
    ];
    !NOT_PUBLIC
        .iter()
        .any(|&(net, prefix)| in_v6(ip, net, prefix))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn public(s: &str) -> bool {
        is_public_address(s.parse().unwrap())
    }

    #[test]
    fn private_and_reserved_are_not_public() {
        for s in [
            "0.0.0.0",
            "127.0.0.1",
            "127.255.255.254",
            "10.1.2.3",
            "172.16.0.1",
            "172.31.255.255",
            "192.168.1.1",
            "169.254.169.254",
            "100.64.0.1",
            "100.127.255.255",
            "192.0.2.1",
            "198.51.100.7",
            "203.0.113.9",
            "198.18.0.1",
            "224.0.0.1",
            "239.255.255.250",
            "240.0.0.1",
            "255.255.255.255",
            "::",
            "::1",
            "::127.0.0.1",
            "::ffff:127.0.0.1",
            "::ffff:10.0.0.1",
            "64:ff9b::a00:1",
            "2002:7f00:1::",
            "fc00::1",
            "fd12:3456::1",
            "fe80::1",
            "fec0::1",
            "ff02::1",
            "2001:db8::1",
            "2001::1",
            "3fff::1",
            "100::1",
        ] {
            assert!(!public(s), "{s} must not be public");
        }
    }

    #[test]
    fn global_unicast_is_public() {
        for s in [
            "1.1.1.1",
            "8.8.8.8",
            "172.15.255.255",
            "172.32.0.1",
            "100.63.255.255",
            "100.128.0.1",
            "192.169.0.1",
            "2606:4700::1111",
            "2a00:1450:4001::200e",
            "::ffff:8.8.8.8",
            "64:ff9b::808:808",
            "2002:808:808::1",
        ] {
            assert!(public(s), "{s} must be public");
        }
    }

    proptest::proptest! {
        #[test]
        fn mapped_v6_agrees_with_v4(a: u32) {
            let v4 = Ipv4Addr::from(a);
            proptest::prop_assert_eq!(
                is_public_address(IpAddr::V4(v4)),
                is_public_address(IpAddr::V6(v4.to_ipv6_mapped()))
            );
        }

        #[test]
        fn rfc1918_never_public(b: u8, c: u8, d: u8, e in 16u8..32) {
            proptest::prop_assert!(!is_public_address(IpAddr::V4(Ipv4Addr::new(10, b, c, d))));
            proptest::prop_assert!(!is_public_address(IpAddr::V4(Ipv4Addr::new(172, e, c, d))));
            proptest::prop_assert!(!is_public_address(IpAddr::V4(Ipv4Addr::new(192, 168, c, d))));
        }
    }
}
