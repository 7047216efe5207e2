//! Which backend a `DATABASE_URL` names: the one place where the scheme is read.

use std::fmt;
use std::path::PathBuf;

use secrecy::{ExposeSecret, SecretString};

#[derive(
    Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize, utoipa::ToSchema,
)]
#[serde(rename_all = "lowercase")]
pub enum Backend {
    Sqlite,
    Postgres,
}

impl fmt::Display for Backend {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Backend::Sqlite => "SQLite",
            Backend::Postgres => "PostgreSQL",
        })
    }
}

/// A parsed database address. The PostgreSQL form may hold a password, so it stays secret.
#[derive(Debug, Clone)]
pub enum DatabaseUrl {
    Sqlite(PathBuf),
    Postgres(SecretString),
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error(
    "Adresse de base de données non reconnue (« {0} ») : écrivez sqlite://chemin/vers/fichier.db ou postgres://utilisateur@hôte:5432/base."
)]
pub struct DatabaseUrlError(String);

impl DatabaseUrl {
    /// `postgres://…` and `postgresql://…` go to PostgreSQL; `sqlite://path`, `sqlite:path` or a
    /// bare path ending in .db, .sqlite or .sqlite3 go to SQLite.
    pub fn parse(raw: &str) -> Result<Self, DatabaseUrlError> {
        let raw = raw.trim();
        if raw.starts_with("postgres://") || raw.starts_with("postgresql://") {
            return Ok(DatabaseUrl::Postgres(SecretString::from(raw.to_owned())));
        }
        let path = raw
            .strip_prefix("sqlite://")
            .or_else(|| raw.strip_prefix("sqlite:"))
            .or_else(|| {
                let bare = !raw.contains("://");
                let sqlite_file = [".db", ".sqlite", ".sqlite3"]
                    .iter()
                    .any(|ext| raw.ends_with(ext));
                (bare && sqlite_file).then_some(raw)
            });
        match path {
            Some(path) if !path.is_empty() && path != ":memory:" => {
                Ok(DatabaseUrl::Sqlite(PathBuf::from(path)))
            }
            // Redacted: whatever was typed may hold a password.
            _ => Err(DatabaseUrlError(redact(raw))),
        }
    }

    pub fn backend(&self) -> Backend {
        match self {
            DatabaseUrl::Sqlite(_) => Backend::Sqlite,
            DatabaseUrl::Postgres(_) => Backend::Postgres,
        }
    }

    /// Where the data lives, safe to print: no password, no query parameters.
    pub fn describe(&self) -> String {
        match self {
            DatabaseUrl::Sqlite(path) => format!("SQLite ({})", path.display()),
            DatabaseUrl::Postgres(url) => format!("PostgreSQL ({})", redact(url.expose_secret())),
        }
    }
}

/// Keeps scheme, host, port and database name; drops user info and query string.
fn redact(raw: &str) -> String {
    let (scheme, rest) = raw.split_once("://").unwrap_or(("", raw));
    let rest = rest.split(['?', '#']).next().unwrap_or_default();
    let (authority, path) = rest.split_once('/').unwrap_or((rest, ""));
    let host = authority
        .rsplit_once('@')
        .map_or(authority, |(_, host)| host);
    let scheme = if scheme.is_empty() {
        String::new()
    } else {
        format!("{scheme}://")
    };
    if path.is_empty() {
        format!("{scheme}{host}")
    } else {
        format!("{scheme}{host}/{path}")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_scheme_chooses_the_backend() {
        let sqlite = |raw: &str| match DatabaseUrl::parse(raw).unwrap() {
            DatabaseUrl::Sqlite(path) => path,
            other => panic!("{raw} gave {other:?}"),
        };
        assert_eq!(
            sqlite("sqlite://data/suivi.db"),
            PathBuf::from("data/suivi.db")
        );
        assert_eq!(
            sqlite("sqlite:///var/lib/suivi.db"),
            PathBuf::from("/var/lib/suivi.db")
        );
        assert_eq!(sqlite("sqlite:suivi.db"), PathBuf::from("suivi.db"));
        assert_eq!(
            sqlite("./data/suivi.sqlite3"),
            PathBuf::from("./data/suivi.sqlite3")
        );
        assert_eq!(
            DatabaseUrl::parse("postgres://u:p@h/db").unwrap().backend(),
            Backend::Postgres
        );
        assert_eq!(
            DatabaseUrl::parse("postgresql://h/db").unwrap().backend(),
            Backend::Postgres
        );
    }

    #[test]
    fn refuses_unknown_schemes_without_echoing_passwords() {
        for bad in [
            "mysql://root:hunter2@h/db",
            "",
            "sqlite://",
            "sqlite://:memory:",
            "data/suivi",
        ] {
            let error = DatabaseUrl::parse(bad).unwrap_err().to_string();
            assert!(!error.contains("hunter2"), "{error}");
            assert!(error.contains("sqlite://"), "{error}");
        }
    }

    #[test]
    fn describe_never_shows_credentials() {
        let url = DatabaseUrl::parse("postgres://suivi:s3cret@db.local:5432/suivi?sslmode=require")
            .unwrap();
        assert_eq!(
            url.describe(),
            "PostgreSQL (postgres://db.local:5432/suivi)"
        );
        assert!(!format!("{url:?}").contains("s3cret"));
    }
}
