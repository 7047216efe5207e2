//! Who may do what: the one authorization table of the service (role × action).
//!
//! Scope (which buyers, which company) narrows what an allowed action returns; this table says
//! whether the action is allowed at all. Every protected route names its action, and the web
//! layer's extractor enforces this table before the handler runs.

use super::account::Role;
use super::import::ImportKind;

/// Declares the actions once: the `Action` enum, `Action::ALL`, and in `can` one marker type per
/// action for handlers to name (`Authorized<can::ReadAuditLog>` in the web layer).
macro_rules! actions {
    ($($(#[$doc:meta])* $name:ident,)+) => {
        /// Everything a signed-in person can ask the service to do.
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
        pub enum Action {
            $($(#[$doc])* $name,)+
        }

        impl Action {
            pub const ALL: &'static [Action] = &[$(Action::$name),+];
        }

        /// Marker types, one per action.
        pub mod can {
            use super::{Action, Permission};
            $(
                pub struct $name;
                impl Permission for $name {
                    const ACTION: Action = Action::$name;
                }
            )+
        }
    };
}

/// An action as a type, so that a handler states what it does in its signature.
pub trait Permission {
    const ACTION: Action;
}

actions! {
    /// See one's own account.
    ReadOwnAccount,
    /// Change one's own password.
    ChangeOwnPassword,
    /// End one's own sessions.
    SignOut,
    /// List the buyers within one's scope.
    ReadBuyers,
    /// List accounts.
    ReadUsers,
    /// Create and deactivate accounts.
    ManageUsers,
    /// Read the audit log.
    ReadAuditLog,
    /// Send a spreadsheet to import (which kinds: see `may_import`).
    UploadImports,
    /// See one's imports, their reports and error workbooks (administrators: everyone's).
    ReadImports,
    /// Read the charter and insertion indicators of one's scope.
    ReadIndicators,
    /// Follow the clauses of one's scope (a company: the lots it holds).
    ReadClauses,
    /// Calibrate and record the target of a clause.
    ManageClauses,
    /// Create, change and delete contracts, their lots and awardees (within one's buyers).
    ManageContracts,
    /// List contracts, their lots and awardees (a company: those it holds).
    ReadContracts,
    /// List companies and insertion structures.
    ReadCompanies,
    /// List participants (pseudonymous, but about vulnerable people) and see one's pathway.
    ReadParticipants,
    /// Record a participant's situation six months after exit.
    RecordSituations,
    /// Create a participant, change its facts (one tied to none but one's buyers:
    /// `may_change_shared_record`).
    ManageParticipants,
    /// Download the compliance workbook of one's scope.
    ExportWorkbooks,
    /// Read and download the statement of a contract or a company (a company: its own).
    ReadStatements,
    /// Download the detail of hour entries (pseudonymous, entry by entry).
    ExportHourDetail,
    /// Download a buyer's contracts in the DECP open-data format.
    ExportDecp,
    /// See statements of hours with their review state (a company: its own, with the reasons
    /// of rejections).
    ReadReviews,
    /// Validate or reject statements of hours, reopen a validated month (within one's buyers).
    ReviewHours,
    /// Read what needs someone today (« À faire »): which kinds of item, see
    /// `FollowupKind::shown_to` (a company: its own statements only).
    ReadFollowup,
    /// See each contract's status against the buyer's legal obligations (social and
    /// environmental conditions), within one's buyers.
    ReadObligations,
    /// Close a lot's clause at the end of its execution, the penalty waived or reduced with a
    /// reason (within one's buyers).
    CloseClauses,
    /// Reopen a closed clause, with a reason.
    ReopenClauses,
    /// Read a closed clause's figures and download its attestation (a company: of its lots).
    ReadClosures,
    /// Remind companies by e-mail of their missing statements, see the reminders recorded.
    SendReminders,
    /// Change a company's contact address (within one's buyers).
    ManageCompanies,
    /// Change a company's name and postcode: a company holding a lot of one's buyers, and tied
    /// to none but one's buyers (`may_change_shared_record`).
    EditCompanies,
    /// Undo an hours import sent by mistake: every lot it wrote on must lie within one's buyers.
    UndoImports,
}

use Action::*;
use Role::*;

const EVERYONE: &[Role] = &[Admin, Facilitator, BuyerOfficer, Elected, Company];

/// The table. Companies see only their own lots and statements (granted action by action as
/// those features arrive); elected officials read aggregates; only administrators manage.
const TABLE: &[(Action, &[Role])] = &[
    (ReadOwnAccount, EVERYONE),
    (ChangeOwnPassword, EVERYONE),
    (SignOut, EVERYONE),
    (ReadBuyers, &[Admin, Facilitator, BuyerOfficer, Elected]),
    (ReadUsers, &[Admin]),
    (ManageUsers, &[Admin]),
    (ReadAuditLog, &[Admin]),
    (UploadImports, &[Admin, Facilitator, BuyerOfficer, Company]),
    (ReadImports, &[Admin, Facilitator, BuyerOfficer, Company]),
    (ReadIndicators, &[Admin, Facilitator, BuyerOfficer, Elected]),
    (ReadClauses, EVERYONE),
    (ManageClauses, &[Admin, Facilitator]),
    (ManageContracts, &[Admin, Facilitator, BuyerOfficer]),
    (ReadContracts, EVERYONE),
    (ReadCompanies, &[Admin, Facilitator, BuyerOfficer, Elected]),
    (ReadParticipants, &[Admin, Facilitator]),
    (RecordSituations, &[Admin, Facilitator]),
    (ManageParticipants, &[Admin, Facilitator]),
    (
        ExportWorkbooks,
        &[Admin, Facilitator, BuyerOfficer, Elected],
    ),
    (ReadStatements, EVERYONE),
    (ExportHourDetail, &[Admin, Facilitator]),
    (ExportDecp, &[Admin, Facilitator, BuyerOfficer]),
    (ReadReviews, &[Admin, Facilitator, BuyerOfficer, Company]),
    (ReviewHours, &[Admin, Facilitator]),
    (ReadFollowup, &[Admin, Facilitator, BuyerOfficer, Company]),
    (
        ReadObligations,
        &[Admin, Facilitator, BuyerOfficer, Elected],
    ),
    (CloseClauses, &[Admin, Facilitator]),
    (ReopenClauses, &[Admin]),
    (ReadClosures, &[Admin, Facilitator, BuyerOfficer, Company]),
    (SendReminders, &[Admin, Facilitator]),
    (ManageCompanies, &[Admin, Facilitator]),
    (EditCompanies, &[Admin, Facilitator, BuyerOfficer]),
    // Not companies: a statement sent by mistake is corrected by a new one, or undone by the
    // buyer's side, which answers for the figures it reports.
    (UndoImports, &[Admin, Facilitator, BuyerOfficer]),
];

/// Who sees participant groups however small: those who follow participants one by one.
/// Everyone else gets groups of fewer than five people suppressed (health and justice
/// criteria would otherwise name a person).
pub fn sees_small_groups(role: Role) -> bool {
    matches!(role, Admin | Facilitator)
}

/// Who sees the groups of special-category criteria (RQTH and AAH are health data, justice
/// status is data on offences), as aggregates: not elected officials nor companies, whose
/// views keep them hidden with the small groups.
pub fn sees_special_categories(role: Role) -> bool {
    matches!(role, Admin | Facilitator | BuyerOfficer)
}

/// Which kinds of file each role may import: participants are facilitators' business; companies
/// send only their hour statements.
const IMPORTS: &[(ImportKind, &[Role])] = &[
    (ImportKind::Contracts, &[Admin, Facilitator, BuyerOfficer]),
    (ImportKind::Structures, &[Admin, Facilitator, BuyerOfficer]),
    (ImportKind::Participants, &[Admin, Facilitator]),
    (ImportKind::WorkContracts, &[Admin, Facilitator]),
    (
        ImportKind::Hours,
        &[Admin, Facilitator, BuyerOfficer, Company],
    ),
];

pub fn may_import(role: Role, kind: ImportKind) -> bool {
    is_allowed(role, UploadImports)
        && IMPORTS
            .iter()
            .any(|(listed, roles)| *listed == kind && roles.contains(&role))
}

/// Companies and participants are shared between buyers: a known one may be changed only by
/// whoever answers for every buyer it is tied to (those whose contracts it holds, or on whose
/// lots it has hours) — an administrator, or a facilitateur whose buyers include them all; an
/// officer changes only a record tied to none but its own buyers. Creating a record, or
/// repeating what is stored, changes nothing shared and needs no such right. `answers_for` says
/// whether the uploader's scope holds a buyer.
pub fn may_change_shared_record<B>(
    tied_to: impl IntoIterator<Item = B>,
    answers_for: impl FnMut(B) -> bool,
) -> bool {
    tied_to.into_iter().all(answers_for)
}

pub fn is_allowed(role: Role, action: Action) -> bool {
    TABLE
        .iter()
        .find(|(listed, _)| *listed == action)
        .is_some_and(|(_, roles)| roles.contains(&role))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_action_has_exactly_one_row() {
        for action in Action::ALL {
            assert_eq!(
                TABLE.iter().filter(|(a, _)| a == action).count(),
                1,
                "{action:?}"
            );
        }
        assert_eq!(TABLE.len(), Action::ALL.len());
    }

    #[test]
    fn administration_is_for_administrators_only() {
        for role in [Facilitator, BuyerOfficer, Elected, Company] {
            assert!(!is_allowed(role, ManageUsers), "{role:?}");
            assert!(!is_allowed(role, ReadAuditLog), "{role:?}");
        }
        assert!(is_allowed(Admin, ManageUsers) && is_allowed(Admin, ReadAuditLog));
    }

    #[test]
    fn participants_are_imported_by_facilitators_only() {
        assert!(may_import(Facilitator, ImportKind::Participants));
        assert!(!may_import(BuyerOfficer, ImportKind::Participants));
        assert!(
            may_import(Company, ImportKind::Hours) && !may_import(Company, ImportKind::Structures)
        );
        assert!(!may_import(Elected, ImportKind::Hours));
    }

    #[test]
    fn a_shared_record_is_changed_only_by_whoever_answers_for_all_its_buyers() {
        let facilitator_of = |mine: &'static [i64]| move |buyer: &i64| mine.contains(buyer);
        assert!(may_change_shared_record(
            &[1, 3],
            facilitator_of(&[1, 2, 3])
        ));
        assert!(!may_change_shared_record(&[1, 3], facilitator_of(&[1])));
        assert!(may_change_shared_record(&[], facilitator_of(&[])));
    }

    #[test]
    fn companies_do_not_see_the_buyers() {
        assert!(!is_allowed(Company, ReadBuyers));
        assert!(is_allowed(Elected, ReadBuyers));
        assert!(is_allowed(Company, ChangeOwnPassword));
    }
}
