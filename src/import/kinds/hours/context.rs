//! What the statements' checks need to know of the database, read before anything is written.

use std::collections::{HashMap, HashSet};

use crate::domain::Hours;
use crate::storage::contracts::LotPeriod;
use crate::storage::{CompanyId, LotId, ParticipantId};

pub struct Context {
    /// Lots of the buyers the uploader may import for (and of the buyer named, if one was).
    pub lots: Vec<LotPeriod>,
    /// (lot, company) of every award of those lots.
    pub holders: HashSet<(LotId, CompanyId)>,
    /// Known establishments (SIRET → id and kind code).
    pub companies: HashMap<String, (CompanyId, String)>,
    pub participants: HashMap<String, ParticipantId>,
    /// A company account declares for its own SIRET only.
    pub only_company: Option<String>,
    /// Most hours one participant may work in a month, all rows of the file together.
    pub max_hours_per_month: Hours,
    /// The lots whose clause is closed, with what a row on them is refused with.
    pub closed: HashMap<LotId, String>,
}
