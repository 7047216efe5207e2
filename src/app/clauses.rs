//! The clauses of a scope with their hours and status, and recording a lot's clause.

use std::collections::HashMap;
use std::sync::Arc;

use chrono::NaiveDate;

use super::{AppError, Caller, ErrorCode, Narrowing};
use crate::domain::authorization::Action;
use crate::domain::calibration::CalibrationError;
use crate::domain::{AuditAction, Calibration, Hours, Money, Rate};
use crate::indicators::clauses::ClauseView;
use crate::indicators::{FigureCache, Kept};
use crate::storage::audit;
use crate::storage::contracts::{self, ClauseSettings, StoredClause};
use crate::storage::{ContractId, DbConnection, LotId, figures_transaction};

/// Every clause of the caller's scope, assessed at a date: the newest assessment kept, at
/// once, stale while that of a new data version is computed.
pub fn assessed(
    conn: &mut DbConnection,
    cache: &FigureCache,
    caller: &Caller,
    narrowing: &Narrowing,
    at: NaiveDate,
) -> Result<Kept<Arc<Vec<ClauseView>>>, AppError> {
    let scope = caller.data_scope(conn, narrowing)?;
    let kept = cache.latest_clauses(conn, &scope, at)?;
    if reads_people_figures(caller) || kept.value.iter().all(|c| c.qpv_counted.is_none()) {
        return Ok(kept);
    }
    Ok(kept.map(|views| {
        Arc::new(
            views
                .iter()
                .map(ClauseView::without_people_figures)
                .collect(),
        )
    }))
}

/// The clauses of these lots within the caller's scope, assessed at a date (not kept: a page
/// of them is quickly read).
pub fn assessed_lots(
    conn: &mut DbConnection,
    caller: &Caller,
    lots: &[LotId],
    at: NaiveDate,
) -> Result<Vec<ClauseView>, AppError> {
    let scope = caller.data_scope(conn, &Narrowing::default())?;
    let views = crate::indicators::clauses::assess_lots(conn, &scope, at, Some(lots))?;
    Ok(views
        .into_iter()
        .map(|view| as_seen_by(view, caller))
        .collect())
}

/// Whether the caller reads the clauses' QPV hours: only those who follow people one by one
/// do, for a few people's hours in one district could name them.
fn reads_people_figures(caller: &Caller) -> bool {
    caller.may(Action::ReadParticipants)
}

/// A clause as the caller may read it (`reads_people_figures`).
pub(super) fn as_seen_by(view: ClauseView, caller: &Caller) -> ClauseView {
    if reads_people_figures(caller) {
        view
    } else {
        view.without_people_figures()
    }
}

/// The target its parameters give.
pub fn calibrate(calibration: &Calibration) -> Result<Hours, AppError> {
    calibration
        .target()
        .map_err(|e| AppError::with(ErrorCode::InvalidCalibration, e))
}

/// A lot's clause as asked: either calibrated (its parameters) or a target typed as such.
#[derive(Debug, Clone)]
pub struct ClauseInput {
    pub calibration: Option<Calibration>,
    pub target_hours: Option<Hours>,
    pub penalty_per_hour: Option<Money>,
    pub training_counts: bool,
    pub cap_hours_per_participant: Option<Hours>,
    /// Share of the counted hours to be worked by residents of a priority neighbourhood.
    pub qpv_share: Option<Rate>,
}

/// Records the clause of a lot of the caller's buyers, naming who set it; the target recorded.
/// A lot outside the scope is not found, so that ids reveal nothing. Audited with the clause
/// before and after.
pub fn save(
    conn: &mut DbConnection,
    caller: &Caller,
    lot_id: LotId,
    input: &ClauseInput,
) -> Result<Hours, AppError> {
    let target = match (&input.calibration, input.target_hours) {
        (Some(calibration), None) => calibrate(calibration)?,
        (None, Some(typed)) => typed,
        _ => {
            return Err(AppError::with(
                ErrorCode::InvalidClause,
                "Donnez soit les paramètres de calcul (calibration), soit un objectif saisi (target_hours), pas les deux.",
            ));
        }
    };
    let settings = ClauseSettings {
        target,
        calibration: input.calibration,
        penalty_per_hour: input.penalty_per_hour,
        training_counts: input.training_counts,
        cap_per_participant: input.cap_hours_per_participant,
        qpv_share: input.qpv_share,
    };
    let found = figures_transaction(conn, |conn, touched| {
        let Some((buyer_id, reference, number)) = contracts::lot_identity(conn, lot_id)? else {
            return Ok(false);
        };
        touched.buyers([buyer_id]);
        if !caller.sees_buyer(buyer_id) {
            return Ok(false);
        }
        super::closures::refuse_if_closed(conn, &[lot_id])?;
        let before = contracts::clause_of(conn, lot_id)?;
        contracts::save_clause(conn, lot_id, &settings, &caller.actor.label)?;
        let target = format!("marché {reference}, lot {number}");
        let details = format!(
            "avant : {} → après : {}",
            before.map_or_else(|| "aucune clause".to_owned(), |b| described(&b.settings)),
            described(&settings)
        );
        audit::record_detailed(
            conn,
            &caller.actor,
            AuditAction::ClauseSet,
            &target,
            Some(&details),
        )?;
        Ok::<_, AppError>(true)
    })?;
    if !found {
        return Err(AppError::not_found());
    }
    Ok(target)
}

/// A clause in words, as the audit log keeps it: « objectif 833,33 h (1 000 000,00 € × 50 % ×
/// 5 % ÷ 30,00 €) ; pénalité 30,00 € par heure ; formation non comptée ; sans plafond », and
/// « ; part QPV 20 % des heures » when the clause reserves one.
pub fn described(settings: &ClauseSettings) -> String {
    let how = settings.calibration.map_or_else(
        || "saisi".to_owned(),
        |c| {
            format!(
                "{} × {} × {} ÷ {}",
                c.base_amount, c.labour_share, c.insertion_rate, c.hourly_cost
            )
        },
    );
    let penalty = settings.penalty_per_hour.map_or_else(
        || "sans pénalité".to_owned(),
        |p| format!("pénalité {p} par heure"),
    );
    let training = if settings.training_counts {
        "formation comptée"
    } else {
        "formation non comptée"
    };
    let cap = settings.cap_per_participant.map_or_else(
        || "sans plafond".to_owned(),
        |c| format!("plafond {c} par participant"),
    );
    // Said only when reserved: most clauses reserve none.
    let qpv = settings
        .qpv_share
        .map_or_else(String::new, |s| format!(" ; part QPV {s} des heures"));
    format!(
        "objectif {} ({how}) ; {penalty} ; {training} ; {cap}{qpv}",
        settings.target
    )
}

/// A lot's clause as typed in its form: amounts in euros, shares in percent, hours as people
/// write them; blank optional fields are not set.
#[derive(Debug, Clone, Default)]
pub struct ClauseDraft {
    /// « typed » for a target typed as such; otherwise calibrated from its parameters.
    pub mode: String,
    pub base_amount: String,
    pub labour_share: String,
    pub insertion_rate: String,
    pub hourly_cost: String,
    pub target_hours: String,
    pub penalty_per_hour: String,
    pub training_counts: bool,
    pub cap_per_participant: String,
    pub qpv_share: String,
}

fn field_error(field: &'static str, label: &str, error: impl std::fmt::Display) -> AppError {
    AppError::with(ErrorCode::InvalidClause, format!("{label} : {error}")).at(field)
}

fn optional<T, E: std::fmt::Display>(
    text: &str,
    parse: impl Fn(&str) -> Result<T, E>,
    field: &'static str,
    label: &str,
) -> Result<Option<T>, AppError> {
    match text.trim() {
        "" => Ok(None),
        typed => parse(typed)
            .map(Some)
            .map_err(|e| field_error(field, label, e)),
    }
}

fn required<T, E: std::fmt::Display>(
    text: &str,
    parse: impl Fn(&str) -> Result<T, E>,
    field: &'static str,
    label: &str,
) -> Result<T, AppError> {
    optional(text, parse, field, label)?.ok_or_else(|| {
        field_error(
            field,
            label,
            "à remplir pour calculer l'objectif (ou choisissez un objectif saisi)",
        )
    })
}

impl ClauseDraft {
    pub fn is_typed(&self) -> bool {
        self.mode == "typed"
    }

    fn calibration(&self) -> Result<Calibration, AppError> {
        let calibration = Calibration {
            base_amount: required(
                &self.base_amount,
                Money::parse,
                "base_amount",
                "Montant de référence",
            )?,
            labour_share: required(
                &self.labour_share,
                Rate::parse,
                "labour_share",
                "Part de main-d'œuvre",
            )?,
            insertion_rate: required(
                &self.insertion_rate,
                Rate::parse,
                "insertion_rate",
                "Taux d'insertion",
            )?,
            hourly_cost: required(
                &self.hourly_cost,
                Money::parse,
                "hourly_cost",
                "Coût horaire",
            )?,
        };
        match calibration.target() {
            Err(CalibrationError::NoHourlyCost) => Err(field_error(
                "hourly_cost",
                "Coût horaire",
                CalibrationError::NoHourlyCost,
            )),
            Err(error) => Err(field_error("base_amount", "Montant de référence", error)),
            Ok(_) => Ok(calibration),
        }
    }

    /// The clause it asks for, each value checked, a faulty one named by its field.
    pub fn parse(&self) -> Result<ClauseInput, AppError> {
        let (calibration, target_hours) = if self.is_typed() {
            let typed = required(
                &self.target_hours,
                Hours::parse,
                "target_hours",
                "Objectif d'heures",
            )?;
            (None, Some(typed))
        } else {
            (Some(self.calibration()?), None)
        };
        Ok(ClauseInput {
            calibration,
            target_hours,
            penalty_per_hour: optional(
                &self.penalty_per_hour,
                Money::parse,
                "penalty_per_hour",
                "Pénalité par heure manquante",
            )?,
            training_counts: self.training_counts,
            cap_hours_per_participant: optional(
                &self.cap_per_participant,
                Hours::parse,
                "cap_per_participant",
                "Plafond par participant",
            )?,
            qpv_share: optional(
                &self.qpv_share,
                Rate::parse,
                "qpv_share",
                "Part des heures réservée aux résidents des QPV",
            )?,
        })
    }
}

/// The target a form asks for, before it is recorded.
pub fn preview(draft: &ClauseDraft) -> Result<Hours, AppError> {
    let input = draft.parse()?;
    match (input.calibration, input.target_hours) {
        (Some(calibration), _) => calibrate(&calibration),
        (None, Some(typed)) => Ok(typed),
        (None, None) => Err(AppError::new(ErrorCode::InvalidClause)),
    }
}

/// Records the clause a form asks for on a lot of the contract; the target recorded.
pub fn save_draft(
    conn: &mut DbConnection,
    caller: &Caller,
    contract_id: ContractId,
    lot_id: LotId,
    draft: &ClauseDraft,
) -> Result<Hours, AppError> {
    if contracts::contract_of_lot(conn, lot_id)? != Some(contract_id) {
        return Err(AppError::not_found());
    }
    save(conn, caller, lot_id, &draft.parse()?)
}

/// The stored clauses of a contract's lots, for a caller who may change them (none otherwise).
pub fn settings_of(
    conn: &mut DbConnection,
    caller: &Caller,
    lots: &[LotId],
) -> Result<HashMap<LotId, StoredClause>, AppError> {
    if !caller.may(Action::ManageClauses) {
        return Ok(HashMap::new());
    }
    let mut found = HashMap::new();
    for &lot in lots {
        if let Some(clause) = contracts::clause_of(conn, lot)? {
            found.insert(lot, clause);
        }
    }
    Ok(found)
}
