//! `suivi-clauses export --kind … --year … FILE`: the files the API gives, written from the
//! command line with an administrator's view.

use std::fs::File;
use std::io::{BufWriter, Write};
use std::path::{Path, PathBuf};

use anyhow::Context;
use chrono::NaiveDate;

use super::scope_args::ScopeArgs;
use crate::domain::Siret;
use crate::export;
use crate::indicators::{FigureCache, Options, Period, report, statement};
use crate::storage::Database;
use crate::storage::users::BuyerScope;

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
    /// Fichier à écrire.
    file: PathBuf,
}

pub fn run(args: ExportArgs, database: &Database) -> anyhow::Result<()> {
    let today = chrono::Utc::now().date_naive();
    let at = args.at.unwrap_or(today);
    let mut conn = database.connection()?;
    let (buyer, scope) = args.scope.resolve(&mut conn)?;
    let everything = BuyerScope::AllBuyers;
    match args.kind {
        ExportKind::Compliance => {
            let year = args
                .year
                .context("indiquez l'année du classeur : --year 2025")?;
            let period = Period::year(year).context("année incorrecte")?;
            let options = Options {
                include_subcontractors: args.scope.subcontractors,
                suppress_small_groups: true,
                breakdowns: crate::indicators::Breakdowns::ALL,
            };
            let filters = Vec::new();
            let figures = FigureCache::default();
            let report =
                report::gather(&mut conn, &figures, &scope, period, options, filters, today)?;
            write(&args.file, &export::compliance::workbook(&report)?)?;
        }
        ExportKind::Contract => {
            let id = args.contract.context("indiquez le marché : --contract N")?;
            let statement = statement::of_contract(&mut conn, &everything, id, at)?;
            write(&args.file, &export::statement::workbook(&statement)?)?;
        }
        ExportKind::Company => {
            let siret = args
                .company
                .as_deref()
                .context("indiquez l'entreprise : --company SIRET")?;
            let statement =
                statement::of_company(&mut conn, &everything, &Siret::parse(siret)?, at)?;
            write(&args.file, &export::statement::workbook(&statement)?)?;
        }
        ExportKind::Hours => {
            let file = create(&args.file)?;
            let rows = export::detail::xlsx(&mut conn, &scope.hours_of(args.year), file)?;
            println!("{rows} ligne(s) d'heures.");
        }
        ExportKind::HoursCsv => {
            let file = BufWriter::new(create(&args.file)?);
            let rows = export::detail::csv(&mut conn, &scope.hours_of(args.year), file)?;
            println!("{rows} ligne(s) d'heures.");
        }
        ExportKind::Decp => {
            let siret = buyer
                .as_ref()
                .context("indiquez l'acheteur : --buyer SIRET")?;
            let record = crate::storage::buyers::list(&mut conn)?
                .into_iter()
                .find(|b| &b.siret == siret)
                .context("aucun acheteur n'a ce SIRET")?;
            let period = args
                .year
                .map(|y| Period::year(y).context("année incorrecte"))
                .transpose()?;
            let document = export::decp::of_buyer(&mut conn, &record, period, today)?;
            write(&args.file, &serde_json::to_vec_pretty(&document)?)?;
            println!(
                "Champs absents du registre, écrits avec une valeur par défaut à vérifier avant publication :"
            );
            for (field, value) in export::decp::DEFAULTS {
                println!("  {field} : {value}");
            }
        }
    }
    println!("Écrit : {}", args.file.display());
    Ok(())
}

fn create(path: &Path) -> anyhow::Result<File> {
    File::create(path).with_context(|| format!("impossible d'écrire {}", path.display()))
}

fn write(path: &Path, bytes: &[u8]) -> anyhow::Result<()> {
    create(path)?.write_all(bytes)?;
    Ok(())
}
