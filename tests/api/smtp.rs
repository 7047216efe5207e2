//! A small SMTP server for the tests, on a random port of 127.0.0.1: it speaks enough of RFC
//! 5321 (EHLO/HELO, MAIL, RCPT, DATA, RSET, NOOP, QUIT) for a real client to deliver to it,
//! keeps what it receives, and answers 550 to the recipients it is told to refuse. Messages
//! are read back as a mail reader would: headers unfolded, encoded words and the body's
//! transfer encoding (quoted-printable or base64) decoded.

use std::collections::HashSet;
use std::io::{BufRead, BufReader, Write};
use std::net::{TcpListener, TcpStream};
use std::sync::{Arc, Mutex};

use base64::Engine;

/// A message as delivered: the envelope and the raw data.
#[derive(Debug, Clone)]
pub struct Received {
    pub mail_from: String,
    pub recipients: Vec<String>,
    pub data: String,
}

#[derive(Default)]
struct State {
    received: Vec<Received>,
    refused: HashSet<String>,
}

pub struct SmtpServer {
    pub port: u16,
    state: Arc<Mutex<State>>,
}

impl SmtpServer {
    /// Listens on a free port; each connection is served on its own thread.
    pub fn start() -> SmtpServer {
        let listener = TcpListener::bind("127.0.0.1:0").expect("bind SMTP");
        let port = listener.local_addr().unwrap().port();
        let state = Arc::new(Mutex::new(State::default()));
        let shared = state.clone();
        std::thread::spawn(move || {
            for stream in listener.incoming().flatten() {
                let state = shared.clone();
                std::thread::spawn(move || {
                    let _ = serve(stream, &state);
                });
            }
        });
        SmtpServer { port, state }
    }

    /// From now on, RCPT TO this address is answered 550.
    pub fn refuse(&self, address: &str) {
        self.state
            .lock()
            .unwrap()
            .refused
            .insert(address.to_lowercase());
    }

    pub fn accept_all(&self) {
        self.state.lock().unwrap().refused.clear();
    }

    pub fn received(&self) -> Vec<Received> {
        self.state.lock().unwrap().received.clone()
    }
}

fn serve(stream: TcpStream, state: &Mutex<State>) -> std::io::Result<()> {
    let mut out = stream.try_clone()?;
    let mut lines = BufReader::new(stream);
    out.write_all(b"220 127.0.0.1 ESMTP test\r\n")?;
    let mut current: Option<Received> = None;
    loop {
        let mut line = String::new();
        if lines.read_line(&mut line)? == 0 {
            return Ok(());
        }
        let command = line.trim_end().to_owned();
        let verb = command
            .split([' ', ':'])
            .next()
            .unwrap_or("")
            .to_uppercase();
        let answer: String = match verb.as_str() {
            "EHLO" => "250-127.0.0.1\r\n250-8BITMIME\r\n250 SMTPUTF8".into(),
            "HELO" | "NOOP" => "250 OK".into(),
            "RSET" => {
                current = None;
                "250 OK".into()
            }
            "MAIL" => {
                current = Some(Received {
                    mail_from: address_in(&command),
                    recipients: Vec::new(),
                    data: String::new(),
                });
                "250 OK".into()
            }
            "RCPT" => {
                let to = address_in(&command);
                if state.lock().unwrap().refused.contains(&to.to_lowercase()) {
                    "550 5.1.1 Mailbox unavailable".into()
                } else if let Some(message) = current.as_mut() {
                    message.recipients.push(to);
                    "250 OK".into()
                } else {
                    "503 MAIL first".into()
                }
            }
            "DATA" => {
                out.write_all(b"354 End data with <CR><LF>.<CR><LF>\r\n")?;
                let data = read_data(&mut lines)?;
                match current.take() {
                    Some(mut message) if !message.recipients.is_empty() => {
                        message.data = data;
                        state.lock().unwrap().received.push(message);
                        "250 OK queued".into()
                    }
                    _ => "554 No valid recipients".into(),
                }
            }
            "QUIT" => {
                out.write_all(b"221 Bye\r\n")?;
                return Ok(());
            }
            _ => "502 Command not implemented".into(),
        };
        out.write_all(format!("{answer}\r\n").as_bytes())?;
    }
}

/// The address between < and > of MAIL FROM or RCPT TO.
fn address_in(command: &str) -> String {
    let start = command.find('<').map_or(0, |i| i + 1);
    let end = command[start..]
        .find('>')
        .map_or(command.len(), |i| start + i);
    command[start..end].to_owned()
}

/// The lines up to the lone dot, dot-stuffing undone.
fn read_data(lines: &mut impl BufRead) -> std::io::Result<String> {
    let mut data = String::new();
    loop {
        let mut line = String::new();
        if lines.read_line(&mut line)? == 0 || line == ".\r\n" {
            return Ok(data);
        }
        data.push_str(line.strip_prefix('.').unwrap_or(&line));
    }
}

impl Received {
    /// The header's value, unfolded, its encoded words decoded.
    pub fn header(&self, name: &str) -> Option<String> {
        let (head, _) = self.data.split_once("\r\n\r\n")?;
        let unfolded = head.replace("\r\n ", " ").replace("\r\n\t", " ");
        unfolded.lines().find_map(|line| {
            let (key, value) = line.split_once(':')?;
            key.eq_ignore_ascii_case(name)
                .then(|| decode_words(value.trim()))
        })
    }

    /// The body as its reader sees it: transfer encoding undone, read as UTF-8.
    pub fn body(&self) -> String {
        let (_, body) = self.data.split_once("\r\n\r\n").unwrap_or(("", ""));
        let encoding = self
            .header("Content-Transfer-Encoding")
            .unwrap_or_default()
            .to_lowercase();
        let bytes = match encoding.as_str() {
            "quoted-printable" => quoted_printable(body),
            "base64" => base64::engine::general_purpose::STANDARD
                .decode(body.split_whitespace().collect::<String>())
                .expect("base64 body"),
            _ => body.as_bytes().to_vec(),
        };
        String::from_utf8(bytes)
            .expect("a UTF-8 body")
            .replace("\r\n", "\n")
    }
}

fn quoted_printable(text: &str) -> Vec<u8> {
    let joined = text.replace("=\r\n", "");
    let bytes = joined.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'='
            && let Some(byte) = joined
                .get(i + 1..i + 3)
                .and_then(|h| u8::from_str_radix(h, 16).ok())
        {
            out.push(byte);
            i += 3;
        } else {
            out.push(bytes[i]);
            i += 1;
        }
    }
    out
}

/// RFC 2047 encoded words (`=?utf-8?b?…?=`, `=?utf-8?q?…?=`); the space between two of them
/// is not part of the text.
fn decode_words(value: &str) -> String {
    let mut out = String::new();
    let mut last_was_word = false;
    for (i, token) in value.split(' ').enumerate() {
        let decoded = decode_word(token);
        let is_word = decoded.is_some();
        if i > 0 && !(is_word && last_was_word) {
            out.push(' ');
        }
        out.push_str(&decoded.unwrap_or_else(|| token.to_owned()));
        last_was_word = is_word;
    }
    out
}

fn decode_word(token: &str) -> Option<String> {
    let inner = token.strip_prefix("=?")?.strip_suffix("?=")?;
    let mut parts = inner.splitn(3, '?');
    let (_charset, encoding, text) = (parts.next()?, parts.next()?, parts.next()?);
    let bytes = match encoding {
        "b" | "B" => base64::engine::general_purpose::STANDARD
            .decode(text)
            .ok()?,
        "q" | "Q" => quoted_printable(&text.replace('_', " ")),
        _ => return None,
    };
    String::from_utf8(bytes).ok()
}
