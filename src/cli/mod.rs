//! The `suivi-clauses` command: the service, its schema, and the administration tasks.
//!
//! Every command answers in French; errors go to standard error with a non-zero exit code.

mod backup;
mod buyer;
mod clause;
mod export;
mod followup;
mod import;
mod obligations;
mod purge;
mod remind;
mod review;
mod scope_args;
mod serve;
mod stats;
mod user;
mod verify;

use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Parser, Subcommand};

use crate::configuration::Settings;
use crate::domain::Labelled;
use crate::storage::Database;
use crate::telemetry;

#[derive(Debug, Parser)]
#[command(
    name = "suivi-clauses",
    version,
    about = "Suivi des clauses sociales d'insertion des marchés publics",
    long_about = "Suivi des clauses sociales d'insertion, des marchés réservés et de la charte de la \
                  commande publique. La base est choisie par DATABASE_URL (sqlite://… ou postgres://…) ; \
                  par défaut, une base SQLite dans ./data."
)]
pub struct Cli {
    /// Fichier de configuration TOML (par défaut : suivi-clauses.toml s'il existe).
    #[arg(long, global = true, env = "SUIVI_CONFIG", value_name = "FICHIER")]
    config: Option<PathBuf>,

    #[command(subcommand)]
    command: Command,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Démarre le service web (applique les migrations et crée l'administrateur au premier lancement).
    Serve {
        /// Charge le jeu d'exemple (intégré au programme) si la base ne contient encore aucun acheteur.
        #[arg(long)]
        example_data: bool,
    },
    /// Applique les migrations de schéma en attente.
    Migrate,
    /// Gère les acheteurs publics.
    Buyer {
        #[command(subcommand)]
        action: buyer::BuyerCommand,
    },
    /// Gère les comptes utilisateurs.
    User {
        #[command(subcommand)]
        action: user::UserCommand,
    },
    /// Importe un fichier (tableur ou CSV) : tout ou rien, avec un rapport des problèmes.
    Import(import::ImportArgs),
    /// Annule un import de relevés d'heures envoyé par erreur : ses relevés sont retirés, les
    /// valeurs qu'il avait remplacées rétablies ; refusé si une clause concernée est close ou si
    /// un import plus récent a corrigé ces heures.
    UndoImport {
        /// Numéro de l'import (page Imports, ou `GET /api/imports`).
        import: i64,
    },
    /// Relevés d'heures : ceux en attente de validation, et les décisions (valider, rejeter,
    /// rouvrir un mois validé).
    Review {
        #[command(subcommand)]
        action: review::ReviewCommand,
    },
    /// Clauses d'insertion : la clôture d'une clause (les mêmes règles que la page du marché).
    Clause {
        #[command(subcommand)]
        action: clause::ClauseCommand,
    },
    /// À faire : relevés manquants ou à valider, clauses en retard près de leur fin ou terminées
    /// sous l'objectif, éligibilités à valider (la liste de la page « À faire »).
    Followup(followup::FollowupArgs),
    /// Relance par courriel chaque entreprise dont des relevés d'heures manquent (une fois par
    /// période de relance) ; sans relais SMTP configuré, les relances sont enregistrées « à
    /// envoyer ».
    Remind(remind::RemindArgs),
    /// Indicateurs de la charte et des heures d'insertion d'une année (les mêmes que l'API).
    Stats(stats::StatsArgs),
    /// État de chaque marché au regard des obligations de l'acheteur (condition sociale au-delà
    /// des seuils européens, condition environnementale), les mêmes que l'API.
    Obligations(obligations::ObligationsArgs),
    /// Écrit un classeur de suivi, un relevé ou le détail des heures (les fichiers de l'API).
    Export(export::ExportArgs),
    /// Écrit le modèle .xlsx d'un type d'import (en-têtes, listes déroulantes, aide).
    Template {
        /// Type de fichier : contracts, structures, participants, hours ou work_contracts.
        #[arg(long)]
        kind: String,
        /// Fichier .xlsx à écrire.
        file: PathBuf,
    },
    /// Écrit un jeu de données réaliste et reproductible de la taille voulue (acheteurs, marchés,
    /// entreprises, structures, participants, relevés d'heures en CSV et .xlsx), pour les mesures.
    Gen {
        /// Nombre de lignes de relevés d'heures.
        #[arg(long)]
        rows: u64,
        /// Importe aussi le jeu dans la base (comme le jeu d'exemple), si elle n'a aucun acheteur.
        #[arg(long)]
        load: bool,
        /// Dossier à écrire.
        dir: PathBuf,
    },
    /// Écrit une copie cohérente de la base SQLite, même pendant que le service tourne (sur
    /// PostgreSQL : pg_dump).
    Backup {
        /// Fichier à écrire (il ne doit pas exister).
        file: PathBuf,
    },
    /// Remplace la base SQLite par une sauvegarde, vérifiée d'abord ; le service doit être arrêté.
    Restore {
        /// Sauvegarde à restaurer.
        file: PathBuf,
    },
    /// Efface les données personnelles des participants sans activité depuis une date (fin de la
    /// durée de conservation) ; les heures et les indicateurs restent inchangés.
    Purge {
        /// Date de coupure (AAAA-MM-JJ ou JJ/MM/AAAA).
        #[arg(long, value_name = "DATE")]
        before: String,
    },
    /// Recalcule les agrégats mensuels des heures depuis les lignes d'heures et les compare à
    /// ceux que tiennent les écritures ; affiche chaque écart et sort en erreur s'il y en a.
    Verify(verify::VerifyArgs),
}

/// Parses the command line, runs the command and turns any error into a message and exit code.
pub fn run() -> ExitCode {
    let cli = Cli::parse();
    match execute(cli) {
        Ok(()) => ExitCode::SUCCESS,
        Err(error) => {
            eprintln!("Erreur : {error:#}");
            exit_code_of(&error)
        }
    }
}

/// A use case's refusal exits with its code's status; any other failure with 1.
fn exit_code_of(error: &anyhow::Error) -> ExitCode {
    error
        .downcast_ref::<crate::app::AppError>()
        .map_or(ExitCode::FAILURE, |e| ExitCode::from(e.code.exit_status()))
}

fn execute(cli: Cli) -> anyhow::Result<()> {
    let settings = Settings::load(cli.config.as_deref())?;
    telemetry::init(settings.log.format, &settings.log.filter);
    // Held until the command ends, so that a restore cannot replace the database meanwhile.
    let _in_use = match &cli.command {
        Command::Restore { .. } | Command::Template { .. } | Command::Gen { load: false, .. } => {
            None
        }
        _ => backup::claim(&settings)?,
    };
    match cli.command {
        Command::Serve { example_data } => serve::run(settings, example_data),
        Command::Migrate => migrate(&settings),
        Command::Buyer { action } => buyer::run(
            action,
            &open_database(&settings)?,
            &settings.obligation_rules()?,
        ),
        Command::User { action } => user::run(action, &open_database(&settings)?),
        Command::Template { kind, file } => import::write_template(&kind, &file, &settings),
        Command::Import(args) => import::run(args, &settings, &open_database(&settings)?),
        Command::UndoImport { import } => import::undo(import, &open_database(&settings)?),
        Command::Review { action } => review::run(action, &open_database(&settings)?),
        Command::Clause { action } => clause::run(action, &open_database(&settings)?),
        Command::Stats(args) => stats::run(args, &open_database(&settings)?),
        Command::Followup(args) => followup::run(
            args,
            &open_database(&settings)?,
            &settings.followup_rules()?,
        ),
        Command::Remind(args) => remind::run(args, &settings, &open_database(&settings)?),
        Command::Obligations(args) => obligations::run(
            args,
            &open_database(&settings)?,
            &settings.obligation_rules()?,
        ),
        Command::Export(args) => export::run(
            args,
            &open_database(&settings)?,
            &settings.obligation_rules()?,
        ),
        Command::Backup { file } => backup::back_up(&settings, &file),
        Command::Restore { file } => backup::restore(&settings, &file),
        Command::Purge { before } => {
            purge::run(&before, &open_database(&settings)?, &settings.importer()?)
        }
        Command::Gen { rows, load, dir } => generate(rows, load, &dir, &settings),
        Command::Verify(args) => verify::run(args, &open_database(&settings)?),
    }
}

/// Connects and brings the schema up to date, as every command that touches data needs.
fn open_database(settings: &Settings) -> anyhow::Result<Database> {
    let database = Database::connect(settings.database_url()?, &settings.pool_options())?;
    database.migrate()?;
    Ok(database)
}

fn generate(
    rows: u64,
    load: bool,
    dir: &std::path::Path,
    settings: &Settings,
) -> anyhow::Result<()> {
    let generated = crate::generator::generate(dir, rows)?;
    let s = generated.scale;
    println!(
        "Jeu écrit dans {} : {} acheteurs, {} marchés, {} entreprises, {} structures, {} participants, {} lignes d'heures.",
        dir.display(),
        s.buyers,
        s.contracts,
        s.companies,
        s.structures,
        s.participants,
        s.hour_rows
    );
    if load {
        let database = open_database(settings)?;
        let importer = settings.importer()?;
        let mut conn = database.connection()?;
        let dataset = crate::import::examples::Dataset::read_dir(dir)?;
        if crate::import::examples::load(&mut conn, &importer, &dataset)?
            == crate::import::examples::Loaded::Skipped
        {
            println!("La base contient déjà des acheteurs : rien n'a été importé.");
            return Ok(());
        }
        let caller = crate::app::Caller::command_line();
        let input = crate::app::imports::UploadInput {
            kind: crate::domain::ImportKind::Hours.code().to_owned(),
            buyer: None,
            file_name: "heures.csv".to_owned(),
            bytes: std::fs::read(&generated.hours_csv)?,
            replace: false,
            skip_invalid: false,
            departement: None,
            spooled: None,
        };
        let upload = crate::app::imports::upload_of(&caller, input)?;
        let report = crate::app::imports::run(&mut conn, &importer, &caller, upload)?;
        println!("Jeu importé ; relevés d'heures : {}", report.summary());
    }
    Ok(())
}

fn migrate(settings: &Settings) -> anyhow::Result<()> {
    let database = Database::connect(settings.database_url()?, &settings.pool_options())?;
    let applied = database.migrate()?;
    if applied.is_empty() {
        println!("Le schéma de {} est déjà à jour.", database.describe());
    } else {
        println!(
            "{} migration(s) appliquée(s) à {} :",
            applied.len(),
            database.describe()
        );
        for version in applied {
            println!("  {version}");
        }
    }
    Ok(())
}
