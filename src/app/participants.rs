//! Participants, pseudonymous, for those who follow them: the list, one's pathway, the
//! situation six months after exit; erasing them once their retention period is over.

use chrono::NaiveDate;

use super::listing::search;
use super::participant_drafts::ParticipantDraft;
use super::{AppError, Caller, ErrorCode, Listed};
use crate::domain::authorization::Action;
use crate::domain::date::parse_date;
use crate::domain::{AuditAction, Labelled, MAX_SITUATION_SOURCE_CHARS, SixMonthSituation};
use crate::import::shared_records::changed_facts;
use crate::storage::participants::{self, ParticipantFilter, ParticipantView, TimelineRow};
use crate::storage::shared_records;
use crate::storage::work_contracts::{self, ParticipantContract, ServedLot};
use crate::storage::{
    DbConnection, PageRequest, ParticipantId, StorageError, audit, figures_transaction,
};

#[derive(Debug, Clone)]
pub struct ParticipantQuery {
    /// An eligibility criterion code (RSA, TH, JEUNE…).
    pub criterion: Option<String>,
    /// Part of the pseudonym.
    pub search: Option<String>,
    pub page: PageRequest,
}

/// A page of the participants on the caller's buyers' lots.
pub fn page(
    conn: &mut DbConnection,
    caller: &Caller,
    query: &ParticipantQuery,
) -> Result<Listed<ParticipantView>, AppError> {
    let filter = ParticipantFilter {
        buyer_ids: caller.buyer_ids(),
        criterion: search(query.criterion.as_deref())?,
        search: search(query.search.as_deref())?,
    };
    Ok(Listed::of(
        participants::page(conn, &filter, query.page)?,
        query.page,
    ))
}

/// Erases the personal data of the participants without activity since `cutoff` (the end of
/// the retention period); hours and figures stay as they are. How many were erased.
pub fn purge(
    conn: &mut DbConnection,
    caller: &Caller,
    cutoff: NaiveDate,
    today: NaiveDate,
) -> Result<usize, AppError> {
    if cutoff > today {
        return Err(AppError::with(
            ErrorCode::InvalidDate,
            format!(
                "La date {cutoff} est dans le futur : la purge ne concerne que des données passées."
            ),
        ));
    }
    // Every buyer's figures: the participants anonymised may have worked for any of them.
    Ok(figures_transaction(
        conn,
        |conn, _| -> Result<usize, StorageError> {
            let count = participants::anonymise_inactive_before(conn, cutoff)?;
            let summary = format!("inactifs avant le {cutoff} : {count}");
            audit::record(
                conn,
                &caller.actor,
                AuditAction::ParticipantsPurged,
                Some(&summary),
                None,
            )?;
            Ok(count)
        },
    )?)
}

/// One participant's pathway: who (by pseudonym), its hours month by month on the caller's
/// buyers' lots.
#[derive(Debug, Clone)]
pub struct Pathway {
    pub participant: ParticipantView,
    /// By month, then contract, lot and company.
    pub timeline: Vec<TimelineRow>,
    /// Its work contracts that served the caller's buyers' lots, the latest first.
    pub work_contracts: Vec<ParticipantContract>,
    /// The lots of the caller's buyers each contract served.
    pub served_lots: Vec<ServedLot>,
}

fn unknown() -> AppError {
    AppError::new(ErrorCode::UnknownParticipant)
}

/// The participant with this id, if the caller's buyers reach it (as in the list), with its
/// hours on their lots.
pub fn pathway(
    conn: &mut DbConnection,
    caller: &Caller,
    id: ParticipantId,
) -> Result<Pathway, AppError> {
    if !caller.may(Action::ReadParticipants) {
        return Err(AppError::new(ErrorCode::Forbidden));
    }
    let buyers = caller.buyer_ids();
    let participant = participants::find(conn, id, buyers.as_deref())?.ok_or_else(unknown)?;
    let timeline = participants::timeline(conn, id, buyers.as_deref())?;
    let (work_contracts, served_lots) =
        work_contracts::of_participant(conn, id, buyers.as_deref())?;
    Ok(Pathway {
        participant,
        timeline,
        work_contracts,
        served_lots,
    })
}

/// The situation six months after exit as a form gives it.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct SituationDraft {
    pub situation: String,
    pub on: String,
    pub source: String,
}

fn invalid(field: &'static str, message: impl std::fmt::Display) -> AppError {
    AppError::with(ErrorCode::InvalidSituation, message).at(field)
}

const ERASED: &str = "Les données de ce participant ont été effacées à la fin de leur durée de conservation : elles ne peuvent plus être enregistrées.";

/// The draft's facts, checked against the participant's exit and `today`.
fn checked(
    draft: &SituationDraft,
    participant: &ParticipantView,
    today: NaiveDate,
) -> Result<(SixMonthSituation, NaiveDate, Option<String>), AppError> {
    let Some(exit) = participant.exit_date else {
        return Err(invalid(
            "situation",
            "Ce participant n'a pas de sortie enregistrée : enregistrez d'abord sa sortie (import des participants), la situation à six mois la suit.",
        ));
    };
    if participant.anonymised_at.is_some() {
        return Err(invalid("situation", ERASED));
    }
    let situation = SixMonthSituation::parse_label(&draft.situation)
        .map_err(|e| invalid("situation", format!("Situation : {e}")))?;
    let on = parse_date(draft.on.trim()).ok_or_else(|| {
        invalid(
            "on",
            "Date de la situation incorrecte : écrivez-la JJ/MM/AAAA (15/09/2025).",
        )
    })?;
    if on < exit || on > today {
        return Err(invalid(
            "on",
            format!(
                "La date de la situation doit être entre la sortie ({}) et aujourd'hui.",
                exit.format("%d/%m/%Y")
            ),
        ));
    }
    let source = Some(draft.source.trim().to_owned()).filter(|s| !s.is_empty());
    if source
        .as_ref()
        .is_some_and(|s| s.chars().count() > MAX_SITUATION_SOURCE_CHARS)
    {
        return Err(invalid(
            "source",
            "La source tient en quelques mots (120 caractères au plus) : qui a renseigné la situation (le participant, l'employeur, France Travail…), jamais un nom de personne.",
        ));
    }
    Ok((situation, on, source))
}

/// Records where the participant stands six months after exit (a newer answer replaces the
/// one recorded), with its date and source; audited.
pub fn record_six_month(
    conn: &mut DbConnection,
    caller: &Caller,
    id: ParticipantId,
    draft: &SituationDraft,
    today: NaiveDate,
) -> Result<(), AppError> {
    if !caller.may(Action::RecordSituations) {
        return Err(AppError::new(ErrorCode::Forbidden));
    }
    let buyers = caller.buyer_ids();
    let participant = participants::find(conn, id, buyers.as_deref())?.ok_or_else(unknown)?;
    let (situation, on, source) = checked(draft, &participant, today)?;
    Ok(figures_transaction(
        conn,
        |conn, touched| -> Result<(), StorageError> {
            // The buyers the participant worked for, the caller's or not: all count its exit.
            let ties = shared_records::buyers_of_participants(conn, &[id])?;
            touched.buyers(ties.into_values().flatten());
            participants::record_six_month(conn, id, situation, on, source.as_deref())?;
            let target = format!("{} : {}", participant.pseudonym, situation.label());
            audit::record(
                conn,
                &caller.actor,
                AuditAction::SixMonthSituationSet,
                Some(&target),
                None,
            )?;
            Ok(())
        },
    )?)
}

const TIED_TO_OTHERS: &str = "Ce participant travaille aussi pour des acheteurs hors de votre périmètre : seul un administrateur, ou un facilitateur de tous ses acheteurs, peut le modifier.";

/// Records a new participant from its form; an identifier already given is refused (the
/// participant is changed from its own page). Audited by identifier only.
pub fn create(
    conn: &mut DbConnection,
    caller: &Caller,
    draft: &ParticipantDraft,
    today: NaiveDate,
) -> Result<ParticipantId, AppError> {
    if !caller.may(Action::ManageParticipants) {
        return Err(AppError::new(ErrorCode::Forbidden));
    }
    let participant = draft.parse(today)?;
    // Every buyer's figures: a participant is a record shared between buyers.
    figures_transaction(conn, |conn, _| {
        let pseudonym = participant.pseudonym.as_str();
        if !shared_records::participants_by_pseudonym(conn, &[pseudonym])?.is_empty() {
            return Err(AppError::new(ErrorCode::ParticipantExists).at("pseudonym"));
        }
        let id = participants::upsert(conn, &participant.fields())?;
        let (actor, action) = (&caller.actor, AuditAction::ParticipantCreated);
        audit::record_detailed(conn, actor, action, pseudonym, None)?;
        Ok(id)
    })
}

/// The participant as its form edits it: one the caller's buyers reach, whose data were not
/// erased.
pub fn editable(
    conn: &mut DbConnection,
    caller: &Caller,
    id: ParticipantId,
) -> Result<ParticipantView, AppError> {
    if !caller.may(Action::ManageParticipants) {
        return Err(AppError::new(ErrorCode::Forbidden));
    }
    let buyers = caller.buyer_ids();
    let participant = participants::find(conn, id, buyers.as_deref())?.ok_or_else(unknown)?;
    if participant.anonymised_at.is_some() {
        return Err(AppError::with(ErrorCode::InvalidParticipant, ERASED));
    }
    Ok(participant)
}

/// Changes a participant's facts (not its identifier) from its form: only if every buyer on
/// whose lots it has hours is the caller's, checked in the write's transaction. Audited with
/// the names of the facts changed, never their values.
pub fn change(
    conn: &mut DbConnection,
    caller: &Caller,
    id: ParticipantId,
    draft: &ParticipantDraft,
    today: NaiveDate,
) -> Result<(), AppError> {
    let stored = editable(conn, caller, id)?;
    let typed = ParticipantDraft {
        pseudonym: stored.pseudonym.clone(),
        ..draft.clone()
    };
    let participant = typed.parse(today)?;
    // Every buyer's figures: a participant is a record shared between buyers.
    figures_transaction(conn, |conn, _| {
        let ties = shared_records::buyers_of_participants(conn, &[id])?;
        caller.answers_for(ties.get(&id).into_iter().flatten(), TIED_TO_OTHERS)?;
        let known = shared_records::participants_by_pseudonym(conn, &[&stored.pseudonym])?
            .remove(&stored.pseudonym)
            .ok_or_else(unknown)?;
        let changed = changed_facts(&participant, &known);
        participants::upsert(conn, &participant.fields())?;
        let detail = if changed.is_empty() {
            "aucun changement".to_owned()
        } else {
            format!("modifié : {}", changed.join(", "))
        };
        let (actor, action) = (&caller.actor, AuditAction::ParticipantChanged);
        audit::record_detailed(conn, actor, action, &stored.pseudonym, Some(&detail))?;
        Ok(())
    })
}
