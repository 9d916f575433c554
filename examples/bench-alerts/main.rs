//! The alert intake benchmark's sender (`benches/alerts.sh` runs it):
//! posts TOTAL Alertmanager webhooks over loopback to a running
//! `incident serve` from SENDERS concurrent keep-alive connections, with
//! IDENTITIES distinct alerts (so most posts are repeats), and prints the
//! throughput, the latency percentiles and how many were answered 2xx as
//! one JSON line.
//!
//!   cargo run --release --example bench-alerts -- ADDR [TOTAL] [IDENTITIES] [SENDERS]

use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::time::{Duration, Instant};

fn payload(identity: usize) -> String {
    let group = identity % 10;
    format!(
        r#"{{"version":"4","groupKey":"{{}}:{{alertname=\"Bench{group}\"}}","truncatedAlerts":0,"status":"firing",
"receiver":"incident","groupLabels":{{"alertname":"Bench{group}"}},"commonLabels":{{}},"commonAnnotations":{{}},
"externalURL":"http://alertmanager:9093","alerts":[{{"status":"firing","labels":{{"alertname":"Bench{group}",
"instance":"host-{identity}:9100","service":"svc-{group}","severity":"critical"}},"annotations":{{"summary":"Bench alert {identity}"}},
"startsAt":"2026-11-23T07:55:00Z","endsAt":"0001-01-01T00:00:00Z","generatorURL":"http://prometheus:9090/graph",
"fingerprint":"bench{identity:011}"}}]}}"#
    )
}

struct Conn {
    addr: String,
    reader: Option<BufReader<TcpStream>>,
}

impl Conn {
    /// One POST on the kept-alive connection (reconnecting when needed);
    /// the status code.
    fn post(&mut self, path: &str, body: &str) -> std::io::Result<u16> {
        if self.reader.is_none() {
            let stream = TcpStream::connect(&self.addr)?;
            stream.set_nodelay(true)?;
            stream.set_read_timeout(Some(Duration::from_secs(60)))?;
            self.reader = Some(BufReader::new(stream));
        }
        let reader = self.reader.as_mut().expect("connected");
        let request = format!(
            "POST {path} HTTP/1.1\r\nHost: {}\r\nContent-Type: application/json\r\nContent-Length: {}\r\n\r\n{body}",
            self.addr,
            body.len()
        );
        let sent = reader.get_mut().write_all(request.as_bytes());
        let answer = sent.and_then(|()| read_response(reader));
        if answer.is_err() {
            self.reader = None;
        }
        answer
    }
}

fn read_response(reader: &mut BufReader<TcpStream>) -> std::io::Result<u16> {
    let mut line = String::new();
    reader.read_line(&mut line)?;
    let status: u16 = line
        .split(' ')
        .nth(1)
        .and_then(|s| s.parse().ok())
        .ok_or_else(|| std::io::Error::other(format!("bad status line {line:?}")))?;
    let mut length = 0usize;
    loop {
        line.clear();
        reader.read_line(&mut line)?;
        if line == "\r\n" || line.is_empty() {
            break;
        }
        if let Some((name, value)) = line.split_once(':')
            && name.eq_ignore_ascii_case("content-length")
        {
            length = value.trim().parse().unwrap_or(0);
        }
    }
    let mut body = vec![0; length];
    reader.read_exact(&mut body)?;
    Ok(status)
}

fn percentile(sorted: &[Duration], p: f64) -> f64 {
    if sorted.is_empty() {
        return 0.0;
    }
    let index = ((sorted.len() as f64 - 1.0) * p).round() as usize;
    sorted[index].as_secs_f64() * 1000.0
}

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let Some(addr) = args.first().cloned() else {
        eprintln!("usage: bench-alerts ADDR [TOTAL] [IDENTITIES] [SENDERS]");
        std::process::exit(2);
    };
    let number = |i: usize, default: usize| args.get(i).and_then(|a| a.parse().ok()).unwrap_or(default);
    let (total, identities, senders) = (number(1, 10_000), number(2, 100), number(3, 8));
    let started = Instant::now();
    let workers: Vec<_> = (0..senders)
        .map(|worker| {
            let addr = addr.clone();
            std::thread::spawn(move || {
                let mut conn = Conn { addr, reader: None };
                let mut latencies = Vec::new();
                let (mut ok, mut failed) = (0usize, 0usize);
                for n in (worker..total).step_by(senders) {
                    let body = payload(n % identities);
                    let t = Instant::now();
                    match conn.post("/alertmanager", &body) {
                        Ok(status) if (200..300).contains(&status) => ok += 1,
                        _ => failed += 1,
                    }
                    latencies.push(t.elapsed());
                }
                (latencies, ok, failed)
            })
        })
        .collect();
    let mut latencies = Vec::with_capacity(total);
    let (mut ok, mut failed) = (0, 0);
    for worker in workers {
        let (l, o, f) = worker.join().expect("a sender thread");
        latencies.extend(l);
        ok += o;
        failed += f;
    }
    let elapsed = started.elapsed().as_secs_f64();
    latencies.sort();
    println!(
        "{{\"total\":{total},\"identities\":{identities},\"senders\":{senders},\"ok\":{ok},\"failed\":{failed},\
         \"seconds\":{elapsed:.3},\"alerts_per_second\":{:.0},\"p50_ms\":{:.2},\"p99_ms\":{:.2},\"max_ms\":{:.2}}}",
        ok as f64 / elapsed,
        percentile(&latencies, 0.50),
        percentile(&latencies, 0.99),
        percentile(&latencies, 1.0)
    );
}
