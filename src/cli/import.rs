//! `suivi-clauses import --kind … [--buyer SIRET] FILE`: the same import as the upload page.

use std::path::PathBuf;

use anyhow::Context;
use indicatif::{ProgressBar, ProgressStyle};

use crate::app::imports::UploadInput;
use crate::app::{self, Caller};
use crate::configuration::Settings;

use crate::domain::{ImportStatus, Labelled};
use crate::import::Upload;
use crate::import::progress::{Counters, JobProgress};
use crate::import::report::ImportReport;
use crate::storage::Database;

#[derive(Debug, clap::Args)]
pub struct ImportArgs {
    /// Type de fichier : contracts, structures, participants, hours ou work_contracts.
    #[arg(long)]
    kind: String,
    /// SIRET de l'acheteur concerné, pour les types qui en ont besoin.
    #[arg(long, value_name = "SIRET")]
    buyer: Option<String>,
    /// Importe à nouveau un fichier déjà importé au lieu de le refuser comme doublon.
    #[arg(long)]
    replace: bool,
    /// Fichier DECP : importe les marchés valides et liste les autres, au lieu de refuser le
    /// fichier entier.
    #[arg(long)]
    skip_invalid: bool,
    /// Fichier DECP : seulement les marchés exécutés dans ce département (code du lieu
    /// d'exécution), par exemple 31.
    #[arg(long, value_name = "CODE")]
    departement: Option<String>,
    /// Écrit le rapport complet en JSON sur la sortie standard.
    #[arg(long)]
    json: bool,
    /// Le fichier : .xlsx, .xlsm, .xlsb, .xls, .ods ou .csv, ou DECP .json pour le registre
    /// (reconnu d'après son contenu).
    file: PathBuf,
}

/// Succeeds only when the file was imported: a refused file exits non-zero.
pub fn run(args: ImportArgs, settings: &Settings, database: &Database) -> anyhow::Result<()> {
    // The operator at the command line imports any kind, for any buyer.
    let caller = Caller::command_line();
    let input = UploadInput {
        kind: args.kind.clone(),
        buyer: args.buyer.clone(),
        file_name: args.file.file_name().map_or_else(
            || "fichier".to_owned(),
            |n| n.to_string_lossy().into_owned(),
        ),
        bytes: Vec::new(),
        replace: args.replace,
        skip_invalid: args.skip_invalid,
        departement: args.departement.clone(),
        spooled: None,
    };
    // Checked before the file is read: its kind and buyer.
    let mut upload = app::imports::upload_of(&caller, input)?;
    read_file(&mut upload, &args.file)?;
    let importer = settings.importer()?;
    let mut conn = database.connection()?;
    let job = app::imports::start(&mut conn, &importer, &caller, &upload)?;
    let bar = ProgressBar::new_spinner();
    let mut shown_phase = None;
    let mut progress = JobProgress::new(job.id, database, importer.live_jobs().clone()).watched_by(
        |counters: Counters| {
            if shown_phase != Some(counters.phase) {
                shown_phase = Some(counters.phase);
                bar.set_length(counters.rows_total as u64);
                bar.set_style(bar_style(counters.rows_total));
                bar.set_message(counters.phase.label());
            }
            bar.set_position(counters.rows_done as u64);
        },
    );
    let report = app::imports::complete(&mut conn, &importer, &caller, &job, upload, &mut progress);
    drop(progress);
    bar.finish_and_clear();
    let report = report?;
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

/// The file, read as [`Upload::read_from`] does: a DECP register from disk as it goes.
fn read_file(upload: &mut Upload, path: &std::path::Path) -> anyhow::Result<()> {
    upload
        .read_from(path)
        .with_context(|| format!("lecture de {}", path.display()))
}

/// A bar with rows done out of the total when known, otherwise a spinner. Drawn on standard
/// error, and only on a terminal.
fn bar_style(total: usize) -> ProgressStyle {
    let template = if total > 0 {
        "{msg} [{bar:30}] {pos}/{len} lignes ({eta})"
    } else {
        "{spinner} {msg}…"
    };
    ProgressStyle::with_template(template)
        .unwrap_or_else(|_| ProgressStyle::default_bar())
        .progress_chars("=> ")
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
        if let Some(id) = &problem.record {
            println!(
                "Marché « {id} » (n° {}), champ « {} »{} : {}",
                problem.row,
                problem.column.as_deref().unwrap_or_default(),
                shown_value(problem.value.as_deref()),
                problem.message
            );
            continue;
        }
        let column = problem
            .column
            .as_deref()
            .map(|c| format!(", colonne « {c} »"))
            .unwrap_or_default();
        println!(
            "Feuille « {} », ligne {}{column}{} : {}",
            problem.sheet,
            problem.row,
            shown_value(problem.value.as_deref()),
            problem.message
        );
    }
    print_records(report);
}

/// A DECP file's records left out and modifications applied.
fn print_records(report: &ImportReport) {
    for skipped in report.records_skipped.iter().flatten() {
        println!(
            "Marché « {} » (n° {}) laissé de côté, champ « {} »{} : {}",
            skipped.id,
            skipped.position,
            skipped.path,
            shown_value(skipped.value.as_deref()),
            skipped.message
        );
    }
    for line in &report.amendments {
        println!("{line}");
    }
}

fn shown_value(value: Option<&str>) -> String {
    value
        .map(|v| format!(" (valeur « {v} »)"))
        .unwrap_or_default()
}

/// `suivi-clauses template --kind … FILE`.
pub fn write_template(
    kind: &str,
    file: &std::path::Path,
    settings: &Settings,
) -> anyhow::Result<()> {
    let kind = app::imports::kind_of(kind)?;
    let bytes = app::imports::blank_template(&settings.importer()?, &Caller::command_line(), kind)?;
    std::fs::write(file, bytes).with_context(|| format!("écriture de {}", file.display()))?;
    println!("Modèle « {} » écrit dans {}.", kind.label(), file.display());
    Ok(())
}

/// `suivi-clauses undo-import ID`: the same undoing as the import's page, by the operator.
pub fn undo(id: i64, database: &Database) -> anyhow::Result<()> {
    let mut conn = database.connection()?;
    let undone = app::import_undo::undo(&mut conn, &Caller::command_line(), id.into())?;
    println!(
        "Import n° {} (« {} ») annulé : {} relevé(s) retiré(s), {} rétabli(s) tel(s) qu'avant lui ; {} retirées ou remplacées.",
        undone.id, undone.file_name, undone.removed, undone.restored, undone.hours
    );
    Ok(())
}
