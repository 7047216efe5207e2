//! Structured logs through tracing, to standard error so that standard output carries only what
//! the command prints for its user.

use tracing::Subscriber;
use tracing_subscriber::fmt::MakeWriter;
use tracing_subscriber::fmt::format::FmtSpan;
use tracing_subscriber::layer::SubscriberExt;
use tracing_subscriber::{EnvFilter, Registry};

use crate::configuration::LogFormat;

/// Builds the subscriber; `RUST_LOG`, when set, overrides the configured filter.
pub fn subscriber<W>(
    format: LogFormat,
    filter: &str,
    writer: W,
) -> Box<dyn Subscriber + Send + Sync>
where
    W: for<'a> MakeWriter<'a> + Send + Sync + 'static,
{
    let filter = EnvFilter::try_from_default_env().unwrap_or_else(|_| EnvFilter::new(filter));
    let registry = Registry::default().with(filter);
    // A line when each request span closes: method, path, status and time taken.
    let layer = tracing_subscriber::fmt::layer()
        .with_span_events(FmtSpan::CLOSE)
        .with_writer(writer);
    match format {
        LogFormat::Json => Box::new(registry.with(layer.json())),
        LogFormat::Pretty => Box::new(registry.with(layer)),
    }
}

/// Installs the subscriber for the process. A second call (as in tests) keeps the first.
pub fn init(format: LogFormat, filter: &str) {
    let _ = tracing::subscriber::set_global_default(subscriber(format, filter, std::io::stderr));
}
