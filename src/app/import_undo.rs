//! Undoing an hours import sent by mistake: the entries it created are removed and the values
//! it replaced come back exactly, in one transaction, the figures recomputed. Refused whole
//! when a lot it wrote on lies outside the caller's buyers, when one of those clauses is closed,
//! or when a later import has since corrected hours it wrote (that one is undone first).

use super::{AppError, Caller, ErrorCode};
use crate::domain::authorization::Action;
use crate::domain::{AuditAction, Hours, ImportKind, ImportStatus, Labelled, Role};
use crate::storage::import_undo::{self, UndoSubject, Undone};
use crate::storage::{BuyerId, DbConnection, ImportId, audit, contracts, figures_transaction};

/// What undoing an import changed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UndoneImport {
    pub id: ImportId,
    pub file_name: String,
    /// Entries the import had created, now removed.
    pub removed: usize,
    /// Entries it had replaced, restored as they were.
    pub restored: usize,
    /// The hours the import held.
    pub hours: Hours,
}

/// Undoes import `id`, all or nothing, and writes it to the audit log.
pub fn undo(
    conn: &mut DbConnection,
    caller: &Caller,
    id: ImportId,
) -> Result<UndoneImport, AppError> {
    if !caller.may(Action::UndoImports) {
        return Err(AppError::new(ErrorCode::Forbidden));
    }
    // Every buyer's figures: the work contracts derived again follow the participants, who may
    // work for other buyers too.
    figures_transaction(conn, |conn, _| {
        let subject = import_undo::subject(conn, id)?.ok_or_else(AppError::not_found)?;
        let lots = import_undo::lots_touched(conn, id)?;
        let buyers = contracts::buyers_of_lots(conn, &lots)?;
        require_scope(caller, &subject, &buyers)?;
        require_undoable(&subject)?;
        // The import's row, then its lots' rows, held until the end: a second undoing, a
        // closure or an import on these lots waits, then sees this one done.
        if !import_undo::claim(conn, id, &caller.actor.label)? {
            return Err(not_undoable(id, ALREADY_UNDONE));
        }
        super::closures::refuse_if_closed(conn, &lots).map_err(|e| frozen(id, e))?;
        refuse_if_corrected(conn, id)?;
        let undone = import_undo::undo(conn, id)?;
        record(conn, caller, &subject, &undone)?;
        Ok(UndoneImport {
            id,
            file_name: subject.file_name,
            removed: undone.removed,
            restored: undone.restored,
            hours: undone.hours,
        })
    })
}

/// The audit line: which import, and how many entries went and came back.
fn record(
    conn: &mut DbConnection,
    caller: &Caller,
    subject: &UndoSubject,
    undone: &Undone,
) -> Result<(), AppError> {
    let summary = format!(
        "import n° {} : {} « {} »",
        subject.id,
        subject.kind.label(),
        subject.file_name
    );
    let details = format!(
        "{} relevé(s) retiré(s), {} rétabli(s) comme avant l'import ; {} retirées ou remplacées",
        undone.removed, undone.restored, undone.hours
    );
    audit::record_detailed(
        conn,
        &caller.actor,
        AuditAction::ImportUndone,
        &summary,
        Some(&details),
    )?;
    Ok(())
}

/// Every lot the import wrote on must be of the caller's buyers: none of them is not found (ids
/// reveal nothing), some of them is refused. An import with no entry left is the uploader's or
/// an administrator's.
fn require_scope(
    caller: &Caller,
    subject: &UndoSubject,
    buyers: &[BuyerId],
) -> Result<(), AppError> {
    if buyers.is_empty() {
        let own = subject.uploaded_by.is_some() && subject.uploaded_by == caller.account_id;
        return if own || caller.role == Role::Admin {
            Ok(())
        } else {
            Err(AppError::not_found())
        };
    }
    if buyers.iter().all(|b| caller.sees_buyer(*b)) {
        Ok(())
    } else if buyers.iter().any(|b| caller.sees_buyer(*b)) {
        Err(AppError::with(
            ErrorCode::OutOfScope,
            "Cet import porte aussi sur des lots d'acheteurs hors de votre périmètre : un administrateur, ou un facilitateur qui suit tous ces acheteurs, peut l'annuler.",
        ))
    } else {
        Err(AppError::not_found())
    }
}

/// Only an imported hours statement, recorded with the values it replaced, can be undone.
fn require_undoable(subject: &UndoSubject) -> Result<(), AppError> {
    let reason = match (subject.kind, subject.status) {
        (_, ImportStatus::Undone) => ALREADY_UNDONE,
        (ImportKind::Hours, ImportStatus::Succeeded) if subject.replaced_kept => return Ok(()),
        (ImportKind::Hours, ImportStatus::Succeeded) => {
            "il a été importé avant que le service garde les valeurs qu'un import remplace, qui ne pourraient donc pas être rétablies. Corrigez les heures par un nouveau relevé."
        }
        (ImportKind::Hours, _) => {
            "il n'a rien enregistré (fichier refusé, ou import interrompu ou en cours)."
        }
        _ => {
            "seuls les relevés d'heures s'annulent ; corrigez les marchés, structures ou participants par un nouveau fichier ou dans leurs pages."
        }
    };
    Err(not_undoable(subject.id, reason))
}

const ALREADY_UNDONE: &str = "il a déjà été annulé.";

fn not_undoable(id: ImportId, reason: &str) -> AppError {
    AppError::with(
        ErrorCode::ImportNotUndoable,
        format!("L'import n° {id} ne peut pas être annulé : {reason}"),
    )
}

/// A later import that replaced values this one wrote builds on it: undoing this one first would
/// restore values under the later one's figures.
fn refuse_if_corrected(conn: &mut DbConnection, id: ImportId) -> Result<(), AppError> {
    let later = import_undo::later_corrections(conn, id)?;
    if later.is_empty() {
        return Ok(());
    }
    let names: Vec<String> = later.iter().map(|l| format!("n° {l}")).collect();
    Err(AppError::with(
        ErrorCode::ImportNotUndoable,
        format!(
            "L'import n° {id} ne peut pas être annulé : des heures qu'il a enregistrées ont été corrigées depuis par l'import {}. Annulez d'abord {}, puis celui-ci.",
            names.join(", "),
            if later.len() == 1 {
                "celui-là"
            } else {
                "ceux-là, du plus récent au plus ancien"
            }
        ),
    ))
}

/// The closed-clause refusal, saying which import it stops.
fn frozen(id: ImportId, error: AppError) -> AppError {
    if error.code != ErrorCode::ClauseClosed {
        return error;
    }
    AppError::with(
        ErrorCode::ClauseClosed,
        format!(
            "L'import n° {id} ne peut pas être annulé, rien n'a changé : {}",
            error.message()
        ),
    )
}
