//! The « À faire » list of a scope at a date: each lot, clause, statement, participant and
//! contract the rules of `domain::followup` say needs someone, named by its buyer, contract, lot
//! and company, in the order of urgency. Computed once per data version (`FigureCache::followup`).

use std::collections::{HashMap, HashSet};

use chrono::NaiveDate;

use super::DataScope;
use super::clauses::{self, ClauseView};
use crate::domain::followup::{
    self, FollowupKind, FollowupRules, MissingParts, QpvShortfall, Shortfall, StatementFacts,
};
use crate::domain::{ExitOutcome, Hours, Labelled, Month, ReviewState};
use crate::storage::followup::{self as names, ContractNames, LotNames};
use crate::storage::indicators::{self as sums, Counted, HoursFilter};
use crate::storage::obligations::{self as register, ObligationFilter};
use crate::storage::reviews::{self, ReviewFilter};
use crate::storage::{
    CompanyId, ContractId, DbConnection, ImportId, LotId, ParticipantId, closures,
};

/// What is asked: the scope, the date, the rules and the kinds the caller is shown.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct FollowupRequest {
    pub scope: DataScope,
    pub today: NaiveDate,
    pub rules: FollowupRules,
    pub kinds: Vec<FollowupKind>,
}

/// A company as an item names it.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Firm {
    pub siret: String,
    pub name: String,
}

/// One thing that needs someone.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FollowupItem {
    pub kind: FollowupKind,
    /// Since when it stands.
    pub since: NaiveDate,
    pub buyer_siret: String,
    pub buyer_name: String,
    pub contract_id: ContractId,
    pub reference: String,
    /// None for an item about the whole contract (its obligations).
    pub lot_id: Option<LotId>,
    pub lot: Option<i32>,
    /// The lot's holder, or the company that declared the hours; none for a lot not awarded
    /// or an item about the whole contract.
    pub company: Option<Firm>,
    pub figures: Figures,
}

/// The figures of each kind.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Figures {
    MissingStatement {
        end: NaiveDate,
        /// The last month with hours declared up to the date, if any.
        last_month: Option<Month>,
    },
    /// Behind pace (projected hours at the end) or ended short (counted hours).
    Clause {
        end: NaiveDate,
        target: Hours,
        shortfall: Shortfall,
    },
    PendingValidation {
        import_id: Option<ImportId>,
        month: Month,
        entries: i64,
        hours: Hours,
    },
    EligibilityPending {
        pseudonym: String,
        first_month: Month,
        hours: Hours,
    },
    ObligationMissing {
        /// The day the consultation was launched.
        launch: NaiveDate,
        missing: MissingParts,
    },
    /// The share of a clause's counted hours worked by QPV residents, below what it reserves.
    QpvShare {
        /// The end of the contract, if known.
        end: Option<NaiveDate>,
        shortfall: QpvShortfall,
    },
    /// A participant's situation six months after exit, not recorded once due.
    ExitFollowupDue {
        participant_id: ParticipantId,
        pseudonym: String,
        exit_date: NaiveDate,
        outcome: Option<ExitOutcome>,
        /// The last month they worked in the scope.
        last_month: Month,
    },
}

/// What an item is about: a lot, or a whole contract.
#[derive(Debug, Clone, Copy)]
enum Place {
    Lot(LotId),
    Contract(ContractId),
}

impl Place {
    fn lot(self) -> Option<LotId> {
        match self {
            Place::Lot(id) => Some(id),
            Place::Contract(_) => None,
        }
    }

    fn contract(self) -> Option<ContractId> {
        match self {
            Place::Contract(id) => Some(id),
            Place::Lot(_) => None,
        }
    }
}

/// An item before its lot and company are named.
struct Found {
    kind: FollowupKind,
    since: NaiveDate,
    place: Place,
    /// The company that declared, when the item is about its hours; else the lot's holder.
    company: Option<CompanyId>,
    figures: Figures,
}

/// The items of the request, the most urgent first.
pub fn gather(
    conn: &mut DbConnection,
    request: &FollowupRequest,
) -> Result<Vec<FollowupItem>, diesel::result::Error> {
    let wants = |kind| request.kinds.contains(&kind);
    let mut found = Vec::new();
    let clause_kinds = [
        FollowupKind::MissingStatement,
        FollowupKind::BehindPace,
        FollowupKind::EndedShort,
        FollowupKind::QpvShareShort,
    ];
    if clause_kinds.into_iter().any(wants) {
        let clauses = clauses::assess(conn, &request.scope, request.today)?;
        found.extend(of_clauses(conn, request, &clauses)?);
    }
    if wants(FollowupKind::PendingValidation) {
        found.extend(pending(conn, &request.scope)?);
    }
    if wants(FollowupKind::EligibilityPending) {
        found.extend(unvalidated(conn, request)?);
    }
    if wants(FollowupKind::ObligationMissing) {
        found.extend(obligations_missing(conn, request)?);
    }
    if wants(FollowupKind::ExitFollowupDue) {
        found.extend(exits_due(conn, request)?);
    }
    let mut items = named(conn, found)?;
    items.sort_by(|a, b| urgency_key(a).cmp(&urgency_key(b)));
    Ok(items)
}

/// Kind, then the oldest first, then by buyer, contract, lot, company, and what tells two
/// items of one lot apart.
fn urgency_key(item: &FollowupItem) -> impl Ord + '_ {
    let detail = match &item.figures {
        Figures::PendingValidation {
            month, import_id, ..
        } => (Some(*month), import_id.map(|i| i.get()), ""),
        Figures::EligibilityPending { pseudonym, .. }
        | Figures::ExitFollowupDue { pseudonym, .. } => (None, None, pseudonym.as_str()),
        _ => (None, None, ""),
    };
    (
        item.kind.urgency(),
        item.since,
        item.buyer_siret.as_str(),
        item.reference.as_str(),
        item.lot,
        item.company.as_ref().map(|c| c.siret.as_str()),
        detail,
    )
}

/// The hours of the scope up to the date's month, validated or awaiting validation.
fn declared_up_to(scope: &DataScope, today: NaiveDate) -> HoursFilter {
    HoursFilter {
        to_month: Month::of_date(today).map_or(i32::MAX, Month::yyyymm),
        counted: Counted::WithPending,
        ..scope.hours_of(None)
    }
}

/// Missing statements, clauses behind pace and clauses ended short.
fn of_clauses(
    conn: &mut DbConnection,
    request: &FollowupRequest,
    clauses: &[ClauseView],
) -> Result<Vec<Found>, diesel::result::Error> {
    let today = request.today;
    let last: HashMap<LotId, Month> =
        sums::last_month_by_lot(conn, &declared_up_to(&request.scope, today))?
            .into_iter()
            .collect();
    let wants = |kind| request.kinds.contains(&kind);
    // A closed clause needs no one: its statements are over and its penalty decided.
    let lot_ids: Vec<LotId> = clauses.iter().map(|c| c.lot_id).collect();
    let closed: HashSet<LotId> = closures::standing_on(conn, &lot_ids)?
        .into_iter()
        .map(|c| c.lot_id)
        .collect();
    let mut found = Vec::new();
    for clause in clauses.iter().filter(|c| !closed.contains(&c.lot_id)) {
        // A company account's missing statements are its own; anyone else's, the holder's.
        let found_on = |kind, since, figures| Found {
            kind,
            since,
            place: Place::Lot(clause.lot_id),
            company: request.scope.company_id,
            figures,
        };
        let last_month = last.get(&clause.lot_id).copied();
        let statements = StatementFacts {
            start: clause.start,
            end: clause.end,
            last_month,
        };
        if let (true, Some(since), Some(end)) = (
            wants(FollowupKind::MissingStatement),
            request.rules.missing_statement(&statements, today),
            clause.end,
        ) {
            let figures = Figures::MissingStatement { end, last_month };
            found.push(found_on(FollowupKind::MissingStatement, since, figures));
        }
        if let (true, Some(shortfall)) = (wants(FollowupKind::QpvShareShort), qpv_short(clause)) {
            let figures = Figures::QpvShare {
                end: clause.end,
                shortfall,
            };
            // Since the clause began: the share is judged over all its hours so far.
            found.push(found_on(FollowupKind::QpvShareShort, clause.start, figures));
        }
        let (Some(facts), Some(now)) = (clause.facts(), clause.assessment) else {
            continue;
        };
        let shortfalls = [
            (
                FollowupKind::BehindPace,
                request.rules.behind_pace(&facts, &now, today),
            ),
            (
                FollowupKind::EndedShort,
                followup::ended_short(&facts, &now),
            ),
        ];
        for (kind, shortfall) in shortfalls {
            if let (true, Some(shortfall)) = (wants(kind), shortfall) {
                let figures = Figures::Clause {
                    end: facts.end,
                    target: facts.target,
                    shortfall,
                };
                found.push(found_on(kind, shortfall.since, figures));
            }
        }
    }
    Ok(found)
}

/// The clause's QPV share, when it reserves one and falls short of it.
fn qpv_short(clause: &ClauseView) -> Option<QpvShortfall> {
    followup::qpv_share_short(clause.qpv_share?, clause.counted, clause.qpv_counted?)
}

/// Statements awaiting validation, since they were written.
fn pending(
    conn: &mut DbConnection,
    scope: &DataScope,
) -> Result<Vec<Found>, diesel::result::Error> {
    let filter = ReviewFilter {
        buyer_ids: scope.buyer_ids.clone(),
        company_id: scope.company_id,
        import_id: None,
        states: vec![ReviewState::Declared],
    };
    Ok(reviews::groups(conn, &filter)?
        .into_iter()
        .map(|g| Found {
            kind: FollowupKind::PendingValidation,
            since: g.since.map_or(g.month.first_day(), |at| at.date()),
            place: Place::Lot(g.lot_id),
            company: Some(g.company_id),
            figures: Figures::PendingValidation {
                import_id: g.import_id,
                month: g.month,
                entries: g.entries,
                hours: g.hours,
            },
        })
        .collect())
}

/// Participants with hours and no eligibility validation date, since their first month.
fn unvalidated(
    conn: &mut DbConnection,
    request: &FollowupRequest,
) -> Result<Vec<Found>, diesel::result::Error> {
    let filter = declared_up_to(&request.scope, request.today);
    Ok(sums::unvalidated_hours(conn, &filter)?
        .into_iter()
        .map(|row| Found {
            kind: FollowupKind::EligibilityPending,
            since: row.first_month.first_day(),
            place: Place::Lot(row.lot_id),
            company: Some(row.company_id),
            figures: Figures::EligibilityPending {
                pseudonym: row.pseudonym,
                first_month: row.first_month,
                hours: row.hours,
            },
        })
        .collect())
}

/// Contracts notified up to the date that lack a social or environmental condition the law
/// requires, without a ground: one item per contract, since its consultation was launched.
fn obligations_missing(
    conn: &mut DbConnection,
    request: &FollowupRequest,
) -> Result<Vec<Found>, diesel::result::Error> {
    let filter = ObligationFilter {
        buyer_ids: request.scope.buyer_ids.clone(),
        to: Some(request.today),
        ..ObligationFilter::default()
    };
    Ok(register::records(conn, &filter)?
        .into_iter()
        .filter_map(|record| {
            let status = request.rules.obligations.assess(&record.facts());
            let missing = followup::obligation_missing(status)?;
            // A rule that finds a part missing has read the launch date.
            let launch = record.launch_date.unwrap_or(record.notification_date);
            Some(Found {
                kind: FollowupKind::ObligationMissing,
                since: launch,
                place: Place::Contract(record.contract_id),
                company: None,
                figures: Figures::ObligationMissing { launch, missing },
            })
        })
        .collect())
}

/// Participants who left six months ago or more with no situation since recorded, since the
/// day it was due; on the lot and company of their last month worked in the scope.
fn exits_due(
    conn: &mut DbConnection,
    request: &FollowupRequest,
) -> Result<Vec<Found>, diesel::result::Error> {
    let filter = declared_up_to(&request.scope, request.today);
    Ok(sums::exits_awaiting_situation(conn, &filter)?
        .into_iter()
        .filter_map(|row| {
            let since = followup::six_month_situation_due(row.exit_date, false, request.today)?;
            Some(Found {
                kind: FollowupKind::ExitFollowupDue,
                since,
                place: Place::Lot(row.lot_id),
                company: Some(row.company_id),
                figures: Figures::ExitFollowupDue {
                    participant_id: row.participant_id,
                    pseudonym: row.pseudonym,
                    exit_date: row.exit_date,
                    outcome: row.exit_outcome.as_deref().and_then(ExitOutcome::from_code),
                    last_month: row.last_month,
                },
            })
        })
        .collect())
}

/// An item's buyer and contract, and its lot when it is about one.
struct Names {
    buyer_siret: String,
    buyer_name: String,
    contract_id: ContractId,
    reference: String,
    lot: Option<(LotId, i32)>,
}

impl From<&LotNames> for Names {
    fn from(l: &LotNames) -> Names {
        Names {
            buyer_siret: l.buyer_siret.clone(),
            buyer_name: l.buyer_name.clone(),
            contract_id: l.contract_id,
            reference: l.reference.clone(),
            lot: Some((l.lot_id, l.lot_number)),
        }
    }
}

impl From<&ContractNames> for Names {
    fn from(c: &ContractNames) -> Names {
        Names {
            buyer_siret: c.buyer_siret.clone(),
            buyer_name: c.buyer_name.clone(),
            contract_id: c.contract_id,
            reference: c.reference.clone(),
            lot: None,
        }
    }
}

/// Each item with its lot's or contract's names and its company (the one named, or the
/// lot's holder).
fn named(
    conn: &mut DbConnection,
    found: Vec<Found>,
) -> Result<Vec<FollowupItem>, diesel::result::Error> {
    let lot_ids: Vec<LotId> = found.iter().filter_map(|f| f.place.lot()).collect();
    let contract_ids: Vec<ContractId> = found.iter().filter_map(|f| f.place.contract()).collect();
    let lots: HashMap<LotId, LotNames> = names::lot_names(conn, &lot_ids)?
        .into_iter()
        .map(|l| (l.lot_id, l))
        .collect();
    let contracts: HashMap<ContractId, ContractNames> = names::contract_names(conn, &contract_ids)?
        .into_iter()
        .map(|c| (c.contract_id, c))
        .collect();
    let mut holders: HashMap<LotId, Firm> = HashMap::new();
    for (lot, siret, name) in names::holders(conn, &lot_ids)? {
        holders.entry(lot).or_insert(Firm { siret, name });
    }
    let company_ids: Vec<CompanyId> = found.iter().filter_map(|f| f.company).collect();
    let firms: HashMap<CompanyId, Firm> = reviews::company_names(conn, &company_ids)?
        .into_iter()
        .map(|(id, siret, name)| (id, Firm { siret, name }))
        .collect();
    Ok(found
        .into_iter()
        .filter_map(|f| {
            let names: Names = match f.place {
                Place::Lot(id) => lots.get(&id)?.into(),
                Place::Contract(id) => contracts.get(&id)?.into(),
            };
            let company = match (f.company, f.place) {
                (Some(id), _) => firms.get(&id).cloned(),
                (None, Place::Lot(lot)) => holders.get(&lot).cloned(),
                (None, Place::Contract(_)) => None,
            };
            Some(FollowupItem {
                kind: f.kind,
                since: f.since,
                buyer_siret: names.buyer_siret,
                buyer_name: names.buyer_name,
                contract_id: names.contract_id,
                reference: names.reference,
                lot_id: names.lot.map(|l| l.0),
                lot: names.lot.map(|l| l.1),
                company,
                figures: f.figures,
            })
        })
        .collect())
}

impl FollowupItem {
    /// What the item is about, in one French sentence (pages, workbook, command line).
    pub fn detail(&self) -> String {
        match &self.figures {
            Figures::MissingStatement { end, last_month } => format!(
                "Aucune heure déclarée depuis {} ; fin du marché le {}.",
                last_month.map_or_else(|| "le début du marché".to_owned(), |m| m.to_string()),
                end.format("%d/%m/%Y")
            ),
            Figures::Clause {
                end,
                target,
                shortfall,
            } if self.kind == FollowupKind::BehindPace => format!(
                "À ce rythme, {} en fin de clause le {} pour un objectif de {} : il manquerait {}{}.",
                shortfall.hours,
                end.format("%d/%m/%Y"),
                target,
                shortfall.missing,
                penalty_text(shortfall, "soit une pénalité de")
            ),
            Figures::Clause {
                end,
                target,
                shortfall,
            } => format!(
                "Terminée le {} avec {} retenues pour un objectif de {} : il manque {}{}.",
                end.format("%d/%m/%Y"),
                shortfall.hours,
                target,
                shortfall.missing,
                penalty_text(shortfall, "pénalité due :")
            ),
            Figures::PendingValidation {
                import_id,
                month,
                hours,
                ..
            } => format!(
                "{hours} déclarées pour {month}{}, en attente de validation.",
                import_id.map_or_else(String::new, |id| format!(" (import n° {id})"))
            ),
            Figures::EligibilityPending {
                pseudonym,
                first_month,
                hours,
            } => format!(
                "Participant {pseudonym} : {hours} depuis {first_month}, sans date de validation de son éligibilité."
            ),
            Figures::ObligationMissing { launch, missing } => format!(
                "Consultation lancée le {} : {}.",
                launch.format("%d/%m/%Y"),
                missing_text(*missing)
            ),
            Figures::QpvShare { shortfall, .. } => format!(
                "{} des heures retenues faites par des résidents des QPV ({} sur {}) pour {} réservés : il en manque {} aux heures d'aujourd'hui.",
                shortfall.share,
                shortfall.qpv,
                shortfall.counted,
                shortfall.goal,
                shortfall.missing
            ),
            Figures::ExitFollowupDue {
                pseudonym,
                exit_date,
                outcome,
                ..
            } => format!(
                "Participant {pseudonym} : sorti le {}{} ; sa situation six mois après n'est pas enregistrée.",
                exit_date.format("%d/%m/%Y"),
                outcome.map_or_else(String::new, |o| format!(" ({})", o.label().to_lowercase()))
            ),
        }
    }
}

/// The conditions a contract lacks, as the law names them.
fn missing_text(missing: MissingParts) -> &'static str {
    match (missing.social, missing.environmental) {
        (true, true) => {
            "ni condition sociale d'exécution ni motif d'absence justifié, et pas de condition environnementale d'exécution"
        }
        (true, false) => "ni condition sociale d'exécution ni motif d'absence justifié",
        _ => "pas de condition environnementale d'exécution",
    }
}

/// ", <words> 1 234,00 €" when the clause has a penalty per hour.
fn penalty_text(shortfall: &Shortfall, words: &str) -> String {
    shortfall
        .penalty
        .map_or_else(String::new, |p| format!(", {words} {p}"))
}
