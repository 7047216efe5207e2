//! Realistic data at a chosen scale, always the same for the same size: buyers, contracts with
//! their lots and clauses, companies and insertion structures, participants, and hour
//! statements as CSV and as .xlsx. Written in the example dataset's layout (`buyers.toml`,
//! numbered files) so that it loads through the real import path; used by the benchmarks
//! (`cargo bench --bench scale`) and by `suivi-clauses gen`.

use std::io::Write;
use std::path::{Path, PathBuf};

use rust_xlsxwriter::Workbook;

use crate::domain::decimal::format_fixed;
use crate::domain::{EligibilityCriterion, Labelled, Siret};

/// Months covered by the hour statements: 2023 to 2025.
pub const MONTHS: i64 = 36;
const FIRST_YEAR: i64 = 2023;
pub const HOURS_HEADER: [&str; 8] = [
    "Référence marché",
    "Lot",
    "SIRET entreprise",
    "Mois",
    "Identifiant participant",
    "Modalité",
    "SIRET structure d'insertion",
    "Heures travaillées",
];

/// A linear congruential generator: the same numbers on every machine, no dependency (the
/// example dataset uses it too).
pub struct Lcg(pub u64);

impl Lcg {
    #[allow(clippy::should_implement_trait)]
    pub fn next(&mut self) -> u64 {
        self.0 = self
            .0
            .wrapping_mul(6_364_136_223_846_793_005)
            .wrapping_add(1_442_695_040_888_963_407);
        self.0 >> 33
    }

    pub fn below(&mut self, n: u64) -> u64 {
        self.next() % n.max(1)
    }
}

fn siret(kind: u64, n: u64) -> String {
    let first_13 = format!("{:013}", kind * 100_000_000_000 + n);
    Siret::with_check_digit(&first_13)
        .map(|s| s.as_str().to_owned())
        .unwrap_or_default()
}

/// The sizes that follow from the number of hour rows asked for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Scale {
    pub hour_rows: u64,
    pub buyers: u64,
    pub contracts: u64,
    pub companies: u64,
    pub structures: u64,
    pub participants: u64,
}

impl Scale {
    /// A territory's proportions: a contract per 250 hour rows, two lots held per company,
    /// one participant per statement line a month over three years.
    pub fn of(hour_rows: u64) -> Scale {
        let contracts = (hour_rows / 250).clamp(10, 200_000);
        Scale {
            hour_rows,
            buyers: (contracts / 400).clamp(3, 500),
            contracts,
            companies: (contracts / 2).max(5),
            structures: (contracts / 50).clamp(4, 2_000),
            participants: hour_rows.div_ceil(MONTHS as u64).max(1),
        }
    }
}

/// The files written, in the example dataset's layout.
pub struct Generated {
    pub scale: Scale,
    pub dir: PathBuf,
    /// The hour statements as CSV, and the same as a workbook: beside the numbered files, so
    /// that the dataset loader leaves them for the caller to import (and time).
    pub hours_csv: PathBuf,
    /// `None` past a worksheet's 1 048 575 data rows: no spreadsheet program opens more, and
    /// statements that large come as CSV.
    pub hours_xlsx: Option<PathBuf>,
}

/// Rows of a worksheet under its header (Excel's limit, 2^20 rows in all).
const SHEET_DATA_ROWS: u64 = 1_048_575;

fn write_lines(
    path: &Path,
    header: &str,
    lines: impl Iterator<Item = String>,
) -> std::io::Result<()> {
    let mut out = std::io::BufWriter::new(std::fs::File::create(path)?);
    writeln!(out, "{header}")?;
    for line in lines {
        writeln!(out, "{line}")?;
    }
    out.flush()
}

const DEPARTEMENTS: [(&str, &str); 6] = [
    ("31", "31000"),
    ("31", "31300"),
    ("81", "81000"),
    ("82", "82000"),
    ("75", "75001"),
    ("69", "69001"),
];

/// One hour statement line: (contract number, company number, month index, participant,
/// modality, structure number, hours in hundredths).
struct HourRow {
    contract: u64,
    month: i64,
    participant: u64,
    modality: &'static str,
    structure: Option<u64>,
    hundredths: i64,
}

fn hour_row(scale: &Scale, i: u64) -> HourRow {
    let mut rng = Lcg(i.wrapping_mul(2_654_435_761) ^ 0x5eed);
    // Each (participant, month) appears once, so no one passes the monthly ceiling.
    let participant = i % scale.participants;
    let month = (i / scale.participants) as i64 % MONTHS;
    let (modality, structure) = match rng.below(10) {
        0 => ("Formation", None),
        1 => {
            // An ETTI, AI or GEIQ: the kinds that place staff (see `generate`).
            let group = rng.below((scale.structures / 7).max(1));
            let placing = (group * 7 + rng.below(3)).min(scale.structures - 1);
            ("Mise à disposition", Some(placing))
        }
        _ => ("Embauche directe", None),
    };
    HourRow {
        contract: rng.below(scale.contracts),
        month,
        participant,
        modality,
        structure,
        hundredths: 500 + rng.below(30) as i64 * 100 + if rng.below(2) == 0 { 50 } else { 0 },
    }
}

fn company_of(scale: &Scale, contract: u64) -> u64 {
    contract % scale.companies
}

fn month_text(index: i64) -> String {
    format!("{:02}/{}", index % 12 + 1, FIRST_YEAR + index / 12)
}

fn hour_cells(scale: &Scale, row: &HourRow) -> [String; 8] {
    [
        format!("G-{:06}", row.contract),
        String::new(),
        siret(3, company_of(scale, row.contract)),
        month_text(row.month),
        format!("G{:07}", row.participant),
        row.modality.to_owned(),
        row.structure.map(|s| siret(4, s)).unwrap_or_default(),
        format_fixed(row.hundredths, 2),
    ]
}

/// The buyers, as `buyers.toml` lists them.
pub fn buyer_siret(n: u64) -> String {
    siret(2, n)
}

/// Writes the dataset of `hour_rows` statement lines into `dir`.
pub fn generate(dir: &Path, hour_rows: u64) -> std::io::Result<Generated> {
    let scale = Scale::of(hour_rows);
    std::fs::create_dir_all(dir)?;
    write_buyers(dir, &scale)?;

    write_structures(dir, &scale)?;
    write_register(dir, &scale)?;
    write_participants(dir, &scale)?;

    let hours_csv = dir.join("heures.csv");
    write_lines(
        &hours_csv,
        &HOURS_HEADER.join(";"),
        (0..hour_rows).map(|i| hour_cells(&scale, &hour_row(&scale, i)).join(";")),
    )?;

    let hours_xlsx = (hour_rows <= SHEET_DATA_ROWS)
        .then(|| write_hours_xlsx(&dir.join("heures.xlsx"), &scale, hour_rows))
        .transpose()?;
    Ok(Generated {
        scale,
        dir: dir.to_owned(),
        hours_csv,
        hours_xlsx,
    })
}

/// The buyers, created before the files are imported.
fn write_buyers(dir: &Path, scale: &Scale) -> std::io::Result<()> {
    let mut buyers = String::from(
        "# Generated by suivi-clauses gen: buyers created before the files are imported.\n",
    );
    for b in 0..scale.buyers {
        let (departement, _) = DEPARTEMENTS[(b % 4) as usize];
        buyers.push_str(&format!(
            "\n[[buyers]]\nsiret = \"{}\"\nname = \"Acheteur public {b}\"\nterritory = \"{departement}\"\n",
            buyer_siret(b)
        ));
    }
    std::fs::write(dir.join("buyers.toml"), buyers)?;
    Ok(())
}

/// Companies of every size and insertion structures of every kind.
fn write_structures(dir: &Path, scale: &Scale) -> std::io::Result<()> {
    let sizes = ["TPE", "PME", "PME", "ETI", "GE"];
    // The first three can place their staff with a company (mise à disposition).
    let kinds = ["ETTI", "AI", "GEIQ", "ACI", "EI", "EA", "ESAT"];
    write_lines(
        &dir.join("1-structures.csv"),
        "SIRET;Raison sociale;Type de structure;Code postal;Catégorie entreprise",
        (0..scale.companies)
            .map(|c| {
                let (_, postal) = DEPARTEMENTS[(c % 6) as usize];
                format!(
                    "{};Entreprise {c};Entreprise;{postal};{}",
                    siret(3, c),
                    sizes[(c % 5) as usize]
                )
            })
            .chain((0..scale.structures).map(|s| {
                let (_, postal) = DEPARTEMENTS[(s % 3) as usize];
                format!(
                    "{};Structure d'insertion {s};{};{postal};",
                    siret(4, s),
                    kinds[(s % 7) as usize]
                )
            })),
    )
}

/// The contracts register: one lot each, three in four with a clause.
fn write_register(dir: &Path, scale: &Scale) -> std::io::Result<()> {
    write_lines(
        &dir.join("2-registre.csv"),
        "Référence marché;Objet;SIRET acheteur;Date de notification;Durée (mois);Lot;Montant HT;SIRET titulaire;Code postal titulaire;Rôle;Clause d'insertion;Heures d'insertion prévues;Critère social;Marché réservé",
        (0..scale.contracts).map(|k| {
            let mut rng = Lcg(k ^ 0xc0ffee);
            let company = company_of(scale, k);
            let (_, postal) = DEPARTEMENTS[(company % 6) as usize];
            let amount = 20_000 + rng.below(2_000) * 1_000;
            let clause = k % 4 != 3;
            let target = amount / 100;
            format!(
                "G-{k:06};Travaux et services {k};{};{:02}/01/2023;48;;{amount};{};{postal};Titulaire;{};{};{};{}",
                buyer_siret(k % scale.buyers),
                1 + rng.below(28),
                siret(3, company),
                if clause { "Oui" } else { "Non" },
                if clause { target.to_string() } else { String::new() },
                if k % 7 == 0 { "Oui" } else { "Non" },
                if k % 41 == 0 { "L2113-13" } else { "Non" },
            )
        }),
    )
}

/// The participants, with their criteria and some exits.
fn write_participants(dir: &Path, scale: &Scale) -> std::io::Result<()> {
    let criteria: Vec<&str> = EligibilityCriterion::ALL.iter().map(|c| c.code()).collect();
    write_lines(
        &dir.join("3-participants.csv"),
        "Identifiant participant;Critère d'éligibilité;Année de naissance;Sexe;Résident QPV;Sortie;Date de sortie",
        (0..scale.participants).map(|p| {
            let mut rng = Lcg(p ^ 0xbeef);
            let exit = match rng.below(6) {
                0 => "Emploi durable;30/06/2025",
                1 => "Emploi de transition;31/03/2025",
                2 => "Sortie positive;31/12/2024",
                _ => ";",
            };
            format!(
                "G{p:07};{};{};{};{};{exit}",
                criteria[rng.below(criteria.len() as u64) as usize],
                1960 + rng.below(45),
                if rng.below(2) == 0 { "F" } else { "H" },
                if rng.below(4) == 0 { "Oui" } else { "Non" },
            )
        }),
    )
}

fn write_hours_xlsx(path: &Path, scale: &Scale, hour_rows: u64) -> std::io::Result<PathBuf> {
    let mut workbook = Workbook::new();
    let sheet = workbook
        .add_worksheet_with_constant_memory()
        .map_err(std::io::Error::other)?;
    sheet.set_name("Heures").map_err(std::io::Error::other)?;
    for (c, title) in HOURS_HEADER.iter().enumerate() {
        sheet
            .write_string(0, c as u16, *title)
            .map_err(std::io::Error::other)?;
    }
    for i in 0..hour_rows {
        let row = hour_row(scale, i);
        let r = i as u32 + 1;
        for (c, cell) in hour_cells(scale, &row).iter().enumerate() {
            if c == 7 {
                sheet
                    .write_number(r, 7, row.hundredths as f64 / 100.0)
                    .map_err(std::io::Error::other)?;
            } else if !cell.is_empty() {
                sheet
                    .write_string(r, c as u16, cell)
                    .map_err(std::io::Error::other)?;
            }
        }
    }
    workbook.save(path).map_err(std::io::Error::other)?;
    Ok(path.to_owned())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_same_size_gives_the_same_rows_and_no_participant_twice_a_month() {
        let scale = Scale::of(10_000);
        let rows: Vec<[String; 8]> = (0..10_000)
            .map(|i| hour_cells(&scale, &hour_row(&scale, i)))
            .collect();
        let again: Vec<[String; 8]> = (0..10_000)
            .map(|i| hour_cells(&scale, &hour_row(&scale, i)))
            .collect();
        assert_eq!(rows, again);
        let mut seen = std::collections::HashSet::new();
        for row in &rows {
            assert!(seen.insert((row[4].clone(), row[3].clone())), "{row:?}");
            assert!(Siret::parse(&row[2]).is_ok());
        }
        assert_eq!(scale.contracts, 40);
    }
}
