//! Pure domain rules and types of suivi-clauses: no I/O, no database, no HTTP.
//!
//! Every value that enters the system is parsed here into a type that cannot hold a bad value,
//! and every refusal carries a French message that tells the user what to change.

pub mod account;
pub mod audit;
pub mod authorization;
pub mod calibration;
pub mod clause_status;
pub mod closure;
pub mod company;
pub mod company_identifier;
pub mod contract;
pub mod cpv;
pub mod date;
pub mod decimal;
pub mod followup;
pub mod hours;
pub mod import;
pub mod insertion;
pub mod labels;
pub mod lot;
pub mod money;
pub mod month;
pub mod name;
pub mod obligations;
pub mod rate;
pub mod reminder;
pub mod review;
pub mod search;
pub mod serde_via;
pub mod siret;
pub mod territory;
pub mod update;
pub mod work_contract;
pub mod year;

pub use account::{Email, Role, ScopeError, SignInRecency, UserScope};
pub use audit::AuditAction;
pub use authorization::Action;
pub use calibration::Calibration;
pub use clause_status::{Assessment, ClauseFacts, ClauseStatus};
pub use closure::{ClosureFigures, PenaltyAdjustment, PenaltyChange};
pub use company::{SizeClass, StructureKind};
pub use company_identifier::{CompanyIdentifier, IdentifierKind};
pub use contract::{
    AwardRole, Ccag, ContractNature, ContractType, EnvironmentalConsideration, Procedure,
    Reservation, SocialConsideration,
};
pub use cpv::CpvCode;
pub use followup::{FollowupKind, FollowupRules};
pub use hours::Hours;
pub use import::{ImportKind, ImportPhase, ImportStatus};
pub use insertion::{
    EligibilityCriterion, EmploymentContract, ExitOutcome, MAX_SITUATION_SOURCE_CHARS, Modality,
    Sex, SixMonthSituation, six_month_due_on,
};
pub use labels::{Labelled, UnknownLabel};
pub use money::Money;
pub use month::Month;
pub use name::Name;
pub use obligations::{ObligationRules, ObligationStatus, Obligations};
pub use rate::Rate;
pub use reminder::ReminderState;
pub use review::{Decision, ReviewState};
pub use search::SearchText;
pub use siret::Siret;
pub use territory::{Departement, Locality, PostalCode, Territory};
pub use update::Update;
pub use work_contract::{ContractLength, WorkContractPeriod};
pub use year::Year;
