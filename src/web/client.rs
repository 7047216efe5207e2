//! The client's address, as sign-in throttling and the audit log see it: the socket's peer,
//! unless that peer is one of the reverse proxies the operator trusts, whose `X-Forwarded-For`
//! then says who they forwarded for. Anyone else could write that header to pass for another
//! address, so it is read from trusted proxies only.

use std::fmt;
use std::net::IpAddr;

use actix_web::HttpRequest;
use serde::de::{self, Deserializer, SeqAccess, Visitor};

/// The reverse proxies whose `X-Forwarded-For` is believed; none by default.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct TrustedProxies(Vec<IpAddr>);

impl TrustedProxies {
    pub fn new(addresses: Vec<IpAddr>) -> TrustedProxies {
        TrustedProxies(addresses)
    }

    fn trusts(&self, address: IpAddr) -> bool {
        self.0.contains(&address)
    }

    /// The client behind `peer`: walking `X-Forwarded-For` from its end (what the nearest proxy
    /// wrote) past the trusted proxies, the first address that is not one. Entries before it
    /// were written by the client itself and prove nothing.
    pub fn client(&self, peer: Option<IpAddr>, forwarded_for: &[&str]) -> Option<IpAddr> {
        let mut client = peer?;
        let mut written = forwarded_for
            .iter()
            .rev()
            .flat_map(|header| header.rsplit(','));
        while self.trusts(client) {
            match written.next().and_then(|entry| entry.trim().parse().ok()) {
                Some(address) => client = address,
                None => break,
            }
        }
        Some(client)
    }

    /// The address of the request's client, as text (`inconnue` without a socket).
    pub fn client_of(&self, req: &HttpRequest) -> String {
        let forwarded: Vec<&str> = req
            .headers()
            .get_all("x-forwarded-for")
            .filter_map(|v| v.to_str().ok())
            .collect();
        self.client(req.peer_addr().map(|a| a.ip()), &forwarded)
            .map_or_else(|| "inconnue".to_owned(), |ip| ip.to_string())
    }
}

/// Written as a list (`["10.0.0.2"]` in the file) or, in the environment, as addresses
/// separated by commas (`SUIVI_SERVER__TRUSTED_PROXIES=10.0.0.2,10.0.0.3`).
impl<'de> serde::Deserialize<'de> for TrustedProxies {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<TrustedProxies, D::Error> {
        deserializer.deserialize_any(AddressesVisitor)
    }
}

struct AddressesVisitor;

const EXPECTED: &str = "des adresses IP (10.0.0.2, ::1), en liste ou séparées par des virgules";

fn address<E: de::Error>(text: &str) -> Result<IpAddr, E> {
    text.trim()
        .parse()
        .map_err(|_| E::invalid_value(de::Unexpected::Str(text), &EXPECTED))
}

impl<'de> Visitor<'de> for AddressesVisitor {
    type Value = TrustedProxies;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(EXPECTED)
    }

    fn visit_str<E: de::Error>(self, text: &str) -> Result<TrustedProxies, E> {
        text.split(',')
            .filter(|part| !part.trim().is_empty())
            .map(address)
            .collect::<Result<_, E>>()
            .map(TrustedProxies)
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut items: A) -> Result<TrustedProxies, A::Error> {
        let mut addresses = Vec::new();
        while let Some(text) = items.next_element::<String>()? {
            addresses.push(address(&text)?);
        }
        Ok(TrustedProxies(addresses))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ip(text: &str) -> IpAddr {
        text.parse().unwrap()
    }

    #[test]
    fn forwarded_addresses_count_only_behind_a_trusted_proxy() {
        let none = TrustedProxies::default();
        let proxy = TrustedProxies::new(vec![ip("10.0.0.2")]);
        let forged = ["198.51.100.9, 203.0.113.7"];

        assert_eq!(
            none.client(Some(ip("10.0.0.2")), &forged),
            Some(ip("10.0.0.2"))
        );
        assert_eq!(
            proxy.client(Some(ip("192.0.2.1")), &forged),
            Some(ip("192.0.2.1"))
        );
        // The proxy appended the address it saw; what the client wrote before it is ignored.
        assert_eq!(
            proxy.client(Some(ip("10.0.0.2")), &forged),
            Some(ip("203.0.113.7"))
        );
        assert_eq!(
            proxy.client(Some(ip("10.0.0.2")), &["garbage"]),
            Some(ip("10.0.0.2"))
        );
    }

    #[test]
    fn chains_of_trusted_proxies_are_walked_through() {
        let proxies = TrustedProxies::new(vec![ip("10.0.0.2"), ip("10.0.0.3")]);
        let headers = ["198.51.100.9", "203.0.113.7, 10.0.0.3"];
        assert_eq!(
            proxies.client(Some(ip("10.0.0.2")), &headers),
            Some(ip("203.0.113.7"))
        );
    }
}
