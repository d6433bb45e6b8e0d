//! `pathsim classroom` as a teacher starts it: the binary listens, prints its
//! address, serves the page and answers, and says clearly when it cannot.

use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::process::{Child, Command, Stdio};

fn pathsim() -> Command {
    let mut c = Command::new(env!("CARGO_BIN_EXE_pathsim"));
    c.current_dir(env!("CARGO_MANIFEST_DIR"));
    c
}

/// A server on a free port, stopped when dropped.
struct Server {
    child: Child,
    addr: String,
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn start() -> Server {
    let mut child = pathsim()
        .args([
            "classroom",
            "--port",
            "0",
            "--quiet",
            "--scale",
            "20000",
            "--replicates",
            "2",
            "--point",
        ])
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut line = String::new();
    BufReader::new(child.stdout.take().unwrap())
        .read_line(&mut line)
        .unwrap();
    let addr = line
        .split("http://")
        .nth(1)
        .and_then(|r| r.split('/').next())
        .unwrap_or_else(|| panic!("no address in {line:?}"))
        .to_string();
    Server { child, addr }
}

/// (status, body) of one GET.
fn get(addr: &str, target: &str) -> (u16, String) {
    let mut s = TcpStream::connect(addr).unwrap();
    write!(
        s,
        "GET {target} HTTP/1.1\r\nHost: {addr}\r\nConnection: close\r\n\r\n"
    )
    .unwrap();
    let mut raw = String::new();
    s.read_to_string(&mut raw).unwrap();
    let status = raw
        .split_whitespace()
        .nth(1)
        .and_then(|c| c.parse().ok())
        .unwrap();
    let body = raw.split_once("\r\n\r\n").map_or("", |b| b.1).to_string();
    (status, body)
}

#[test]
fn the_server_prints_its_address_and_serves_the_page_and_answers() {
    let server = start();
    assert!(server.addr.starts_with("127.0.0.1:"), "{}", server.addr);
    let (status, page) = get(&server.addr, "/");
    assert_eq!(status, 200);
    assert!(page.contains("What if we changed"), "{page}");
    assert!(page.contains("\"id\":\"dropout\""));

    let (status, body) = get(&server.addr, "/api/simulate?dropout=50");
    assert_eq!(status, 200, "{body}");
    let v: serde_json::Value = serde_json::from_str(&body).unwrap();
    assert_eq!(v["settings"]["dropout"], 50.0);
    assert_eq!(v["replicates"], 2);
    assert_eq!(v["outcomes"][0]["id"], "reconvicted");
    // The headline's number is the first card's change, rounded as the page shows it.
    let change = v["outcomes"][0]["change"][0].as_f64().unwrap();
    assert_eq!(v["headline_change"].as_f64().unwrap(), change);

    let (status, body) = get(&server.addr, "/api/simulate?dropout=300");
    assert_eq!(status, 400);
    assert!(
        body.contains("setting `dropout` must be between 25 and 200"),
        "{body}"
    );
    let (status, body) = get(&server.addr, "/nothing-here");
    assert_eq!(status, 404);
    assert!(body.contains("/api/simulate"), "{body}");
}

#[test]
fn a_port_in_use_is_an_input_error_naming_the_flag() {
    let taken = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let port = taken.local_addr().unwrap().port().to_string();
    let out = pathsim()
        .args(["classroom", "--port", &port, "--point"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8(out.stderr).unwrap();
    assert!(err.contains(&format!("--port {port}")), "{err}");
    let out = pathsim()
        .args(["classroom", "--bind", "not-an-address"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("--bind"));
}
