//! `suivi-clauses remind [--dry-run] [--as-of DATE]`: reminds by e-mail each company that misses
//! statements (the `missing_statement` items of « À faire »), as the page's button does.

use chrono::NaiveDate;

use crate::app::reminders::{self, RemindReport, RemindRequest};
use crate::app::{self, Caller};
use crate::configuration::Settings;
use crate::indicators::FigureCache;
use crate::storage::Database;

#[derive(Debug, clap::Args)]
pub struct RemindArgs {
    /// Dit seulement ce qui serait envoyé : rien n'est envoyé ni enregistré.
    #[arg(long)]
    dry_run: bool,
    /// Date à laquelle les règles de « À faire » sont appliquées (AAAA-MM-JJ) ; aujourd'hui
    /// par défaut.
    #[arg(long, value_name = "DATE")]
    as_of: Option<NaiveDate>,
}

pub fn run(args: RemindArgs, settings: &Settings, database: &Database) -> anyhow::Result<()> {
    let request = RemindRequest {
        today: args.as_of.unwrap_or_else(app::today),
        dry_run: args.dry_run,
    };
    let mut conn = database.connection()?;
    let report = reminders::remind(
        &mut conn,
        &FigureCache::default(),
        &Caller::command_line(),
        &settings.followup_rules()?,
        &settings.outbox(),
        request,
    )?;
    print(&report);
    Ok(())
}

fn print(report: &RemindReport) {
    println!(
        "Relances au {} : {}",
        report.today.format("%d/%m/%Y"),
        report.summary()
    );
    for company in &report.companies {
        println!(
            "{} ({})  {}  {}",
            company.name,
            company.siret,
            company.recipient.as_deref().unwrap_or("—"),
            company.outcome.label()
        );
        for item in &company.items {
            println!("    {}", item.line());
        }
    }
}
