//! A real SMTP server for tests: it listens on a loopback port and records the
//! messages it accepts. It is mailin-embedded, or mailin's protocol state
//! machine on a small accept loop where a test needs AUTH without TLS, which
//! mailin-embedded does not offer.
//!
//! A server runs on background threads until the test process exits. To test a
//! server that is down and comes back, reserve an address with
//! [`unused_loopback_address`], point the code under test at it, and later call
//! [`TestSmtpServer::start_on`] with that address.

use std::io::{self, BufRead, BufReader};
use std::net::{IpAddr, SocketAddr, TcpListener, TcpStream};
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::Duration;

use mailin::{Action, AuthMechanism, SessionBuilder};
use mailin_embedded::{Handler, Response, Server, response};

/// Reply of the test server to RCPT TO.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RecipientPolicy {
    Accept,
    /// 550: the mailbox does not exist.
    RejectPermanently,
    /// 451: try again later.
    RejectTemporarily,
}

/// One message as the server received it.
#[derive(Debug, Clone)]
pub struct ReceivedMail {
    /// Envelope sender (MAIL FROM).
    pub sender: String,
    /// Envelope recipients (RCPT TO).
    pub recipients: Vec<String>,
    /// The message data, dot-unstuffed, without the terminating dot line.
    pub data: Vec<u8>,
}

#[derive(Clone)]
struct Recorder {
    policy: RecipientPolicy,
    /// The only user name and password AUTH accepts, when the server offers it.
    credentials: Option<(String, String)>,
    received: Arc<Mutex<Vec<ReceivedMail>>>,
    authenticated: Arc<Mutex<Vec<String>>>,
    current: Option<ReceivedMail>,
}

impl Recorder {
    fn new(policy: RecipientPolicy, credentials: Option<(String, String)>) -> Self {
        Self {
            policy,
            credentials,
            received: Arc::default(),
            authenticated: Arc::default(),
            current: None,
        }
    }

    fn authenticate(&mut self, user: &str, password: &str) -> Response {
        match &self.credentials {
            Some((expected_user, expected_password))
                if user == expected_user && password == expected_password =>
            {
                lock(&self.authenticated).push(user.to_owned());
                response::AUTH_OK
            }
            _ => response::INVALID_CREDENTIALS,
        }
    }
}

impl Handler for Recorder {
    fn helo(&mut self, _ip: IpAddr, _domain: &str) -> Response {
        response::OK
    }

    fn rcpt(&mut self, _to: &str) -> Response {
        match self.policy {
            RecipientPolicy::Accept => response::OK,
            RecipientPolicy::RejectPermanently => response::NO_MAILBOX,
            RecipientPolicy::RejectTemporarily => response::INTERNAL_ERROR,
        }
    }

    fn data_start(&mut self, _domain: &str, from: &str, _is8bit: bool, to: &[String]) -> Response {
        self.current = Some(ReceivedMail {
            sender: from.to_owned(),
            recipients: to.to_vec(),
            data: Vec::new(),
        });
        response::OK
    }

    fn data(&mut self, buf: &[u8]) -> io::Result<()> {
        if let Some(mail) = self.current.as_mut() {
            mail.data.extend_from_slice(buf);
        }
        Ok(())
    }

    fn data_end(&mut self) -> Response {
        if let Some(mail) = self.current.take() {
            lock(&self.received).push(mail);
        }
        response::OK
    }

    fn auth_plain(
        &mut self,
        _authorization_id: &str,
        authentication_id: &str,
        password: &str,
    ) -> Response {
        self.authenticate(authentication_id, password)
    }

    fn auth_login(&mut self, username: &str, password: &str) -> Response {
        self.authenticate(username, password)
    }
}

/// An SMTP server listening on 127.0.0.1. It runs on background threads until
/// the test process exits.
pub struct TestSmtpServer {
    address: SocketAddr,
    received: Arc<Mutex<Vec<ReceivedMail>>>,
    authenticated: Arc<Mutex<Vec<String>>>,
}

impl TestSmtpServer {
    /// Starts a server on a free port of 127.0.0.1.
    pub fn start(policy: RecipientPolicy) -> Self {
        Self::start_on(loopback_any_port(), policy)
    }

    /// Starts a server on `address`, such as one reserved earlier with
    /// [`unused_loopback_address`].
    ///
    /// # Panics
    ///
    /// When the address cannot be bound, for example because another process
    /// took the port in the meantime.
    pub fn start_on(address: SocketAddr, policy: RecipientPolicy) -> Self {
        let listener = TcpListener::bind(address)
            .unwrap_or_else(|error| panic!("bind the test SMTP server to {address}: {error}"));
        let address = listener.local_addr().expect("listener has an address");
        let recorder = Recorder::new(policy, None);
        let received = Arc::clone(&recorder.received);
        let authenticated = Arc::clone(&recorder.authenticated);

        let mut server = Server::new(recorder);
        server
            .with_name("smtp.test")
            .with_num_threads(2)
            .with_tcp_listener(listener);
        std::thread::spawn(move || {
            if let Err(error) = server.serve() {
                eprintln!("test SMTP server on {address} stopped: {error}");
            }
        });

        Self {
            address,
            received,
            authenticated,
        }
    }

    /// Starts a server that offers AUTH PLAIN and LOGIN without TLS and accepts
    /// only `user` with `password`.
    pub fn start_with_auth(user: &str, password: &str) -> Self {
        let listener = TcpListener::bind(loopback_any_port()).expect("bind a free loopback port");
        let address = listener.local_addr().expect("listener has an address");
        let recorder = Recorder::new(
            RecipientPolicy::Accept,
            Some((user.to_owned(), password.to_owned())),
        );
        let received = Arc::clone(&recorder.received);
        let authenticated = Arc::clone(&recorder.authenticated);

        let mut sessions = SessionBuilder::new("smtp.test");
        sessions
            .enable_auth(AuthMechanism::Plain)
            .enable_auth(AuthMechanism::Login)
            .insecure_enable_plaintext_auth();
        std::thread::spawn(move || {
            for stream in listener.incoming().flatten() {
                let sessions = sessions.clone();
                let recorder = recorder.clone();
                std::thread::spawn(move || {
                    if let Err(error) = serve_session(stream, &sessions, recorder) {
                        eprintln!("test SMTP session on {address} failed: {error}");
                    }
                });
            }
        });

        Self {
            address,
            received,
            authenticated,
        }
    }

    /// Returns the `SMTP_URL` of this server, plain SMTP without TLS.
    pub fn url(&self) -> String {
        format!("smtp://{}", self.address)
    }

    pub fn address(&self) -> SocketAddr {
        self.address
    }

    pub fn received(&self) -> Vec<ReceivedMail> {
        lock(&self.received).clone()
    }

    /// Lists the user names that authenticated, one entry per successful AUTH.
    pub fn authenticated_users(&self) -> Vec<String> {
        lock(&self.authenticated).clone()
    }
}

/// Runs one SMTP session: sends the greeting, then feeds each line to mailin
/// and writes back its replies until the client quits or disconnects.
fn serve_session(
    stream: TcpStream,
    sessions: &SessionBuilder,
    recorder: Recorder,
) -> io::Result<()> {
    let peer = stream.peer_addr()?.ip();
    let mut reader = BufReader::new(stream.try_clone()?);
    let mut writer = stream;
    let mut session = sessions.build(peer, recorder);
    session.greeting().write_to(&mut writer)?;

    let mut line = Vec::new();
    loop {
        line.clear();
        if reader.read_until(b'\n', &mut line)? == 0 {
            return Ok(());
        }
        let reply = session.process(&line);
        match reply.action {
            Action::NoReply => {}
            Action::Reply | Action::UpgradeTls => reply.write_to(&mut writer)?,
            Action::Close => {
                reply.write_to(&mut writer)?;
                return Ok(());
            }
        }
    }
}

/// Returns an address of 127.0.0.1 whose port nothing listens on: it was free
/// a moment ago. Another process could take the port before it is used.
pub fn unused_loopback_address() -> SocketAddr {
    let listener = TcpListener::bind(loopback_any_port()).expect("bind a free loopback port");
    listener.local_addr().expect("listener has an address")
}

/// Returns the URL of a loopback port that nothing listens on: a server that was
/// stopped.
pub fn stopped_server_url() -> String {
    format!("smtp://{}", unused_loopback_address())
}

/// Starts a server that accepts connections on 127.0.0.1 and never replies, and
/// returns its URL. The accepted sockets stay open for `hold`.
pub fn silent_server_url(hold: Duration) -> String {
    let listener = TcpListener::bind(loopback_any_port()).expect("bind a free loopback port");
    let address = listener.local_addr().expect("listener has an address");
    std::thread::spawn(move || {
        let mut open = Vec::new();
        if let Ok((stream, _)) = listener.accept() {
            open.push(stream);
            std::thread::sleep(hold);
        }
    });
    format!("smtp://{address}")
}

fn lock<T>(mutex: &Mutex<T>) -> MutexGuard<'_, T> {
    mutex
        .lock()
        .unwrap_or_else(|poisoned| poisoned.into_inner())
}

/// 127.0.0.1 with port 0, which makes the operating system pick a free port.
fn loopback_any_port() -> SocketAddr {
    SocketAddr::from(([127, 0, 0, 1], 0))
}
