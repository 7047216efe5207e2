//! `suivi-clauses stats --year Y [--buyer SIRET] [--json]`: the indicators the API serves.

use anyhow::Context;

use super::scope_args::ScopeArgs;
use crate::app::indicators::FiguresRequest;
use crate::app::{self, Caller};
use crate::indicators::{Breakdowns, FigureCache, Indicators, Period, Share};
use crate::storage::Database;

/// Said in place of a figure that would single out people.
const MASKED: &str = "masqué (moins de 5 personnes)";

#[derive(Debug, clap::Args)]
pub struct StatsArgs {
    /// Année civile des marchés notifiés et des heures déclarées.
    #[arg(long)]
    year: i32,
    #[command(flatten)]
    scope: ScopeArgs,
    /// Écrit les indicateurs en JSON, tels que les sert GET /api/indicators?breakdowns=all,
    /// avec tous les groupes (sans pages).
    #[arg(long)]
    json: bool,
}

pub fn run(args: StatsArgs, database: &Database) -> anyhow::Result<()> {
    let period = Period::year(args.year).context("année incorrecte")?;
    let request = FiguresRequest {
        period,
        narrowing: args.scope.narrowing()?,
        subcontractors: args.scope.subcontractors,
        breakdowns: Breakdowns::ALL,
    };
    let mut conn = database.connection()?;
    // The operator sees everything, small groups included, as an administrator does.
    let caller = Caller::command_line();
    let figures = app::indicators::figures(&mut conn, &FigureCache::default(), &caller, &request)?;
    if args.json {
        // The API's JSON, units in the field names.
        let json = crate::web::api::wire::indicators::IndicatorsJson::of(
            &figures.value,
            None,
            figures.freshness,
        );
        println!("{}", serde_json::to_string_pretty(&json)?);
    } else {
        print_text(&figures.value);
    }
    Ok(())
}

fn share(name: &str, share: &Share) {
    println!(
        "  {name} : {} ({} sur {})",
        share.text, share.part, share.whole
    );
}

fn print_text(figures: &Indicators) {
    let c = &figures.charter;
    let i = &figures.insertion;
    println!(
        "Indicateurs du {} au {} — {}",
        figures.period.from.format("%d/%m/%Y"),
        figures.period.to.format("%d/%m/%Y"),
        figures.scope
    );
    println!("Charte de la commande publique");
    println!("  Montant notifié : {}", c.awarded.value);
    share("Part locale en valeur", &c.local_by_value);
    share("Part locale en nombre", &c.local_by_count);
    share("Part TPE/PME en valeur", &c.small_firms_by_value);
    for reserved in &c.reserved {
        println!(
            "  Réservé {} : {} ({})",
            reserved.article, reserved.amount, reserved.share.text
        );
    }
    println!("  Marchés notifiés : {}", c.contracts);
    share("avec clause d'insertion", &c.with_clause);
    share("avec critère social", &c.with_social_criterion);
    share("réservés", &c.reserved_contracts);
    println!("Insertion");
    println!("  Heures : {}", i.hours.value);
    println!("  ETP : {}", i.fte_text);
    println!(
        "  Participants : {}",
        i.participants
            .value
            .map_or_else(|| MASKED.to_owned(), |n| n.to_string())
    );
    match &i.exits_to_employment {
        Some(exits) => share("Sorties en emploi", exits),
        None => println!("  Sorties en emploi : {MASKED}"),
    }
    if let Some(note) = i.few_people {
        println!("  {note}");
    }
    for breakdown in &i.breakdowns {
        println!("  {}", breakdown.label);
        for group in &breakdown.groups {
            let hours = group
                .hours
                .map_or_else(|| MASKED.to_owned(), |h| h.to_string());
            println!("    {} : {hours}", group.label);
        }
    }
    println!("Méthode (part locale) : {}", c.local_by_value.method);
}
