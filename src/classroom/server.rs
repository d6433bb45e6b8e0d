//! The classroom's HTTP server (`tiny_http`): the page at `/`, the sliders at
//! `/api/controls` and an answer at `/api/simulate?dropout=50&...`.
//!
//! One simulation runs at a time (it uses every worker thread), and a client
//! (an address) has at most one waiting or running: a second request while its
//! first is under way gets 429 and the page sends its latest settings when the
//! first answer arrives. Errors are JSON `{"error": "..."}` with a status that
//! says what went wrong (400 bad settings, 404 no such page, 405 not GET, 414 too
//! long, 429 busy, 500 a failure in the simulation).

use super::{controls_json, simulate, Settings};
use crate::params::Params;
use serde_json::{json, Value};
use std::collections::HashSet;
use std::io::Write;
use std::net::{IpAddr, SocketAddr};
use std::sync::{Arc, Mutex};

/// Longest request target accepted (a full set of settings is under 100 bytes).
const MAX_URL: usize = 1024;

/// What the server needs to answer requests.
pub struct Classroom {
    pub base: Params,
    /// The parameter sets the replicates are spread over (as for `run`).
    pub sets: Vec<Params>,
    pub pool: rayon::ThreadPool,
    /// Clients with a simulation waiting or running.
    busy: Mutex<HashSet<IpAddr>>,
    /// Held while a simulation runs: one at a time.
    running: Mutex<()>,
    page: String,
}

impl Classroom {
    pub fn new(base: Params, sets: Vec<Params>, pool: rayon::ThreadPool) -> Classroom {
        let page = page(&base);
        Classroom {
            base,
            sets,
            pool,
            busy: Mutex::new(HashSet::new()),
            running: Mutex::new(()),
            page,
        }
    }

    /// Answer one request: (status, content type, body).
    pub fn respond(&self, method: &str, url: &str, client: IpAddr) -> (u16, &'static str, Vec<u8>) {
        const JSON: &str = "application/json; charset=utf-8";
        let error = |status: u16, message: String| {
            (
                status,
                JSON,
                json!({ "error": message }).to_string().into_bytes(),
            )
        };
        if url.len() > MAX_URL {
            return error(
                414,
                format!("the address is longer than {MAX_URL} characters"),
            );
        }
        if method != "GET" {
            return error(
                405,
                format!("{method} is not supported: the classroom page only reads (GET)"),
            );
        }
        let (path, query) = url.split_once('?').unwrap_or((url, ""));
        match path {
            "/" | "/index.html" => (
                200,
                "text/html; charset=utf-8",
                self.page.clone().into_bytes(),
            ),
            "/favicon.ico" => (204, "text/plain", Vec::new()),
            "/api/controls" => (
                200,
                JSON,
                controls_json(&self.base).to_string().into_bytes(),
            ),
            "/api/simulate" => {
                let settings = match Settings::from_query(query, &self.base) {
                    Ok(s) => s,
                    Err(e) => return error(400, e),
                };
                let Some(_turn) = Turn::take(&self.busy, client) else {
                    return error(
                        429,
                        "a simulation for this browser is already running: wait for its answer"
                            .into(),
                    );
                };
                let answer = {
                    let _one_at_a_time = self.running.lock().unwrap_or_else(|e| e.into_inner());
                    std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
                        self.pool
                            .install(|| simulate(&self.base, &self.sets, &settings))
                    }))
                };
                match answer {
                    Ok(a) => (200, JSON, a.to_json(&self.base).to_string().into_bytes()),
                    Err(_) => error(
                        500,
                        "the simulation failed; see the server's terminal".into(),
                    ),
                }
            }
            other => error(
                404,
                format!(
                    "no page `{other}`: the classroom serves / and /api/simulate?dropout=50&..."
                ),
            ),
        }
    }
}

/// A client's turn: taken if the client has none under way, given back when dropped.
struct Turn<'a> {
    busy: &'a Mutex<HashSet<IpAddr>>,
    client: IpAddr,
}

impl<'a> Turn<'a> {
    fn take(busy: &'a Mutex<HashSet<IpAddr>>, client: IpAddr) -> Option<Turn<'a>> {
        let fresh = busy
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .insert(client);
        // Built only when taken: a Turn dropped here would give back another's.
        if fresh {
            Some(Turn { busy, client })
        } else {
            None
        }
    }
}

impl Drop for Turn<'_> {
    fn drop(&mut self) {
        let mut set = self.busy.lock().unwrap_or_else(|e| e.into_inner());
        set.remove(&self.client);
    }
}

/// The page, with the sliders' declarations in it (so it needs no other request
/// to draw them).
fn page(base: &Params) -> String {
    let controls = controls_json(base).to_string().replace("</", "<\\/");
    include_str!("page.html").replace("/*CONTROLS*/[]", &controls)
}

/// Where the server listens and what it simulates.
pub struct Listen {
    pub bind: IpAddr,
    pub port: u16,
    pub quiet: bool,
}

/// Serve until the process is stopped (Ctrl-C). Prints the page's address
/// first (and flushes it, so a script can read it).
pub fn serve(classroom: Classroom, listen: &Listen) -> Result<(), crate::error::CliError> {
    let addr = SocketAddr::new(listen.bind, listen.port);
    let server = tiny_http::Server::http(addr).map_err(|e| {
        crate::error::CliError::Input(format!(
            "cannot listen on {addr} (--bind {}, --port {}): {e}",
            listen.bind, listen.port
        ))
    })?;
    let bound = server
        .server_addr()
        .to_ip()
        .ok_or_else(|| crate::error::CliError::Input(format!("cannot listen on {addr}")))?;
    let host = if bound.ip().is_unspecified() {
        IpAddr::from([127, 0, 0, 1])
    } else {
        bound.ip()
    };
    let mut out = std::io::stdout();
    let _ = writeln!(
        out,
        "pathsim classroom: open http://{}/ in a browser",
        SocketAddr::new(host, bound.port())
    );
    if bound.ip().is_unspecified() {
        if let Some(lan) = lan_address() {
            let _ = writeln!(
                out,
                "  students on the same network: http://{}/",
                SocketAddr::new(lan, bound.port())
            );
        }
    } else if !listen.quiet && bound.ip().is_loopback() {
        let _ = writeln!(
            out,
            "  only this computer can open it; to let students open it from their own devices: --bind 0.0.0.0"
        );
    }
    if !listen.quiet {
        let _ = writeln!(
            out,
            "  each change runs {} replicates at scale {} (one simulated person for {} real people); Ctrl-C stops the server",
            classroom.base.run.replicates, classroom.base.run.scale, classroom.base.run.scale
        );
    }
    let _ = out.flush();
    let classroom = Arc::new(classroom);
    for request in server.incoming_requests() {
        let c = Arc::clone(&classroom);
        std::thread::spawn(move || {
            let client = request
                .remote_addr()
                .map_or(IpAddr::from([0, 0, 0, 0]), |a| a.ip());
            let method = request.method().as_str().to_string();
            let (status, kind, body) = c.respond(&method, request.url(), client);
            let header = tiny_http::Header::from_bytes(&b"Content-Type"[..], kind.as_bytes())
                .expect("a valid header");
            let no_store = tiny_http::Header::from_bytes(&b"Cache-Control"[..], &b"no-store"[..])
                .expect("a valid header");
            let response = tiny_http::Response::from_data(body)
                .with_status_code(status)
                .with_header(header)
                .with_header(no_store);
            // A client that went away is not the server's problem.
            let _ = request.respond(response);
        });
    }
    Ok(())
}

/// This computer's address on its network, as students would type it: the
/// local end of a UDP socket "connected" to a documentation address (no packet
/// is sent).
fn lan_address() -> Option<IpAddr> {
    let s = std::net::UdpSocket::bind("0.0.0.0:0").ok()?;
    s.connect("192.0.2.1:9").ok()?;
    let ip = s.local_addr().ok()?.ip();
    (!ip.is_unspecified() && !ip.is_loopback()).then_some(ip)
}

/// The JSON an error response carries (for tests and the command line).
pub fn error_message(body: &[u8]) -> Option<String> {
    let v: Value = serde_json::from_slice(body).ok()?;
    v["error"].as_str().map(str::to_string)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn classroom() -> Classroom {
        let mut p = crate::params::baseline();
        p.run.scale = 20000.0;
        p.run.replicates = 2;
        let pool = rayon::ThreadPoolBuilder::new()
            .num_threads(1)
            .build()
            .unwrap();
        Classroom::new(p.clone(), vec![p], pool)
    }

    const HOME: IpAddr = IpAddr::V4(std::net::Ipv4Addr::LOCALHOST);

    #[test]
    fn the_page_carries_its_sliders_and_nothing_from_elsewhere() {
        let c = classroom();
        let (status, kind, body) = c.respond("GET", "/", HOME);
        assert_eq!((status, kind), (200, "text/html; charset=utf-8"));
        let html = String::from_utf8(body).unwrap();
        assert!(!html.contains("/*CONTROLS*/"));
        for ctl in super::super::CONTROLS {
            assert!(
                html.contains(&format!("\"id\":\"{}\"", ctl.id)),
                "{}",
                ctl.id
            );
        }
        // Works offline: no address but the SVG namespace, nothing fetched.
        let lower = html
            .to_ascii_lowercase()
            .replace("\"http://www.w3.org/2000/svg\"", "");
        assert!(!lower.contains("http://") && !lower.contains("https://"));
        for fetched in ["<link", "src=", "@import", "url("] {
            assert!(!lower.contains(fetched), "{fetched}");
        }
    }

    #[test]
    fn bad_requests_get_a_status_and_a_message() {
        let c = classroom();
        let msg = |method: &str, url: &str| {
            let (status, _, body) = c.respond(method, url, HOME);
            (status, error_message(&body).unwrap_or_default())
        };
        let (s, m) = msg("GET", "/api/simulate?dropout=abc");
        assert_eq!(s, 400);
        assert!(
            m.contains("setting `dropout`: `abc` is not a number"),
            "{m}"
        );
        let (s, m) = msg("GET", "/api/simulate?colour=red");
        assert_eq!(s, 400);
        assert!(m.contains("unknown setting `colour`"), "{m}");
        assert_eq!(msg("GET", "/nope").0, 404);
        assert!(msg("GET", "/nope").1.contains("/api/simulate"));
        assert_eq!(msg("POST", "/api/simulate").0, 405);
        let long = format!("/api/simulate?{}", "a".repeat(2000));
        assert_eq!(msg("GET", &long).0, 414);
        assert_eq!(c.respond("GET", "/favicon.ico", HOME).0, 204);
    }

    #[test]
    fn a_client_has_one_simulation_at_a_time() {
        let c = classroom();
        let first = Turn::take(&c.busy, HOME).expect("a first turn");
        let (status, _, body) = c.respond("GET", "/api/simulate?dropout=50", HOME);
        assert_eq!(status, 429);
        assert!(error_message(&body).unwrap().contains("already running"));
        // Another client is not held up by it.
        let other = IpAddr::from([10, 0, 0, 2]);
        assert!(Turn::take(&c.busy, other).is_some());
        drop(first);
        let (status, _, body) = c.respond("GET", "/api/simulate?dropout=50", HOME);
        assert_eq!(status, 200, "{}", String::from_utf8_lossy(&body));
        let v: Value = serde_json::from_slice(&body).unwrap();
        assert_eq!(v["settings"]["dropout"], 50.0);
        assert!(c.busy.lock().unwrap().is_empty(), "the turn is given back");
    }
}
