//! `suivi-clauses export --kind … --year … FILE`: the files the API gives, written from the
//! command line with an administrator's view.

use std::fs::File;
use std::io::Write;
use std::path::{Path, PathBuf};

use anyhow::Context;
use chrono::NaiveDate;

use super::scope_args::ScopeArgs;
use crate::app::exports::DetailFormat;
use crate::app::indicators::FiguresRequest;
use crate::app::spaser::SpaserFormat;
use crate::app::{self, Caller};
use crate::domain::ObligationRules;
use crate::export;
use crate::indicators::{Breakdowns, FigureCache, Period};
use crate::storage::{Database, DbConnection};

#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum ExportKind {
    /// Classeur de suivi annuel (.xlsx).
    Compliance,
    /// Relevé d'un marché (.xlsx) : --contract.
    Contract,
    /// Relevé d'une entreprise (.xlsx) : --company.
    Company,
    /// Détail des heures, pseudonymes (.xlsx).
    Hours,
    /// Détail des heures en CSV (;).
    HoursCsv,
    /// Marchés d'un acheteur au format DECP 2024 (.json) : --buyer.
    Decp,
    /// Indicateurs du SPASER de l'année (.xlsx, ou CSV open data avec --format csv).
    Spaser,
    /// Rapport annuel aux financeurs (.xlsx) : heures, participants, contrats de travail,
    /// entreprises, sorties, et la méthode de chaque ligne.
    AnnualReport,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum FileFormat {
    /// Classeur (.xlsx).
    Xlsx,
    /// CSV open data (séparateur virgule, point décimal).
    Csv,
}

#[derive(Debug, clap::Args)]
pub struct ExportArgs {
    /// Ce qu'il faut écrire.
    #[arg(long, value_enum)]
    kind: ExportKind,
    /// Année civile (classeur : obligatoire ; détail : toutes les années sinon).
    #[arg(long)]
    year: Option<i32>,
    #[command(flatten)]
    scope: ScopeArgs,
    /// Numéro du marché (relevé d'un marché), tel que le donne GET /api/contracts.
    #[arg(long)]
    contract: Option<i64>,
    /// SIRET de l'entreprise (relevé d'une entreprise).
    #[arg(long, value_name = "SIRET")]
    company: Option<String>,
    /// Date de situation des relevés (AAAA-MM-JJ) ; aujourd'hui sinon.
    #[arg(long, value_name = "DATE")]
    at: Option<NaiveDate>,
    /// Format du fichier (SPASER) : xlsx par défaut.
    #[arg(long, value_enum)]
    format: Option<FileFormat>,
    /// Fichier à écrire.
    file: PathBuf,
}

pub fn run(args: ExportArgs, database: &Database, rules: &ObligationRules) -> anyhow::Result<()> {
    let mut conn = database.connection()?;
    let caller = Caller::command_line();
    match args.kind {
        ExportKind::Compliance => compliance(&args, &mut conn, &caller, rules)?,
        ExportKind::Contract => {
            let id = args.contract.context("indiquez le marché : --contract N")?;
            let statement = app::contracts::statement(&mut conn, &caller, id.into(), at(&args))?;
            write(&args.file, &app::exports::statement_workbook(&statement)?)?;
        }
        ExportKind::Company => {
            let siret = args
                .company
                .as_deref()
                .context("indiquez l'entreprise : --company SIRET")?;
            let siret = app::companies::company_of(siret)?;
            let statement = app::companies::statement(&mut conn, &caller, &siret, at(&args))?;
            write(&args.file, &app::exports::statement_workbook(&statement)?)?;
        }
        ExportKind::Hours => detail(&args, &mut conn, &caller, DetailFormat::Xlsx)?,
        ExportKind::HoursCsv => detail(&args, &mut conn, &caller, DetailFormat::Csv)?,
        ExportKind::Decp => decp(&args, &mut conn, &caller)?,
        ExportKind::Spaser => spaser(&args, &mut conn, &caller, rules)?,
        ExportKind::AnnualReport => {
            let year = args
                .year
                .context("indiquez l'année du rapport : --year 2025")?;
            let narrowing = args.scope.narrowing()?;
            let bytes = app::exports::annual_report(
                &mut conn,
                &FigureCache::default(),
                &caller,
                year,
                &narrowing,
            )?;
            write(&args.file, &bytes)?;
        }
    }
    println!("Écrit : {}", args.file.display());
    Ok(())
}

/// The date statements are assessed at: today unless asked.
fn at(args: &ExportArgs) -> NaiveDate {
    args.at.unwrap_or_else(app::today)
}

fn compliance(
    args: &ExportArgs,
    conn: &mut DbConnection,
    caller: &Caller,
    rules: &ObligationRules,
) -> anyhow::Result<()> {
    let year = args
        .year
        .context("indiquez l'année du classeur : --year 2025")?;
    let request = FiguresRequest {
        period: Period::year(year).context("année incorrecte")?,
        narrowing: args.scope.narrowing()?,
        subcontractors: args.scope.subcontractors,
        breakdowns: Breakdowns::ALL,
    };
    let bytes = app::exports::compliance(conn, &FigureCache::default(), caller, rules, &request)?;
    write(&args.file, &bytes)
}

fn detail(
    args: &ExportArgs,
    conn: &mut DbConnection,
    caller: &Caller,
    format: DetailFormat,
) -> anyhow::Result<()> {
    let narrowing = args.scope.narrowing()?;
    let mut file = create(&args.file)?;
    let rows = app::exports::detail(conn, caller, &narrowing, args.year, format, &mut file)?;
    println!("{rows} ligne(s) d'heures.");
    Ok(())
}

fn decp(args: &ExportArgs, conn: &mut DbConnection, caller: &Caller) -> anyhow::Result<()> {
    let narrowing = args.scope.narrowing()?;
    let siret = narrowing
        .buyer
        .as_ref()
        .context("indiquez l'acheteur : --buyer SIRET")?;
    let document = app::exports::decp(conn, caller, siret, args.year)?;
    write(&args.file, &serde_json::to_vec_pretty(&document)?)?;
    println!(
        "Champs absents du registre, écrits avec une valeur par défaut à vérifier avant publication :"
    );
    for (field, value) in export::decp::DEFAULTS {
        println!("  {field} : {value}");
    }
    Ok(())
}

fn spaser(
    args: &ExportArgs,
    conn: &mut DbConnection,
    caller: &Caller,
    rules: &ObligationRules,
) -> anyhow::Result<()> {
    let year = args
        .year
        .context("indiquez l'année du rapport : --year 2025")?;
    let format = match args.format {
        Some(FileFormat::Csv) => SpaserFormat::Csv,
        Some(FileFormat::Xlsx) | None => SpaserFormat::Xlsx,
    };
    let narrowing = args.scope.narrowing()?;
    let bytes = app::spaser::file(conn, caller, rules, year, &narrowing, format)?;
    write(&args.file, &bytes)
}

fn create(path: &Path) -> anyhow::Result<File> {
    File::create(path).with_context(|| format!("impossible d'écrire {}", path.display()))
}

fn write(path: &Path, bytes: &[u8]) -> anyhow::Result<()> {
    create(path)?.write_all(bytes)?;
    Ok(())
}
