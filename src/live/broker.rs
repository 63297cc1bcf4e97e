//! The broker's address and the connection to it. `mqtt://[user[:password]@]host[:port]`
//! (port 1883 by default), or `mqtts://…` for TLS (port 8883; the broker's
//! certificate checked against a CA file, or the system's roots); the
//! password may instead come from `FACTORY_TWIN_MQTT_PASSWORD`, and is never
//! printed. The connection is
//! driven on its own thread: when the broker is down (at the start or
//! later) it says so once, retries with a backoff from 0.5 s to 8 s, and
//! says when it is back.

use rumqttc::{
    Client, Connection, ConnectionError, Event, LastWill, MqttOptions, Packet, QoS,
    TlsConfiguration, Transport,
};
use std::path::Path;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::mpsc::{Receiver, SyncSender, sync_channel};
use std::time::Duration;

/// A broker's address, as given.
#[derive(Clone, PartialEq)]
pub struct Url {
    pub host: String,
    pub port: u16,
    pub user: Option<String>,
    pub password: Option<String>,
    /// `mqtts://`: TLS.
    pub tls: bool,
}

impl std::fmt::Debug for Url {
    // Never the password.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{self}")
    }
}

impl std::fmt::Display for Url {
    // Never the password.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let scheme = if self.tls { "mqtts" } else { "mqtt" };
        match &self.user {
            Some(u) => write!(f, "{scheme}://{u}@{}:{}", self.host, self.port),
            None => write!(f, "{scheme}://{}:{}", self.host, self.port),
        }
    }
}

impl Url {
    /// Reads `mqtt[s]://[user[:password]@]host[:port]`; the error says what is wrong.
    pub fn parse(s: &str) -> Result<Url, String> {
        let (rest, tls) = if let Some(r) = s.strip_prefix("mqtt://") {
            (r, false)
        } else if let Some(r) = s.strip_prefix("mqtts://") {
            (r, true)
        } else {
            return Err(format!(
                "\"{}\" is not an MQTT address: write mqtt://host:port (e.g. mqtt://localhost:1883), or mqtts:// for TLS",
                redact(s)
            ));
        };
        let rest = rest.trim_end_matches('/');
        let (user, password, hostport) = split_login(rest);
        let password = password.or_else(|| std::env::var("FACTORY_TWIN_MQTT_PASSWORD").ok());
        let (host, port) = match hostport.rsplit_once(':') {
            Some((h, p)) => (
                h,
                p.parse::<u16>().map_err(|_| {
                    format!(
                        "{}: the port \"{p}\" is not a number from 1 to 65535",
                        redact(s)
                    )
                })?,
            ),
            None => (hostport, if tls { 8883 } else { 1883 }),
        };
        if host.is_empty() {
            return Err(format!("{}: no host", redact(s)));
        }
        Ok(Url {
            host: host.to_string(),
            port,
            user,
            password,
            tls,
        })
    }

    /// The client's options: its id, a keep-alive, the login, TLS with the
    /// CA file `ca` (or the system's roots), and a last will when given
    /// (topic, payload, retained). The error names a CA file that cannot be
    /// read.
    pub fn options(
        &self,
        client_id: &str,
        will: Option<(String, String)>,
        ca: Option<&Path>,
    ) -> Result<MqttOptions, String> {
        let mut o = MqttOptions::new(client_id, &self.host, self.port);
        if self.tls {
            // One crypto provider for the process (ring: no C toolchain
            // beyond cc); a second install is refused harmlessly.
            let _ = rustls::crypto::ring::default_provider().install_default();
            let path = ca.unwrap_or(Path::new(SYSTEM_ROOTS));
            let pem = std::fs::read(path).map_err(|e| {
                format!(
                    "cannot read the CA certificates {} for {self}: {e}{}",
                    path.display(),
                    if ca.is_none() {
                        " (give the broker's CA with --mqtt-ca FILE.pem)"
                    } else {
                        ""
                    }
                )
            })?;
            o.set_transport(Transport::tls_with_config(TlsConfiguration::Simple {
                ca: pem,
                alpn: None,
                client_auth: None,
            }));
        }
        o.set_keep_alive(Duration::from_secs(10));
        o.set_max_packet_size(1 << 20, 1 << 20);
        if let Some(u) = &self.user {
            o.set_credentials(u, self.password.clone().unwrap_or_default());
        }
        if let Some((topic, payload)) = will {
            o.set_last_will(LastWill::new(topic, payload, QoS::AtLeastOnce, true));
        }
        Ok(o)
    }
}

/// Debian's bundle of the system's trusted roots.
const SYSTEM_ROOTS: &str = "/etc/ssl/certs/ca-certificates.crt";

/// `user[:password]@host…` as its user, its password and the rest.
pub(super) fn split_login(rest: &str) -> (Option<String>, Option<String>, &str) {
    let Some((login, hostport)) = rest.rsplit_once('@') else {
        return (None, None, rest);
    };
    match login.split_once(':') {
        Some((u, p)) => (Some(u.to_string()), Some(p.to_string()), hostport),
        None => (Some(login.to_string()), None, hostport),
    }
}

/// An address with its password blanked, for messages.
pub(super) fn redact(s: &str) -> String {
    match (s.find("://"), s.rfind('@')) {
        (Some(a), Some(b)) if b > a => {
            let login = &s[a + 3..b];
            match login.split_once(':') {
                Some((u, _)) => format!("{}{u}:***{}", &s[..a + 3], &s[b..]),
                None => s.to_string(),
            }
        }
        _ => s.to_string(),
    }
}

/// Messages received and not yet handled before the connection stops reading.
pub const INCOMING: usize = 100_000;

/// What the connection thread tells its owner.
#[derive(Debug)]
pub enum News {
    /// Connected (again): `true` the first time.
    Connected { first: bool },
    /// The connection dropped or could not be made.
    Lost,
    /// A message arrived; `retained`: the broker's stored copy, sent on
    /// subscribing (it may be old).
    Message {
        topic: String,
        payload: Vec<u8>,
        retained: bool,
    },
}

/// A client whose connection runs on its own thread.
pub struct Link {
    pub client: Client,
    pub news: Receiver<News>,
    /// At-least-once messages the broker has acknowledged.
    pub acked: Arc<AtomicU64>,
    /// Set by `close`: stop retrying.
    closing: Arc<AtomicBool>,
    thread: Option<std::thread::JoinHandle<()>>,
}

impl Link {
    /// Starts the connection (it keeps trying until `close`); `who` names
    /// the program in messages ("serve", "monitor"). `capacity` bounds the
    /// requests waiting to go out: a publisher waits when it is full.
    pub fn open(url: &Url, options: MqttOptions, capacity: usize, who: &'static str) -> Link {
        let (client, connection) = Client::new(options, capacity);
        // Bounded: a reader that falls behind stops the connection's reads,
        // and the broker holds the rest (see docs/live.md).
        let (tx, news) = sync_channel(INCOMING);
        let acked = Arc::new(AtomicU64::new(0));
        let closing = Arc::new(AtomicBool::new(false));
        let thread = {
            let shared = Shared {
                acked: acked.clone(),
                closing: closing.clone(),
            };
            let url = url.to_string();
            std::thread::spawn(move || drive(connection, tx, shared, url, who))
        };
        Link {
            client,
            news,
            acked,
            closing,
            thread: Some(thread),
        }
    }

    /// Waits until the broker has acknowledged `sent` at-least-once
    /// messages (or `patience` passes), so that closing loses none; then
    /// closes. `false` when some were not acknowledged in time.
    pub fn close_after(self, sent: u64, patience: Duration) -> bool {
        let start = std::time::Instant::now();
        while self.acked.load(Ordering::SeqCst) < sent && start.elapsed() < patience {
            std::thread::sleep(Duration::from_millis(10));
        }
        let all = self.acked.load(Ordering::SeqCst) >= sent;
        self.close();
        all
    }

    /// Sends what is queued, disconnects and waits for the thread (which,
    /// while the broker is away, gives up at its next retry).
    pub fn close(self) {
        let Link {
            client,
            closing,
            thread,
            ..
        } = self;
        closing.store(true, Ordering::SeqCst);
        let _ = client.disconnect();
        drop(client);
        if let Some(t) = thread {
            let _ = t.join();
        }
    }
}

/// What the connection thread shares with its owner: the acknowledgements
/// it counts, and the owner's word to stop.
struct Shared {
    acked: Arc<AtomicU64>,
    closing: Arc<AtomicBool>,
}

/// The connection thread: polls, reports, and backs off while the broker is
/// away. Ends when the client disconnects or is dropped.
fn drive(
    mut connection: Connection,
    tx: SyncSender<News>,
    shared: Shared,
    url: String,
    who: &'static str,
) {
    let Shared { acked, closing } = shared;
    let mut backoff = Duration::from_millis(500);
    let mut ever = false;
    let mut said_down = false;
    for event in connection.iter() {
        match event {
            Ok(Event::Incoming(Packet::ConnAck(_))) => {
                if said_down {
                    eprintln!("{who}: connected to {url} again");
                }
                let _ = tx.send(News::Connected { first: !ever });
                ever = true;
                said_down = false;
                backoff = Duration::from_millis(500);
            }
            Ok(Event::Incoming(Packet::Publish(p))) => {
                let _ = tx.send(News::Message {
                    topic: p.topic.clone(),
                    payload: p.payload.to_vec(),
                    retained: p.retain,
                });
            }
            Ok(Event::Incoming(Packet::PubAck(_))) => {
                acked.fetch_add(1, Ordering::SeqCst);
            }
            Ok(Event::Outgoing(rumqttc::Outgoing::Disconnect)) => break,
            Ok(_) => {}
            Err(e) => {
                if matches!(e, ConnectionError::RequestsDone) || closing.load(Ordering::SeqCst) {
                    break;
                }
                // Said once per outage; a connection resets it.
                if !said_down {
                    eprintln!(
                        "{who}: the broker {url} is not reachable ({}); retrying every {:.1} s up to 8 s",
                        short(&e),
                        backoff.as_secs_f64()
                    );
                    said_down = true;
                    let _ = tx.send(News::Lost);
                }
                std::thread::sleep(backoff);
                backoff = (backoff * 2).min(Duration::from_secs(8));
            }
        }
    }
}

/// An error in a few words (the library's text, which holds no password).
fn short(e: &ConnectionError) -> String {
    match e {
        ConnectionError::Io(io) => io.to_string(),
        ConnectionError::ConnectionRefused(code) => format!("refused: {code:?}"),
        other => other.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn addresses_are_read_and_passwords_never_shown() {
        let u = Url::parse("mqtt://ops:s3cret@broker.local:8883").unwrap();
        assert_eq!((u.host.as_str(), u.port), ("broker.local", 8883));
        assert_eq!(u.password.as_deref(), Some("s3cret"));
        assert!(!format!("{u} {u:?}").contains("s3cret"));
        assert_eq!(Url::parse("mqtt://localhost").unwrap().port, 1883);
        let e = Url::parse("mqtt://ops:s3cret@host:port").unwrap_err();
        assert!(e.contains("port") && !e.contains("s3cret"), "{e}");
        assert!(
            Url::parse("http://x")
                .unwrap_err()
                .contains("mqtt://host:port")
        );
        let t = Url::parse("mqtts://plant").unwrap();
        assert!(t.tls && t.port == 8883, "{t}");
        let e = t
            .options("x", None, Some(Path::new("/no/such/ca.pem")))
            .unwrap_err();
        assert!(e.contains("/no/such/ca.pem"), "{e}");
    }
}
