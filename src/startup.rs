//! Builds the application from its settings: database, migrations, first administrator, server.

use std::net::TcpListener;
use std::pin::Pin;
use std::sync::Arc;
use std::task::Poll;

use actix_web::dev::Server;
use actix_web::{App, HttpServer};
use tracing_actix_web::TracingLogger;

use std::time::Duration;

use crate::accounts::tokens::TokenKeys;
use crate::accounts::{self, InitialAdmin, login, signing_key};
use crate::configuration::Settings;
use crate::configuration::organisation::Organisation;
use crate::domain::ObligationRules;
use crate::import::Importer;
use crate::indicators::{FigureCache, Refreshed};
use crate::storage::Database;
use crate::web;
use crate::web::auth::AuthState;

pub struct Application {
    port: u16,
    host: String,
    database: Database,
    figures: Arc<FigureCache>,
    /// How often the refresh loop looks at the data versions (`figures.refresh_ms`).
    refresh_period: Duration,
    initial_admin: Option<InitialAdmin>,
    server: Server,
}

impl Application {
    /// Connects, migrates, creates the first administrator if there is none, and binds the port
    /// (0 picks a free one). The server serves and heeds stop signals from then on;
    /// `run_until_stopped` waits for it to stop.
    pub async fn build(settings: Settings) -> anyhow::Result<Application> {
        std::fs::create_dir_all(&settings.data_dir).map_err(|e| {
            anyhow::anyhow!(
                "Impossible de créer le dossier de données {} : {e}",
                settings.data_dir.display()
            )
        })?;
        prepare_spool(&settings.data_dir)?;
        let url = settings.database_url()?;
        let options = settings.pool_options();
        let admin_email = settings.admin_email()?;
        let admin_password = settings.bootstrap.admin_password.clone();
        let importer = settings.importer()?;
        let stale_after = importer.limits().stale_after;
        let obligations = importer.obligations().clone();
        let organisation = settings.organisation()?;
        let signing_key =
            signing_key::load_or_create(&settings.data_dir, settings.auth.jwt_secret.as_ref())?;
        let auth = AuthState {
            keys: TokenKeys::new(
                &signing_key,
                Duration::from_secs(settings.auth.token_lifetime_minutes * 60),
            ),
            throttle: settings.throttle_policy(),
            trusted_proxies: settings.server.trusted_proxies.clone(),
            secure_cookies: settings.auth.secure_cookies,
        };
        let (database, initial_admin) =
            tokio::task::spawn_blocking(move || -> anyhow::Result<_> {
                login::warm_up();
                let database = Database::connect(url, &options)?;
                database.migrate()?;
                let mut conn = database.connection()?;
                let discarded = crate::import::importer::discard_abandoned(&mut conn, stale_after)?;
                if discarded > 0 {
                    tracing::warn!(
                        discarded,
                        "hour entries staged by imports cut off, discarded"
                    );
                }
                let initial_admin =
                    accounts::bootstrap_admin(&mut conn, admin_email, admin_password)?;
                Ok((database, initial_admin))
            })
            .await??;

        let listener = TcpListener::bind((settings.server.host.as_str(), settings.server.port))
            .map_err(|e| {
                anyhow::anyhow!(
                    "Impossible d'écouter sur {}:{} : {e} (le port est-il déjà pris ?)",
                    settings.server.host,
                    settings.server.port
                )
            })?;
        let port = listener.local_addr()?.port();
        let figures = Arc::new(FigureCache::new(settings.figures.wait()));
        let mut server = run(
            listener,
            database.clone(),
            figures.clone(),
            auth,
            (importer, obligations),
            organisation,
            &settings,
        )?;
        started(&mut server).await?;
        Ok(Application {
            port,
            host: settings.server.host,
            database,
            figures,
            refresh_period: settings.figures.refresh(),
            initial_admin,
            server,
        })
    }

    pub fn port(&self) -> u16 {
        self.port
    }

    /// The address people open in their browser.
    pub fn base_url(&self) -> String {
        format!("http://{}:{}", self.host, self.port)
    }

    pub fn database(&self) -> &Database {
        &self.database
    }

    /// Set on the first start only: the administrator account that was just created.
    pub fn initial_admin(&self) -> Option<&InitialAdmin> {
        self.initial_admin.as_ref()
    }

    /// Stops the server from within the process (benchmarks run several in turn). Its refresh
    /// loop is stopped with it, once a computation under way has ended (it runs on a blocking
    /// thread, which cannot be interrupted).
    pub fn stop_handle(&self) -> actix_web::dev::ServerHandle {
        self.server.handle()
    }

    /// Serves until SIGINT or SIGTERM, then lets in-flight requests finish.
    /// Meanwhile, recomputes in the background the figures a write made stale.
    pub async fn run_until_stopped(self) -> std::io::Result<()> {
        let refresh = tokio::spawn(refresh_figures(
            self.database,
            self.figures,
            self.refresh_period,
        ));
        let stopped = self.server.await;
        refresh.abort();
        stopped
    }
}

/// Polls the server once: its workers start and its SIGTERM/SIGINT handlers are set, which
/// actix does at the first poll only. Done before the service says it is ready, so that a stop
/// asked right after that message drains the server instead of killing the process outright.
async fn started(server: &mut Server) -> anyhow::Result<()> {
    match std::future::poll_fn(|cx| Poll::Ready(Pin::new(&mut *server).poll(cx))).await {
        Poll::Pending => Ok(()),
        Poll::Ready(stopped) => {
            stopped?;
            anyhow::bail!("Le serveur s'est arrêté dès son démarrage.")
        }
    }
}

/// Computes, one at a time, the figures readers lately read that a write made out of date:
/// on every period, and at once when a reader met some (it waits for them a moment, then is
/// answered the previous ones).
async fn refresh_figures(database: Database, figures: Arc<FigureCache>, period: Duration) {
    loop {
        // Either way, on to a refresh: the wait ending is the cue.
        let _ = tokio::time::timeout(period, figures.stale_met()).await;
        let figures = figures.clone();
        match database
            .run(
                move |conn| -> Result<Refreshed, crate::storage::StorageError> {
                    Ok(figures.refresh(conn)?)
                },
            )
            .await
        {
            Ok(Refreshed {
                forgotten: 0,
                recomputed: 0,
            }) => {}
            Ok(Refreshed {
                forgotten,
                recomputed,
            }) => tracing::debug!(
                forgotten,
                recomputed,
                "figures of the new data version computed"
            ),
            Err(error) => tracing::warn!(%error, "figures not recomputed"),
        }
    }
}

fn run(
    listener: TcpListener,
    database: Database,
    figures: Arc<FigureCache>,
    auth: AuthState,
    (importer, obligations): (Importer, ObligationRules),
    organisation: Organisation,
    settings: &Settings,
) -> std::io::Result<Server> {
    let organisation = actix_web::web::Data::new(organisation);
    let obligations = actix_web::web::Data::new(obligations);
    let database = actix_web::web::Data::new(database);
    let auth = actix_web::web::Data::new(auth);
    let upload_limit = importer.limits().max_file_bytes;
    let importer = actix_web::web::Data::new(importer);
    let figures = actix_web::web::Data::from(figures);
    let json_limit = settings.server.json_limit_bytes;
    let followup_rules =
        actix_web::web::Data::new(settings.followup_rules_with(obligations.get_ref().clone()));
    let outbox = actix_web::web::Data::new(settings.outbox());
    let spool = web::upload::spool_directory(&settings.data_dir);
    let mut server = HttpServer::new(move || {
        App::new()
            .wrap(web::security_headers())
            .wrap(TracingLogger::<web::request_log::RouteSpans>::new())
            .app_data(database.clone())
            .app_data(auth.clone())
            .app_data(importer.clone())
            .app_data(obligations.clone())
            .app_data(figures.clone())
            .app_data(followup_rules.clone())
            .app_data(organisation.clone())
            .app_data(outbox.clone())
            .app_data(web::upload::upload_config(upload_limit))
            .app_data(web::upload::spool_config(spool.clone()))
            .app_data(web::json_config(json_limit))
            .app_data(web::query_config())
            .app_data(web::path_config())
            .configure(web::routes)
            .default_service(actix_web::web::to(web::not_found))
    })
    .shutdown_timeout(settings.server.shutdown_timeout_secs)
    .listen(listener)?;
    if let Some(workers) = settings.server.workers {
        server = server.workers(workers);
    }
    Ok(server.run())
}

/// The folder uploads are written to, created, and emptied of what a crashed run left.
fn prepare_spool(data_dir: &std::path::Path) -> anyhow::Result<()> {
    let spool = web::upload::spool_directory(data_dir);
    std::fs::create_dir_all(&spool).map_err(|e| {
        anyhow::anyhow!(
            "Impossible de créer le dossier des fichiers reçus {} : {e}",
            spool.display()
        )
    })?;
    let leftovers = web::upload::clear_spool(&spool).map_err(|e| {
        anyhow::anyhow!(
            "Impossible de vider le dossier des fichiers reçus {} : {e}",
            spool.display()
        )
    })?;
    if leftovers > 0 {
        tracing::info!(leftovers, "temporary uploads of an earlier run removed");
    }
    Ok(())
}
