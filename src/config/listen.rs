//! Listen addresses as people write them: `127.0.0.1:8080`, `[::1]:8080`, `0.0.0.0:8080`,
//! and also `localhost:8080` (loopback) and `:8080` (every interface, as Go servers and
//! many configs write it).

use std::net::{IpAddr, Ipv4Addr, SocketAddr};

/// Parses a listen address; the error says what forms are accepted.
pub fn parse_listen(s: &str) -> Result<SocketAddr, String> {
    let s = s.trim();
    if let Ok(addr) = s.parse::<SocketAddr>() {
        return Ok(addr);
    }
    let bad = || {
        format!(
            "{s:?} is not an address like \"127.0.0.1:8080\", \"[::1]:8080\", \"localhost:8080\" or \":8080\""
        )
    };
    let (host, port) = s.rsplit_once(':').ok_or_else(bad)?;
    let port: u16 = port.parse().map_err(|_| bad())?;
    let ip = match host {
        "" => IpAddr::V4(Ipv4Addr::UNSPECIFIED),
        h if h.eq_ignore_ascii_case("localhost") => IpAddr::V4(Ipv4Addr::LOCALHOST),
        _ => return Err(bad()),
    };
    Ok(SocketAddr::new(ip, port))
}

/// The `[server] listen` of the file at `path` as far as it can be read when the file as a
/// whole is invalid (a best effort for finding the daemon), else the default address.
pub fn listen_in(path: &std::path::Path) -> SocketAddr {
    server_key_in(path, "listen")
        .and_then(|v| parse_listen(&v).ok())
        .unwrap_or_else(|| SocketAddr::from(([127, 0, 0, 1], 8080)))
}

/// A string `key = "value"` of `[server]` in the file at `path`, read line by line, for a
/// file that as a whole does not parse.
pub fn server_key_in(path: &std::path::Path, key: &str) -> Option<String> {
    let text = std::fs::read_to_string(path).ok()?;
    let mut in_server = false;
    for line in text.lines() {
        let line = line.trim();
        if line.starts_with('[') {
            in_server = line.trim_start_matches('[').trim_end_matches(']').trim() == "server";
        } else if let Some(v) = in_server.then(|| line.strip_prefix(key)).flatten() {
            let Some(v) = v.trim_start().strip_prefix('=') else {
                continue;
            };
            let v = v.split('#').next().unwrap_or("").trim().trim_matches('"');
            if !v.is_empty() {
                return Some(v.to_owned());
            }
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::parse_listen;

    #[test]
    fn the_forms_people_write() {
        for (s, want) in [
            ("127.0.0.1:8080", "127.0.0.1:8080"),
            ("[::1]:8080", "[::1]:8080"),
            ("localhost:9000", "127.0.0.1:9000"),
            (":8080", "0.0.0.0:8080"),
            (" 0.0.0.0:80 ", "0.0.0.0:80"),
        ] {
            assert_eq!(parse_listen(s).unwrap().to_string(), want, "{s}");
        }
        for s in ["8080", "localhost", "example.org:80", ":99999", ""] {
            assert!(parse_listen(s).is_err(), "{s}");
        }
    }
}
