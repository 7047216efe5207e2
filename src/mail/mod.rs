//! E-mail through the organisation's SMTP relay (`lettre`, blocking; the web layer calls it on
//! the blocking pool). Without a relay set up nothing is sent: the caller records the message
//! as to be sent. The relay's password is a `SecretString`: never in a log, a debug print or a
//! message.

pub mod reminder;

use std::time::Duration;

use lettre::message::header::ContentType;
use lettre::message::{Mailbox, Message};
use lettre::transport::smtp::authentication::Credentials;
use lettre::transport::smtp::client::{Tls, TlsParameters};
use lettre::{SmtpTransport, Transport};
use secrecy::{ExposeSecret, SecretString};
use serde::Deserialize;

/// How the connection to the relay is protected.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum SmtpTls {
    /// Plain text (a relay on the same host or network only).
    None,
    /// Plain connection upgraded by STARTTLS, required (usually port 587).
    Starttls,
    /// TLS from the first byte (SMTPS, usually port 465).
    Tls,
}

/// The relay and how to reach it.
#[derive(Debug, Clone)]
pub struct Relay {
    pub host: String,
    pub port: u16,
    pub tls: SmtpTls,
    pub username: Option<String>,
    pub password: Option<SecretString>,
    pub timeout: Duration,
}

/// Who the messages come from, and through which relay, if any.
#[derive(Debug, Clone)]
pub struct Mailer {
    pub relay: Option<Relay>,
    pub sender_address: String,
    pub sender_name: String,
}

/// What sending reminders needs: the mailer, the address of the service's pages for the links,
/// and the days during which a company is not reminded again of the same items.
#[derive(Debug, Clone)]
pub struct Outbox {
    pub mailer: Mailer,
    pub public_url: String,
    pub quiet_days: u32,
}

/// One message: plain text, UTF-8.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Letter {
    pub to: String,
    /// The name shown as the sender; the configured one when empty.
    pub from_name: String,
    pub subject: String,
    pub body: String,
}

impl Mailer {
    /// Whether messages can be sent at all.
    pub fn has_relay(&self) -> bool {
        self.relay.is_some()
    }

    /// Hands the letter to the relay; the error is the relay's answer (« permanent error (550)
    /// … »), or why the message or the connection could not be made. Never holds the password.
    pub fn send(&self, letter: &Letter) -> Result<(), String> {
        let relay = self
            .relay
            .as_ref()
            .ok_or("Aucun relais SMTP n'est configuré.")?;
        let message = self.message(letter)?;
        transport(relay)?
            .send(&message)
            .map(|_| ())
            .map_err(|e| e.to_string())
    }

    fn message(&self, letter: &Letter) -> Result<Message, String> {
        let name = if letter.from_name.trim().is_empty() {
            &self.sender_name
        } else {
            &letter.from_name
        };
        let from = self
            .sender_address
            .parse()
            .map_err(|e| format!("adresse d'expédition {} : {e}", self.sender_address))?;
        let to = letter
            .to
            .parse()
            .map_err(|e| format!("adresse du destinataire {} : {e}", letter.to))?;
        Message::builder()
            .from(Mailbox::new(Some(name.clone()), from))
            .to(Mailbox::new(None, to))
            .subject(letter.subject.clone())
            .header(ContentType::TEXT_PLAIN)
            .body(letter.body.clone())
            .map_err(|e| e.to_string())
    }
}

fn transport(relay: &Relay) -> Result<SmtpTransport, String> {
    let tls = |host: &str| TlsParameters::new(host.to_owned()).map_err(|e| e.to_string());
    let mut builder = SmtpTransport::builder_dangerous(&relay.host)
        .port(relay.port)
        .timeout(Some(relay.timeout));
    builder = match relay.tls {
        SmtpTls::None => builder.tls(Tls::None),
        SmtpTls::Starttls => builder.tls(Tls::Required(tls(&relay.host)?)),
        SmtpTls::Tls => builder.tls(Tls::Wrapper(tls(&relay.host)?)),
    };
    if let (Some(user), Some(password)) = (&relay.username, &relay.password) {
        builder = builder.credentials(Credentials::new(
            user.clone(),
            password.expose_secret().to_owned(),
        ));
    }
    Ok(builder.build())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn mailer(tls: SmtpTls, port: u16) -> Mailer {
        Mailer {
            relay: Some(Relay {
                host: "127.0.0.1".to_owned(),
                port,
                tls,
                username: Some("suivi".to_owned()),
                password: Some(SecretString::from("mot-de-passe-du-relais".to_owned())),
                timeout: Duration::from_secs(5),
            }),
            sender_address: "clauses@exemple.fr".to_owned(),
            sender_name: "Suivi des clauses".to_owned(),
        }
    }

    fn letter() -> Letter {
        Letter {
            to: "contact@entreprise.fr".to_owned(),
            from_name: String::new(),
            subject: "Relevés".to_owned(),
            body: "Bonjour".to_owned(),
        }
    }

    /// Every TLS mode builds its transport (the crypto provider is found) and a relay that does
    /// not answer is an error to record, never a panic; the password is in no message.
    #[test]
    fn an_unreachable_relay_is_an_error_in_every_tls_mode() {
        let port = {
            let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
            listener.local_addr().unwrap().port()
        };
        for tls in [SmtpTls::None, SmtpTls::Starttls, SmtpTls::Tls] {
            let mailer = mailer(tls, port);
            let error = mailer.send(&letter()).unwrap_err();
            assert!(!error.contains("mot-de-passe-du-relais"), "{error}");
            assert!(!format!("{mailer:?}").contains("mot-de-passe-du-relais"));
        }
    }

    #[test]
    fn without_a_relay_nothing_is_sent() {
        let mailer = Mailer {
            relay: None,
            ..mailer(SmtpTls::None, 25)
        };
        assert!(!mailer.has_relay());
        assert!(mailer.send(&letter()).is_err());
    }
}
