//! Settings: built-in defaults, then an optional TOML file, then the environment.
//!
//! Environment variables use the `SUIVI_` prefix and `__` between levels
//! (`SUIVI_SERVER__PORT=9000`); `DATABASE_URL` and `SUIVI_ADMIN_PASSWORD` are read as such.
//! An unknown key or a value of the wrong type, in the file or the environment, stops the
//! program with a message naming the key and what it accepts: a typo is never ignored.

mod lenient;
pub mod organisation;
mod sources;
#[cfg(test)]
mod tests;

use std::path::{Path, PathBuf};
use std::time::Duration;

use secrecy::{ExposeSecret, SecretString};
use serde::Deserialize;

use crate::accounts::throttle::ThrottlePolicy;
use crate::domain::{Email, FollowupRules, Hours, ObligationRules};
use crate::import::Importer;
use crate::import::limits::ImportLimits;
use crate::import::profiles::Profiles;
use crate::mail::{Mailer, Outbox, Relay, SmtpTls};
use crate::storage::{DatabaseUrl, PoolOptions};
use crate::web::client::TrustedProxies;

use lenient::Lenient;
use sources::Sources;

pub const DEFAULT_CONFIG_FILE: &str = "suivi-clauses.toml";

#[derive(Debug, Clone, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Settings {
    pub data_dir: PathBuf,
    pub server: ServerSettings,
    pub database: DatabaseSettings,
    pub log: LogSettings,
    pub bootstrap: BootstrapSettings,
    pub auth: AuthSettings,
    pub imports: ImportSettings,
    pub followup: FollowupSettings,
    pub figures: FigureSettings,
    pub obligations: ObligationSettings,
    pub organisation: OrganisationSettings,
    pub mail: MailSettings,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct ServerSettings {
    pub host: String,
    /// 0 lets the system choose a free port (tests); the chosen one is printed at start.
    pub port: u16,
    pub workers: Option<usize>,
    /// Seconds given to in-flight requests on SIGTERM or Ctrl-C before the server stops.
    pub shutdown_timeout_secs: u64,
    /// Largest accepted JSON body, in bytes.
    pub json_limit_bytes: usize,
    /// Reverse proxies whose `X-Forwarded-For` gives the client's address; none by default,
    /// since anyone else could write that header to pass for another address.
    pub trusted_proxies: TrustedProxies,
    /// The address people reach the service at (`https://clauses.exemple.fr`), for the links
    /// of e-mails; `http://host:port` when absent.
    pub public_url: Option<String>,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct DatabaseSettings {
    /// `sqlite://…` or `postgres://…`; when absent, `sqlite://<data_dir>/suivi-clauses.db`.
    pub url: Option<SecretString>,
    pub pool_size: u32,
    pub connect_timeout_secs: u64,
    /// How long a SQLite writer waits for another one before giving up.
    pub sqlite_busy_timeout_ms: u64,
    /// Statements lasting this long or more are logged (warning `requête lente`, without the
    /// values bound to them); 0 logs none.
    pub slow_statement_ms: u64,
}

#[derive(Debug, Clone, Copy, Deserialize, PartialEq, Eq)]
#[serde(rename_all = "lowercase")]
pub enum LogFormat {
    Pretty,
    Json,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct LogSettings {
    pub format: LogFormat,
    /// A tracing filter such as `info` or `suivi_clauses=debug,actix_web=info`; `RUST_LOG` wins.
    pub filter: String,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct BootstrapSettings {
    /// Login of the administrator created on the first start.
    pub admin_email: String,
    /// Its password; generated and printed once when absent.
    pub admin_password: Option<SecretString>,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct AuthSettings {
    /// Key signing session tokens (32 characters at least). When absent, one is generated on the
    /// first start and kept in `<data_dir>/jwt-signing-key`; instances sharing one database
    /// behind a load balancer must be given the same key here.
    pub jwt_secret: Option<SecretString>,
    pub token_lifetime_minutes: u64,
    /// Mark cookies `Secure`: set it when the service is reached over HTTPS.
    pub secure_cookies: bool,
    /// How long failed sign-ins are remembered.
    pub throttle_window_minutes: u64,
    /// Failures of one account from one address forgiven before it has to wait.
    pub free_failures: u32,
    /// The longest wait of an (account, address) pair, reached by doubling from one second.
    pub max_delay_secs: u64,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct ImportSettings {
    /// Folder of the import profiles (`<kind>.toml`); the built-in ones serve where absent.
    pub profiles_dir: PathBuf,
    /// Largest file accepted, in MB: larger uploads get 413.
    pub max_file_mb: u64,
    pub max_rows: usize,
    /// Largest total a spreadsheet archive may decompress to, in MB.
    pub max_uncompressed_mb: u64,
    pub max_compression_ratio: u64,
    /// Most hours one participant may be declared for in a month.
    pub max_hours_per_month: u16,
    /// Uploads from this size on (KB) run in the background, followed by their progress.
    pub background_from_kb: usize,
    /// Seconds without progress after which a running import is known to be cut off.
    pub stale_after_secs: u64,
    /// Imports running at once in this instance, and for one account: more get 429.
    pub max_running: usize,
    pub max_running_per_account: usize,
    /// Days a refused file's error workbook is kept; `purge` removes older ones.
    pub error_workbook_days: u32,
    /// Hour entries written per transaction into the staging table, before one last short
    /// transaction publishes them all.
    pub staging_chunk_rows: usize,
}

/// The date rules of the « À faire » list.
#[derive(Debug, Clone, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct FollowupSettings {
    /// Whole months without hours after which a lot in execution is missing its statements.
    pub missing_months: u32,
    /// Days before its end from which a clause projected short is listed.
    pub ending_within_days: u32,
}

/// How readers meet the figures computed again after a write.
#[derive(Debug, Clone, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct FigureSettings {
    /// Milliseconds a reader waits for the figures of new data before it is answered the
    /// previous ones, said stale; 0: at once.
    pub wait_ms: u64,
    /// Milliseconds between two looks at the data versions when no reader meets stale figures:
    /// a write on another instance sharing the database is noticed within it.
    pub refresh_ms: u64,
}

impl Default for FigureSettings {
    fn default() -> FigureSettings {
        FigureSettings {
            wait_ms: 50,
            refresh_ms: 1_000,
        }
    }
}

impl FigureSettings {
    pub fn wait(&self) -> std::time::Duration {
        std::time::Duration::from_millis(self.wait_ms)
    }

    pub fn refresh(&self) -> std::time::Duration {
        std::time::Duration::from_millis(self.refresh_ms)
    }
}

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct ObligationSettings {
    /// A rules file (thresholds, buyer types, grounds, entry into force) replacing the built-in
    /// `rules/obligations.toml`: the next revision of thresholds is a data change.
    pub rules_file: Option<PathBuf>,
}

/// The organisation's own name and logo, in every page's header and on the printouts.
#[derive(Debug, Clone, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct OrganisationSettings {
    pub name: String,
    /// A PNG or SVG file (256 KB at most), checked at start.
    pub logo: Option<PathBuf>,
}

impl Default for OrganisationSettings {
    fn default() -> OrganisationSettings {
        OrganisationSettings {
            name: organisation::DEFAULT_NAME.to_owned(),
            logo: None,
        }
    }
}

/// The SMTP relay reminders are sent through, and the reminders' rhythm.
#[derive(Debug, Clone, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct MailSettings {
    /// The relay's host name; while absent no e-mail is sent: reminders are recorded « à
    /// envoyer ».
    pub smtp_host: Option<String>,
    pub smtp_port: u16,
    /// `none`, `starttls` (required) or `tls` (SMTPS).
    pub tls: SmtpTls,
    pub username: Option<String>,
    /// Never logged nor printed.
    pub password: Option<SecretString>,
    pub sender_address: String,
    /// The sender's name, when a message is not about one buyer only (then: the buyer's name).
    pub sender_name: String,
    /// Seconds the relay has to answer each command.
    pub timeout_secs: u64,
    /// Days during which a company is not reminded again of the same missing statements.
    pub reminder_quiet_days: u32,
}

// The built-in defaults: each setting absent from the file and the environment takes its value
// here (the README's Configuration table lists them).

impl Default for Settings {
    fn default() -> Settings {
        Settings {
            data_dir: PathBuf::from("data"),
            server: ServerSettings::default(),
            database: DatabaseSettings::default(),
            log: LogSettings::default(),
            bootstrap: BootstrapSettings::default(),
            auth: AuthSettings::default(),
            imports: ImportSettings::default(),
            followup: FollowupSettings::default(),
            figures: FigureSettings::default(),
            obligations: ObligationSettings::default(),
            organisation: OrganisationSettings::default(),
            mail: MailSettings::default(),
        }
    }
}

impl Default for ServerSettings {
    fn default() -> ServerSettings {
        ServerSettings {
            host: "127.0.0.1".to_owned(),
            port: 8080,
            workers: None,
            shutdown_timeout_secs: 30,
            json_limit_bytes: 1_048_576,
            trusted_proxies: TrustedProxies::default(),
            public_url: None,
        }
    }
}

impl Default for DatabaseSettings {
    fn default() -> DatabaseSettings {
        DatabaseSettings {
            url: None,
            pool_size: 8,
            connect_timeout_secs: 10,
            sqlite_busy_timeout_ms: 10_000,
            slow_statement_ms: 1_000,
        }
    }
}

impl Default for LogSettings {
    fn default() -> LogSettings {
        LogSettings {
            format: LogFormat::Pretty,
            filter: "info".to_owned(),
        }
    }
}

impl Default for BootstrapSettings {
    fn default() -> BootstrapSettings {
        BootstrapSettings {
            admin_email: "admin@suivi-clauses.local".to_owned(),
            admin_password: None,
        }
    }
}

impl Default for AuthSettings {
    fn default() -> AuthSettings {
        AuthSettings {
            jwt_secret: None,
            token_lifetime_minutes: 60,
            secure_cookies: false,
            throttle_window_minutes: 15,
            free_failures: 3,
            max_delay_secs: 600,
        }
    }
}

impl Default for ImportSettings {
    fn default() -> ImportSettings {
        ImportSettings {
            profiles_dir: PathBuf::from("imports"),
            max_file_mb: 20,
            max_rows: 1_000_000,
            max_uncompressed_mb: 512,
            max_compression_ratio: 100,
            max_hours_per_month: 200,
            background_from_kb: 512,
            stale_after_secs: 120,
            max_running: 4,
            max_running_per_account: 2,
            error_workbook_days: 30,
            staging_chunk_rows: 100_000,
        }
    }
}

impl Default for FollowupSettings {
    fn default() -> FollowupSettings {
        let rules = FollowupRules::default();
        FollowupSettings {
            missing_months: rules.missing_months,
            ending_within_days: rules.ending_within_days,
        }
    }
}

impl Default for MailSettings {
    fn default() -> MailSettings {
        MailSettings {
            smtp_host: None,
            smtp_port: 587,
            tls: SmtpTls::Starttls,
            username: None,
            password: None,
            sender_address: "ne-pas-repondre@suivi-clauses.local".to_owned(),
            sender_name: "Suivi des clauses sociales".to_owned(),
            timeout_secs: 30,
            reminder_quiet_days: 7,
        }
    }
}

/// Hours in the longest month (31 days): no one works more in a month.
const MONTH_HOURS: u16 = 744;

#[derive(Debug, thiserror::Error)]
pub enum SettingsError {
    #[error("Le fichier de configuration {0} n'existe pas.")]
    MissingFile(PathBuf),
    #[error("Le fichier de configuration {0} est illisible : {1}")]
    Unreadable(PathBuf, String),
    #[error("Le fichier de configuration {0} n'est pas du TOML valide : {1}")]
    Syntax(PathBuf, String),
    #[error("Réglage incorrect ({origin}) : {detail}")]
    Key { origin: String, detail: String },
    #[error("Configuration incorrecte : {0}")]
    Invalid(String),
}

impl Settings {
    /// Reads defaults, then `file` (or `suivi-clauses.toml` if present), then the environment.
    pub fn load(file: Option<&Path>) -> Result<Settings, SettingsError> {
        let file = sources::read_file(file, Path::new(DEFAULT_CONFIG_FILE))?;
        let environment = std::env::vars_os().filter_map(|(name, value)| {
            Some((name.into_string().ok()?, value.into_string().ok()?))
        });
        Settings::from_sources(file, environment)
    }

    /// The same from given sources: a file's path and text, and environment variables.
    pub fn from_sources(
        file: Option<(PathBuf, String)>,
        environment: impl IntoIterator<Item = (String, String)>,
    ) -> Result<Settings, SettingsError> {
        let sources = Sources::gather(file, environment)?;
        let settings = Settings::deserialize(Lenient(toml::Value::Table(sources.table.clone())))
            .map_err(|e| sources.explain(e))?;
        settings.validate()?;
        Ok(settings)
    }

    fn validate(&self) -> Result<(), SettingsError> {
        self.database_url()?;
        self.admin_email()?;
        if !(1..=MONTH_HOURS).contains(&self.imports.max_hours_per_month) {
            return Err(SettingsError::Invalid(format!(
                "imports.max_hours_per_month doit être un nombre d'heures de 1 à {MONTH_HOURS} (un mois compte au plus {MONTH_HOURS} heures)."
            )));
        }
        if self.imports.max_running == 0 || self.imports.max_running_per_account == 0 {
            return Err(SettingsError::Invalid(
                "imports.max_running et imports.max_running_per_account doivent valoir au moins 1."
                    .into(),
            ));
        }
        if !(1..=120).contains(&self.followup.missing_months)
            || !(1..=3_660).contains(&self.followup.ending_within_days)
        {
            return Err(SettingsError::Invalid(
                "followup.missing_months doit être un nombre de mois de 1 à 120, et followup.ending_within_days un nombre de jours de 1 à 3660.".into(),
            ));
        }
        if self.figures.wait_ms > 10_000 || !(100..=3_600_000).contains(&self.figures.refresh_ms) {
            return Err(SettingsError::Invalid(
                "figures.wait_ms doit être un nombre de millisecondes de 0 à 10000, et figures.refresh_ms de 100 à 3600000.".into(),
            ));
        }
        self.validate_mail()?;
        if self.database.pool_size == 0 {
            return Err(SettingsError::Invalid(
                "database.pool_size doit valoir au moins 1.".into(),
            ));
        }
        Ok(())
    }

    fn validate_mail(&self) -> Result<(), SettingsError> {
        Email::parse(&self.mail.sender_address)
            .map_err(|e| SettingsError::Invalid(format!("mail.sender_address : {e}")))?;
        if self.mail.reminder_quiet_days == 0 || self.mail.timeout_secs == 0 {
            return Err(SettingsError::Invalid(
                "mail.reminder_quiet_days et mail.timeout_secs doivent valoir au moins 1.".into(),
            ));
        }
        if self.mail.username.is_some() != self.mail.password.is_some() {
            return Err(SettingsError::Invalid(
                "mail.username et mail.password vont ensemble : donnez les deux, ou aucun.".into(),
            ));
        }
        match &self.server.public_url {
            Some(url) if !(url.starts_with("https://") || url.starts_with("http://")) => {
                Err(SettingsError::Invalid(format!(
                    "server.public_url doit commencer par https:// ou http:// (« {url} »)."
                )))
            }
            _ => Ok(()),
        }
    }

    /// The address of the service in links sent out, without a final slash.
    pub fn public_url(&self) -> String {
        match &self.server.public_url {
            Some(url) => url.trim_end_matches('/').to_owned(),
            None => format!("http://{}:{}", self.server.host, self.server.port),
        }
    }

    /// What sending reminders needs.
    pub fn outbox(&self) -> Outbox {
        Outbox {
            mailer: self.mailer(),
            public_url: self.public_url(),
            quiet_days: self.mail.reminder_quiet_days,
        }
    }

    /// Who sends e-mail, and through which relay if one is set up.
    pub fn mailer(&self) -> Mailer {
        Mailer {
            relay: self.mail.smtp_host.as_ref().map(|host| Relay {
                host: host.clone(),
                port: self.mail.smtp_port,
                tls: self.mail.tls,
                username: self.mail.username.clone(),
                password: self.mail.password.clone(),
                timeout: Duration::from_secs(self.mail.timeout_secs),
            }),
            sender_address: self.mail.sender_address.clone(),
            sender_name: self.mail.sender_name.clone(),
        }
    }

    pub fn database_url(&self) -> Result<DatabaseUrl, SettingsError> {
        let parsed = match &self.database.url {
            Some(url) => DatabaseUrl::parse(url.expose_secret()),
            None => Ok(DatabaseUrl::Sqlite(self.data_dir.join("suivi-clauses.db"))),
        };
        parsed.map_err(|e| SettingsError::Invalid(e.to_string()))
    }

    pub fn pool_options(&self) -> PoolOptions {
        PoolOptions {
            max_size: self.database.pool_size,
            connect_timeout: Duration::from_secs(self.database.connect_timeout_secs),
            sqlite_busy_timeout: Duration::from_millis(self.database.sqlite_busy_timeout_ms),
            slow_statement: (self.database.slow_statement_ms > 0)
                .then(|| Duration::from_millis(self.database.slow_statement_ms)),
            import_pool_size: u32::try_from(self.imports.max_running).unwrap_or(u32::MAX),
        }
    }

    pub fn throttle_policy(&self) -> ThrottlePolicy {
        ThrottlePolicy {
            window: Duration::from_secs(self.auth.throttle_window_minutes * 60),
            free_failures: self.auth.free_failures,
            max_delay: Duration::from_secs(self.auth.max_delay_secs),
        }
    }

    pub fn import_limits(&self) -> ImportLimits {
        let mb = 1024 * 1024;
        ImportLimits {
            max_file_bytes: usize::try_from(self.imports.max_file_mb * mb).unwrap_or(usize::MAX),
            max_uncompressed_bytes: self.imports.max_uncompressed_mb * mb,
            max_compression_ratio: self.imports.max_compression_ratio,
            max_rows: self.imports.max_rows,
            max_hours_per_month: Hours::from_whole(i64::from(self.imports.max_hours_per_month))
                .expect("a number of hours below 65 536 is valid"),
            background_from_bytes: self.imports.background_from_kb.saturating_mul(1024),
            stale_after: std::time::Duration::from_secs(self.imports.stale_after_secs),
            max_running: self.imports.max_running,
            max_running_per_account: self.imports.max_running_per_account,
            error_workbook_days: self.imports.error_workbook_days,
            staging_chunk_rows: self.imports.staging_chunk_rows,
        }
    }

    /// The importer: profiles read from `imports.profiles_dir` (built-in where absent).
    pub fn importer(&self) -> Result<Importer, SettingsError> {
        let profiles = Profiles::load(Some(&self.imports.profiles_dir))
            .map_err(|e| SettingsError::Invalid(e.to_string()))?;
        Ok(
            Importer::new(profiles, self.import_limits())
                .with_obligations(self.obligation_rules()?),
        )
    }

    /// The obligation rules: the file `obligations.rules_file` names, else the built-in ones.
    pub fn obligation_rules(&self) -> Result<ObligationRules, SettingsError> {
        let (origin, text) = match &self.obligations.rules_file {
            Some(path) => (
                path.display().to_string(),
                std::fs::read_to_string(path)
                    .map_err(|e| SettingsError::Unreadable(path.clone(), e.to_string()))?,
            ),
            None => (
                "rules/obligations.toml".to_owned(),
                crate::domain::obligations::BUILT_IN.to_owned(),
            ),
        };
        toml::from_str(&text)
            .map_err(|e| SettingsError::Invalid(format!("règles des obligations ({origin}) : {e}")))
    }

    /// The organisation's name and logo, the logo file read and checked.
    pub fn organisation(&self) -> Result<organisation::Organisation, SettingsError> {
        organisation::Organisation::load(&self.organisation.name, self.organisation.logo.as_deref())
    }

    /// The rules of the « À faire » list: its dates, and the obligation rules in force.
    pub fn followup_rules(&self) -> Result<FollowupRules, SettingsError> {
        Ok(self.followup_rules_with(self.obligation_rules()?))
    }

    /// The date rules of the « À faire » list with obligation rules already read.
    pub fn followup_rules_with(&self, obligations: ObligationRules) -> FollowupRules {
        FollowupRules {
            missing_months: self.followup.missing_months,
            ending_within_days: self.followup.ending_within_days,
            obligations: std::sync::Arc::new(obligations),
        }
    }

    pub fn admin_email(&self) -> Result<Email, SettingsError> {
        Email::parse(&self.bootstrap.admin_email).map_err(|e| SettingsError::Invalid(e.to_string()))
    }
}
