//! `suivi-clauses followup [--buyer SIRET] [--kind K] [--company SIRET] [--as-of DATE] [--json]`:
//! what needs someone today, as the page « À faire » and `GET /api/followup` list it.

use chrono::NaiveDate;

use crate::app::followup::{self, FollowupLine, FollowupQuery};
use crate::app::{self, Caller};
use crate::domain::{FollowupRules, Labelled};
use crate::indicators::FigureCache;
use crate::storage::Database;
use crate::web::api::wire::followup::FollowupItemJson;

#[derive(Debug, clap::Args)]
pub struct FollowupArgs {
    /// SIRET d'un acheteur ; tous les acheteurs sinon.
    #[arg(long, value_name = "SIRET")]
    buyer: Option<String>,
    /// Seulement ce type : behind_pace, ended_short, missing_statement, pending_validation,
    /// eligibility_pending, obligation_missing, qpv_share_short, exit_followup_due.
    #[arg(long)]
    kind: Option<String>,
    /// Seulement les éléments de cette entreprise (SIRET).
    #[arg(long, value_name = "SIRET")]
    company: Option<String>,
    /// Date à laquelle les règles sont appliquées (AAAA-MM-JJ) ; aujourd'hui par défaut.
    #[arg(long, value_name = "DATE")]
    as_of: Option<NaiveDate>,
    /// Écrit la liste en JSON, telle que la sert GET /api/followup.
    #[arg(long)]
    json: bool,
}

pub fn run(args: FollowupArgs, database: &Database, rules: &FollowupRules) -> anyhow::Result<()> {
    let query = FollowupQuery::parse(
        args.kind.as_deref(),
        args.buyer.as_deref(),
        args.company.as_deref(),
        args.as_of.unwrap_or_else(app::today),
    )?;
    let mut conn = database.connection()?;
    let caller = Caller::command_line();
    let lines = followup::list(&mut conn, &FigureCache::default(), &caller, rules, &query)?;
    if args.json {
        let json: Vec<FollowupItemJson> = lines.iter().map(FollowupItemJson::from).collect();
        println!("{}", serde_json::to_string_pretty(&json)?);
    } else {
        print_text(&lines, query.today);
    }
    Ok(())
}

fn print_text(lines: &[FollowupLine], today: NaiveDate) {
    println!(
        "À faire au {} : {} élément(s), du plus urgent au moins urgent.",
        today.format("%d/%m/%Y"),
        lines.len()
    );
    for line in lines {
        let i = &line.item;
        let company = i
            .company
            .as_ref()
            .map_or_else(|| "—".to_owned(), |c| format!("{} ({})", c.name, c.siret));
        let lot = i.lot.map_or_else(String::new, |n| format!(", lot {n}"));
        println!(
            "{}  depuis le {}  {} ({})  marché {}{}  {}\n    {}",
            i.kind.label(),
            i.since.format("%d/%m/%Y"),
            i.buyer_name,
            i.buyer_siret,
            i.reference,
            lot,
            company,
            i.detail()
        );
    }
}
