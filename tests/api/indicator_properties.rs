//! Properties of the indicators over random hour statements: breakdowns add up to their
//! totals; the same rows imported in any split into files give the same indicators; a
//! corrected statement changes the totals by exactly the difference.

use proptest::prelude::*;
use suivi_clauses::domain::{ImportKind, ImportStatus, Name, Role, Territory};
use suivi_clauses::import::limits::ImportLimits;
use suivi_clauses::import::profiles::Profiles;
use suivi_clauses::import::{Importer, Upload};
use suivi_clauses::indicators::{self, DataScope, Indicators, Options, Period};
use suivi_clauses::storage::audit::Actor;
use suivi_clauses::storage::users::BuyerScope;
use suivi_clauses::storage::{Database, buyers};

use crate::helpers::{TestDatabase, siret};
use crate::indicators::{
    etti, far_large, local_sme, participants_csv, register_csv, structures_csv,
};

/// One statement row: (lot, participant, month of 2025, training or not) is its key.
#[derive(Debug, Clone, PartialEq)]
pub struct Row {
    pub lot: usize,
    pub participant: usize,
    pub month: u32,
    pub training: bool,
    /// Seconded by the ETTI (a modality of its own), not hired directly nor trained.
    pub seconded: bool,
    /// In half hours, so that values like 12,5 appear.
    pub half_hours: u32,
}

impl Row {
    fn line(&self) -> String {
        // The two lots with a clause, each with its holder.
        let (reference, company) =
            [("2025-01", local_sme()), ("2025-B2", far_large())][self.lot].clone();
        let (modality, structure) = match (self.seconded, self.training) {
            (true, _) => ("Mise à disposition", etti()),
            (false, true) => ("Formation", String::new()),
            (false, false) => ("Embauche directe", String::new()),
        };
        let hours = format!(
            "{},{}",
            self.half_hours / 2,
            if self.half_hours % 2 == 1 { 5 } else { 0 }
        );
        format!(
            "{reference};{company};{:02}/2025;P{};{modality};{structure};{hours}\n",
            self.month,
            self.participant + 1
        )
    }
}

pub fn statement(rows: &[&Row]) -> String {
    let mut text = String::from(
        "Référence marché;SIRET entreprise;Mois;Identifiant participant;Modalité;SIRET structure d'insertion;Heures travaillées\n",
    );
    for row in rows {
        text.push_str(&row.line());
    }
    text
}

/// Distinct keys (the last value wins, as a correction would), with months where both
/// contracts run (March to December 2025); at most 2 × 2 × 40 h a month per person.
fn rows() -> impl Strategy<Value = Vec<Row>> {
    prop::collection::vec(
        (0..2usize, 0..3usize, 3..=12u32, any::<bool>(), 1..=80u32),
        1..25,
    )
    .prop_map(|raw| {
        let mut rows: Vec<Row> = Vec::new();
        for (lot, participant, month, training, half_hours) in raw {
            rows.retain(|r| {
                (r.lot, r.participant, r.month, r.training) != (lot, participant, month, training)
            });
            rows.push(Row {
                lot,
                participant,
                month,
                training,
                seconded: false,
                half_hours,
            });
        }
        rows
    })
}

/// The territory of `indicators` imported straight through the importer, on a database of its
/// own, without hours.
pub struct Fixture {
    _test_database: TestDatabase,
    pub database: Database,
    importer: Importer,
}

impl Fixture {
    pub fn new() -> Self {
        let test_database = TestDatabase::new();
        let database = test_database.connect();
        let importer = Importer::new(Profiles::load(None).unwrap(), ImportLimits::default());
        let fixture = Fixture {
            _test_database: test_database,
            database,
            importer,
        };
        let mut conn = fixture.database.connection().unwrap();
        for (n, name) in [(1, "Département"), (2, "Commune")] {
            buyers::insert(
                &mut conn,
                &siret(n),
                &Name::parse(name).unwrap(),
                &Territory::parse("31").unwrap(),
            )
            .unwrap();
        }
        drop(conn);
        fixture.import(ImportKind::Structures, structures_csv(), false);
        fixture.import(ImportKind::Contracts, register_csv(), false);
        fixture.import(ImportKind::Participants, participants_csv(), false);
        fixture
    }

    pub fn test_database(&self) -> &TestDatabase {
        &self._test_database
    }

    fn import(&self, kind: ImportKind, text: String, replace: bool) {
        self.import_as(kind, text, replace, Role::Admin);
    }

    /// Imports as `role` (a company's statements wait for validation, a facilitateur's are
    /// validated); the import's id.
    pub fn import_as(&self, kind: ImportKind, text: String, replace: bool, role: Role) -> i64 {
        let mut conn = self.database.connection().unwrap();
        let report = self
            .importer
            .run(
                &mut conn,
                Upload {
                    kind,
                    buyer: None,
                    file_name: "fichier.csv".to_owned(),
                    bytes: text.into_bytes(),
                    replace,
                    scope: BuyerScope::AllBuyers,
                    skip_invalid: false,
                    departement: None,
                    file: None,
                    role,
                    spool: None,
                },
                &Actor::command_line(),
            )
            .unwrap();
        assert_eq!(report.status, ImportStatus::Succeeded, "{report:?}");
        report.import_id.unwrap()
    }

    fn indicators(&self) -> Indicators {
        self.indicators_with(false)
    }

    /// Every breakdown of 2025, over all buyers, with the hours awaiting validation or not.
    pub fn indicators_with(&self, with_pending: bool) -> Indicators {
        let mut conn = self.database.connection().unwrap();
        let scope = DataScope {
            buyer_ids: None,
            company_id: None,
            description: "tous".to_owned(),
            with_pending,
        };
        let options = Options {
            include_subcontractors: false,
            suppress_small_groups: false,
            special_categories: true,
            breakdowns: suivi_clauses::indicators::Breakdowns::ALL,
        };
        indicators::compute(&mut conn, &scope, Period::year(2025).unwrap(), options).unwrap()
    }
}

fn total(indicators: &Indicators) -> i64 {
    indicators.insertion.hours.value.hundredths()
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 6, ..ProptestConfig::default() })]

    #[test]
    fn any_split_into_files_gives_the_same_indicators_and_breakdowns_add_up(
        rows in rows(),
        files in prop::collection::vec(0..3usize, 25),
    ) {
        let whole = Fixture::new();
        whole.import(ImportKind::Hours, statement(&rows.iter().collect::<Vec<_>>()), false);
        let split = Fixture::new();
        for file in 0..3 {
            let part: Vec<&Row> = rows
                .iter()
                .enumerate()
                .filter(|(i, _)| files[*i] == file)
                .map(|(_, r)| r)
                .collect();
            if !part.is_empty() {
                split.import(ImportKind::Hours, statement(&part), false);
            }
        }

        let (one, many) = (whole.indicators(), split.indicators());
        prop_assert_eq!(&one, &many);
        let expected: i64 = rows.iter().map(|r| i64::from(r.half_hours) * 50).sum();
        prop_assert_eq!(total(&one), expected);
        for breakdown in &one.insertion.breakdowns {
            let sum: i64 = breakdown.groups.iter().map(|g| g.hours.unwrap().hundredths()).sum();
            prop_assert_eq!(sum, expected, "{}", breakdown.dimension);
        }
    }

    #[test]
    fn a_correction_changes_the_totals_by_exactly_the_difference(
        rows in rows(),
        pick in any::<prop::sample::Index>(),
        corrected in 0..=80u32,
    ) {
        let territory = Fixture::new();
        territory.import(ImportKind::Hours, statement(&rows.iter().collect::<Vec<_>>()), false);
        let before = total(&territory.indicators());
        let mut row = rows[pick.index(rows.len())].clone();
        let difference = (i64::from(corrected) - i64::from(row.half_hours)) * 50;
        row.half_hours = corrected;

        // Asked as a replacement: with one row left unchanged, it is the very same file.
        territory.import(ImportKind::Hours, statement(&[&row]), true);

        prop_assert_eq!(total(&territory.indicators()) - before, difference);
    }
}
