//! Test support: a real SMTP server on a free loopback port, which records the
//! messages it accepts, and fixtures shared by the tests. The server is
//! mailin-embedded, or mailin's protocol state machine on a small accept loop
//! where the test needs AUTH without TLS, which mailin-embedded does not offer.

#![allow(dead_code)] // Each test file uses a different part of this module.

use std::io::{self, BufRead, BufReader};
use std::net::{IpAddr, SocketAddr, TcpListener, TcpStream};
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::Duration;

use clientela_domain::ids::{AppId, ClientId};
use clientela_domain::notification::{AppMailSettings, Notification, NotificationContent};
use clientela_domain::values::Email;
use mailin::{Action, AuthMechanism, SessionBuilder};
use mailin_embedded::{Handler, Response, Server, response};
use time::OffsetDateTime;

/// Public base URL the renderer is built with in the tests.
pub const PUBLIC_BASE_URL: &str = "https://clientela.example.com";

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

/// An SMTP server listening on 127.0.0.1. It runs on a background thread until
/// the test process exits.
pub struct TestSmtpServer {
    address: SocketAddr,
    received: Arc<Mutex<Vec<ReceivedMail>>>,
    authenticated: Arc<Mutex<Vec<String>>>,
}

impl TestSmtpServer {
    pub fn start(policy: RecipientPolicy) -> Self {
        let listener = TcpListener::bind("127.0.0.1:0").expect("bind a free loopback port");
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
        let listener = TcpListener::bind("127.0.0.1:0").expect("bind a free loopback port");
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

/// Returns the URL of a loopback port that nothing listens on: a server that was
/// stopped.
pub fn stopped_server_url() -> String {
    let listener = TcpListener::bind("127.0.0.1:0").expect("bind a free loopback port");
    let address = listener.local_addr().expect("listener has an address");
    drop(listener);
    format!("smtp://{address}")
}

/// Starts a server that accepts connections on 127.0.0.1 and never replies, and
/// returns its URL. The accepted sockets stay open for `hold`.
pub fn silent_server_url(hold: Duration) -> String {
    let listener = TcpListener::bind("127.0.0.1:0").expect("bind a free loopback port");
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

pub fn app_settings() -> AppMailSettings {
    AppMailSettings {
        app_id: AppId::generate(),
        slug: "curso-de-violao".to_owned(),
        name: "Curso de Violão".to_owned(),
        members_url: None,
        from_address: None,
    }
}

pub fn notification(content: NotificationContent) -> Notification {
    Notification::new(
        AppId::generate(),
        ClientId::generate(),
        Email::parse("joao.avila@example.com").expect("valid e-mail"),
        content,
        "test",
        OffsetDateTime::now_utc(),
    )
}

pub fn password_reset(token: &str) -> NotificationContent {
    NotificationContent::PasswordReset {
        client_name: "João D'Ávila".to_owned(),
        token: token.to_owned(),
    }
}
