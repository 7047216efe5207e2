//! `suivi-clauses import --kind … [--buyer SIRET] FILE`: the same import as the upload page.

use std::path::PathBuf;

use anyhow::Context;

use crate::configuration::Settings;
use crate::domain::{ImportKind, ImportStatus, Labelled, Siret};
use crate::import::Upload;
use crate::import::report::ImportReport;
use crate::storage::Database;
use crate::storage::audit::Actor;
use crate::storage::users::BuyerScope;

#[derive(Debug, clap::Args)]
pub struct ImportArgs {
    /// Type de fichier : contracts, structures, participants ou hours.
    #[arg(long)]
    kind: String,
    /// SIRET de l'acheteur concerné, pour les types qui en ont besoin.
    #[arg(long, value_name = "SIRET")]
    buyer: Option<String>,
    /// Importe à nouveau un fichier déjà importé au lieu de le refuser comme doublon.
    #[arg(long)]
    replace: bool,
    /// Écrit le rapport complet en JSON sur la sortie standard.
    #[arg(long)]
    json: bool,
    /// Le fichier : .xlsx, .xlsm, .xlsb, .xls, .ods ou .csv (reconnu d'après son contenu).
    file: PathBuf,
}

/// Succeeds only when the file was imported: a refused file exits non-zero.
pub fn run(args: ImportArgs, settings: &Settings, database: &Database) -> anyhow::Result<()> {
    let kind = ImportKind::parse_label(&args.kind)?;
    let buyer = args.buyer.as_deref().map(Siret::parse).transpose()?;
    let bytes =
        std::fs::read(&args.file).with_context(|| format!("lecture de {}", args.file.display()))?;
    let importer = settings.importer()?;
    let upload = Upload {
        kind,
        buyer,
        file_name: args.file.file_name().map_or_else(
            || "fichier".to_owned(),
            |n| n.to_string_lossy().into_owned(),
        ),
        bytes,
        replace: args.replace,
        // The operator at the command line imports for any buyer.
        scope: BuyerScope::AllBuyers,
    };
    let mut conn = database.connection()?;
    let report = importer.run(&mut conn, upload, &Actor::command_line())?;
    if args.json {
        println!("{}", serde_json::to_string_pretty(&report)?);
    } else {
        print_report(&report);
    }
    match report.status {
        ImportStatus::Succeeded => Ok(()),
        _ => anyhow::bail!("{}", report.summary()),
    }
}

fn print_report(report: &ImportReport) {
    if report.status == ImportStatus::Succeeded {
        println!("{}", report.summary());
    }
    if let (Some(sheet), Some(row)) = (&report.sheet, report.header_row) {
        println!(
            "{} : feuille « {sheet} », en-têtes ligne {row}, {} ligne(s) lue(s).",
            report.kind.label(),
            report.rows_read
        );
    }
    for warning in &report.warnings {
        println!("Attention : {warning}");
    }
    for problem in &report.problems {
        let column = problem
            .column
            .as_deref()
            .map(|c| format!(", colonne « {c} »"))
            .unwrap_or_default();
        let value = problem
            .value
            .as_deref()
            .map(|v| format!(" (valeur « {v} »)"))
            .unwrap_or_default();
        println!(
            "Feuille « {} », ligne {}{column}{value} : {}",
            problem.sheet, problem.row, problem.message
        );
    }
}

/// `suivi-clauses template --kind … FILE`.
pub fn write_template(
    kind: &str,
    file: &std::path::Path,
    settings: &Settings,
) -> anyhow::Result<()> {
    let kind = ImportKind::parse_label(kind)?;
    let bytes = settings.importer()?.template(kind)?;
    std::fs::write(file, bytes).with_context(|| format!("écriture de {}", file.display()))?;
    println!("Modèle « {} » écrit dans {}.", kind.label(), file.display());
    Ok(())
}
