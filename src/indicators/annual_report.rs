//! The yearly report to funders (the Département, the State, the network of facilitateurs):
//! hours, people, work contracts, companies and exits of one year, gathered from the same
//! figures as the indicators API so that its totals are the API's.

use std::collections::HashMap;
use std::sync::Arc;

use chrono::NaiveDateTime;

use super::{Breakdown, Breakdowns, DataScope, FigureCache, Indicators, Options, Period};
use crate::domain::{ContractType, EligibilityCriterion, Labelled};
use crate::storage::DbConnection;
use crate::storage::companies::{self, Company};
use crate::storage::indicators as sums;

#[derive(Debug, Clone)]
pub struct AnnualReport {
    pub year: i32,
    /// Every breakdown, groups of people suppressed: the report travels.
    pub indicators: Arc<Indicators>,
    /// Hours by sector of the buyer's contracts, as (label, hours in hundredths).
    pub sectors: Vec<(String, i64)>,
    /// Participants by level of criterion; absent when a criterion group is hidden (a level
    /// would then give it back).
    pub levels: Option<[(&'static str, i64); 2]>,
    /// Names of the establishments the breakdowns list, by SIRET.
    pub companies: HashMap<String, Company>,
    /// The filters asked, as French "name: value" lines for the method sheet.
    pub filters: Vec<(String, String)>,
    pub generated_at: NaiveDateTime,
}

/// How the sectors are told apart.
pub const SECTOR_METHOD: &str = "Heures d'insertion de l'année réparties selon le type du marché de l'acheteur (travaux, fournitures, services, tel que le registre le donne ou que le code CPV le déduit) ; « Non renseigné » quand le registre ne le dit pas.";

/// How the levels are counted.
pub const LEVEL_METHOD: &str = "Participants de l'année par niveau de leur critère d'éligibilité : niveau 1 (RSA, ASS, AAH, demandeur d'emploi de très longue durée), suffisant seul ; niveau 2 (les autres critères), combinés selon les règles locales. Somme des groupes de la répartition par critère ; non montrée si l'un d'eux est masqué.";

/// Gathers the report of `year` for `scope`; `filters` are said on the method sheet.
pub fn gather(
    conn: &mut DbConnection,
    figures: &FigureCache,
    scope: &DataScope,
    year: i32,
    filters: Vec<(String, String)>,
) -> Result<Option<AnnualReport>, diesel::result::Error> {
    let Some(period) = Period::year(year) else {
        return Ok(None);
    };
    let options = Options {
        include_subcontractors: false,
        suppress_small_groups: true,
        // The report travels: special-category criteria stay out, as in the workbooks.
        special_categories: false,
        breakdowns: Breakdowns::ALL,
    };
    let indicators = figures.indicators(conn, scope, period, options)?;
    let sectors = sums::hours_by_sector(conn, &scope.hours_of(Some(year)))?
        .into_iter()
        .map(|g| {
            let label = g
                .key
                .as_deref()
                .and_then(ContractType::from_code)
                .map_or("Non renseigné", Labelled::label);
            (label.to_owned(), g.hours.hundredths())
        })
        .collect();
    let levels = levels(
        indicators
            .insertion
            .breakdowns
            .iter()
            .find(|b| b.dimension == "criterion"),
    );
    let companies = companies::list(conn)?
        .into_iter()
        .map(|c| (c.identifier.clone(), c))
        .collect();
    Ok(Some(AnnualReport {
        year,
        indicators,
        sectors,
        levels,
        companies,
        filters,
        generated_at: crate::storage::now(),
    }))
}

/// Level 1 and level 2 participants, summed from the criterion groups, when none is hidden.
fn levels(criteria: Option<&Breakdown>) -> Option<[(&'static str, i64); 2]> {
    let groups = &criteria?.groups;
    let (mut first, mut second) = (0, 0);
    for group in groups {
        let participants = group.participants?;
        let level_one = group
            .key
            .as_deref()
            .and_then(EligibilityCriterion::from_code)
            .is_some_and(EligibilityCriterion::is_level_one);
        if level_one {
            first += participants;
        } else {
            second += participants;
        }
    }
    Some([("Niveau 1", first), ("Niveau 2", second)])
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::indicators::Group;

    fn group(key: &str, participants: Option<i64>) -> Group {
        Group {
            key: Some(key.to_owned()),
            label: key.to_owned(),
            hours: None,
            participants,
            suppressed: participants.is_none(),
        }
    }

    #[test]
    fn levels_sum_the_criteria_and_vanish_when_one_is_hidden() {
        let mut criteria = Breakdown {
            dimension: "criterion",
            label: "Par critère",
            paged: false,
            groups: vec![
                group("RSA", Some(7)),
                group("AAH", Some(5)),
                group("JEUNE", Some(6)),
            ],
        };
        assert_eq!(
            levels(Some(&criteria)),
            Some([("Niveau 1", 12), ("Niveau 2", 6)])
        );
        criteria.groups.push(group("TH", None));
        assert_eq!(levels(Some(&criteria)), None);
    }
}
