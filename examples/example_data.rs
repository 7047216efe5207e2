//! Writes the example dataset of `imports/examples/`: three buyers of Haute-Garonne, their
//! contracts of 2025 with insertion clauses, the structures and participants, and a year of
//! hour statements in the formats people send (xlsx, CSV in Windows-1252, CSV in UTF-8).
//! Deterministic: run `cargo run --example example_data` to write the same files again.

// The length lints are for src/: a benchmark or a data-writing tool reads best as one script.
#![allow(clippy::too_many_lines, clippy::cognitive_complexity)]

use std::fmt::Write as _;
use std::path::Path;

use rust_xlsxwriter::{DocProperties, ExcelDateTime, Workbook};
use suivi_clauses::domain::{Month, Siret};

// A small deterministic generator, so the dataset never changes between runs.
use suivi_clauses::generator::{HOURS_HEADER, Lcg};

fn siret(n: u64) -> String {
    Siret::with_check_digit(&format!("{n:013}"))
        .expect("13 digits")
        .as_str()
        .to_owned()
}

struct Buyer {
    siret: String,
    name: &'static str,
    territory: &'static str,
    hours_format: &'static str,
}

struct Company {
    siret: String,
    name: &'static str,
    kind: &'static str,
    postal_code: &'static str,
    size: &'static str,
}

fn write_xlsx(path: &Path, sheet_name: &str, title: Option<&str>, rows: &[Vec<String>]) {
    let mut book = Workbook::new();
    // A fixed creation date: the same bytes on every run.
    let created = ExcelDateTime::from_ymd(2025, 11, 1).unwrap();
    book.set_properties(
        &DocProperties::new()
            .set_creation_datetime(&created)
            .set_author("suivi-clauses"),
    );
    let sheet = book.add_worksheet().set_name(sheet_name).unwrap();
    let offset = match title {
        Some(title) => {
            sheet.write_string(0, 0, title).unwrap();
            2
        }
        None => 0,
    };
    for (r, row) in rows.iter().enumerate() {
        for (c, value) in row.iter().enumerate().filter(|(_, v)| !v.is_empty()) {
            sheet
                .write_string(r as u32 + offset, c as u16, value)
                .unwrap();
        }
    }
    book.save(path).unwrap();
}

fn csv_line(fields: &[String]) -> String {
    fields.join(";") + "\r\n"
}

fn main() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("imports/examples");
    std::fs::create_dir_all(&dir).unwrap();
    let mut rng = Lcg(2025);

    let buyers = [
        Buyer {
            siret: siret(2_231_000_170_001),
            name: "Département de la Haute-Garonne",
            territory: "31",
            hours_format: "xlsx",
        },
        Buyer {
            siret: siret(2_431_000_190_001),
            name: "Toulouse Métropole",
            territory: "31",
            hours_format: "csv-1252",
        },
        Buyer {
            siret: siret(2_131_039_500_001),
            name: "Commune de Muret",
            territory: "31",
            hours_format: "csv-utf8",
        },
    ];
    let mut buyers_toml =
        String::from("# Buyers of the example dataset, created before its files are imported.\n");
    for b in &buyers {
        let _ = write!(
            buyers_toml,
            "\n[[buyers]]\nsiret = \"{}\"\nname = \"{}\"\nterritory = \"{}\"\n",
            b.siret, b.name, b.territory
        );
    }
    std::fs::write(dir.join("buyers.toml"), buyers_toml).unwrap();

    let firm = |n: u64, name, postal_code, size| Company {
        siret: siret(4_000_000_000_000 + n * 1_000),
        name,
        kind: "Entreprise",
        postal_code,
        size,
    };
    let firms = [
        firm(11, "Bâtiments du Sud", "31100", "PME"),
        firm(12, "Menuiseries de la Garonne", "31600", "TPE"),
        firm(13, "Routes et Réseaux Occitanie", "31200", "ETI"),
        firm(14, "Propreté Toulousaine", "31500", "PME"),
        firm(15, "Espaces Verts du Comminges", "31800", "TPE"),
        firm(16, "Grands Travaux Nationaux", "75008", "GE"),
        firm(17, "Électricité Pyrénées", "65000", "PME"),
        firm(18, "Peintures de l'Ariège", "09000", "TPE"),
    ];
    let siae = |n: u64, name, kind, postal_code| Company {
        siret: siret(5_000_000_000_000 + n * 1_000),
        name,
        kind,
        postal_code,
        size: "",
    };
    let structures = [
        siae(21, "Intérim Insertion Garonne", "ETTI", "31000"),
        siae(22, "Chantier d'insertion du Lauragais", "ACI", "31290"),
        siae(
            23,
            "Association Intermédiaire Sud Toulousain",
            "AI",
            "31600",
        ),
        siae(24, "Régie de Quartier Empalot", "EI", "31400"),
        siae(25, "GEIQ BTP Occitanie", "GEIQ", "31500"),
        siae(26, "Entreprise Adaptée du Volvestre", "EA", "31390"),
        siae(27, "ESAT Les Ateliers du Touch", "ESAT", "31170"),
    ];
    let mut rows = vec![vec![
        "SIRET".into(),
        "Raison sociale".into(),
        "Type de structure".into(),
        "Code postal".into(),
        "Catégorie entreprise".into(),
    ]];
    for c in firms.iter().chain(structures.iter()) {
        rows.push(vec![
            c.siret.clone(),
            c.name.into(),
            c.kind.into(),
            c.postal_code.into(),
            c.size.into(),
        ]);
    }
    write_xlsx(
        &dir.join("1-structures.xlsx"),
        "Structures",
        Some("Entreprises et structures d'insertion partenaires"),
        &rows,
    );

    // Contracts of 2025: (object, CPV, procedure, lots, months)
    let objects = [
        (
            "Réhabilitation du collège Jean Jaurès",
            "45454000-4",
            "Appel d'offres ouvert",
            3,
            24,
        ),
        (
            "Construction d'un gymnase",
            "45212225-9",
            "Appel d'offres ouvert",
            2,
            20,
        ),
        (
            "Entretien des espaces verts des collèges",
            "77310000-6",
            "Procédure adaptée",
            2,
            36,
        ),
        (
            "Nettoyage des bâtiments départementaux",
            "90910000-9",
            "Appel d'offres ouvert",
            1,
            48,
        ),
        (
            "Réfection des routes départementales",
            "45233141-9",
            "Appel d'offres ouvert",
            2,
            24,
        ),
        (
            "Restauration collective",
            "55520000-1",
            "Procédure avec négociation",
            1,
            36,
        ),
        (
            "Rénovation énergétique d'une école",
            "45321000-3",
            "Procédure adaptée",
            2,
            12,
        ),
        (
            "Maintenance de l'éclairage public",
            "50232100-1",
            "Procédure adaptée",
            1,
            36,
        ),
        (
            "Collecte des encombrants",
            "90511000-2",
            "Appel d'offres ouvert",
            1,
            24,
        ),
        (
            "Aménagement d'une voie verte",
            "45233162-2",
            "Procédure adaptée",
            2,
            18,
        ),
        (
            "Peinture des logements sociaux",
            "45442100-8",
            "Procédure adaptée",
            1,
            12,
        ),
        (
            "Entretien des cimetières",
            "77313000-7",
            "Procédure adaptée",
            1,
            24,
        ),
    ];
    let header = [
        "Référence marché",
        "Objet",
        "SIRET acheteur",
        "Procédure",
        "Code CPV",
        "Date de notification",
        "Durée (mois)",
        "Lot",
        "Intitulé du lot",
        "Montant HT",
        "SIRET titulaire",
        "Raison sociale titulaire",
        "Code postal titulaire",
        "Catégorie entreprise",
        "Rôle",
        "Clause d'insertion",
        "Heures d'insertion prévues",
        "Critère social",
        "Marché réservé",
    ];
    let mut register = vec![
        header
            .iter()
            .map(|h| h.to_string())
            .collect::<Vec<String>>(),
    ];
    // (buyer index, reference, lot number, holder index, first month, target hours)
    let mut clause_lots: Vec<(usize, String, u32, usize, u32, u64)> = Vec::new();
    let mut number = 0;
    for (b, buyer) in buyers.iter().enumerate() {
        for (object, cpv, procedure, lots, months) in objects
            .iter()
            .skip(b)
            .step_by(buyers.len())
            .chain(objects.iter().skip(b + 6).take(3))
        {
            number += 1;
            let prefix = if cpv.starts_with("45") { "TX" } else { "SV" };
            let reference = format!("2025-{prefix}-{number:03}");
            let month = 1 + rng.below(6) as u32;
            let day = 1 + rng.below(27);
            let notified = format!("{day:02}/{month:02}/2025");
            let criterion = if rng.below(3) == 0 { "Oui" } else { "Non" };
            for lot in 1..=*lots {
                let holder = rng.below(firms.len() as u64) as usize;
                let reserved = number % 9 == 0 && lot == *lots;
                let (holder_siret, holder_name, postal, size) = if reserved {
                    let s = &structures[1];
                    (s.siret.clone(), s.name, s.postal_code, "")
                } else {
                    let f = &firms[holder];
                    (f.siret.clone(), f.name, f.postal_code, f.size)
                };
                let amount = 40_000 + rng.below(900) * 1_000;
                let clause = !reserved && (cpv.starts_with("45") || rng.below(2) == 0);
                let hours = if clause {
                    (amount * 5 / 100 / 30).max(150)
                } else {
                    0
                };
                let lot_number = if *lots == 1 {
                    String::new()
                } else {
                    lot.to_string()
                };
                register.push(vec![
                    reference.clone(),
                    object.to_string(),
                    buyer.siret.clone(),
                    procedure.to_string(),
                    cpv.to_string(),
                    notified.clone(),
                    months.to_string(),
                    lot_number,
                    if *lots == 1 {
                        String::new()
                    } else {
                        format!("Lot {lot}")
                    },
                    format!("{amount} €"),
                    holder_siret,
                    holder_name.into(),
                    postal.into(),
                    size.into(),
                    "Titulaire".into(),
                    if clause { "Oui" } else { "Non" }.into(),
                    if clause {
                        hours.to_string()
                    } else {
                        String::new()
                    },
                    criterion.into(),
                    if reserved {
                        "L2113-13".into()
                    } else {
                        "Non".into()
                    },
                ]);
                if clause {
                    // The holder subcontracts part of the clause to the ACI on works lots.
                    if cpv.starts_with("45") && lot == 1 {
                        register.push(vec![
                            reference.clone(),
                            object.to_string(),
                            buyer.siret.clone(),
                            procedure.to_string(),
                            cpv.to_string(),
                            notified.clone(),
                            months.to_string(),
                            if *lots == 1 {
                                String::new()
                            } else {
                                lot.to_string()
                            },
                            String::new(),
                            format!("{} €", amount / 10),
                            structures[1].siret.clone(),
                            structures[1].name.into(),
                            structures[1].postal_code.into(),
                            String::new(),
                            "Sous-traitant".into(),
                            "Oui".into(),
                            String::new(),
                            criterion.into(),
                            "Non".into(),
                        ]);
                    }
                    clause_lots.push((
                        b,
                        reference.clone(),
                        if *lots == 1 { 0 } else { lot },
                        holder,
                        month,
                        hours,
                    ));
                }
            }
        }
    }
    write_xlsx(
        &dir.join("2-registre-des-marches.xlsx"),
        "Registre 2025",
        Some("Registre des marchés notifiés en 2025"),
        &register,
    );

    let criteria = [
        "RSA", "RSA", "RSA", "DETLD", "DELD", "JEUNE", "JEUNE", "SENIOR", "TH", "QPV", "ASS", "PI",
        "REF_DA", "SIAE",
    ];
    let mut people = String::from(
        "Identifiant participant;Critère d'éligibilité;Date de validation;Prescripteur;Année de naissance;Sexe;Résident QPV;Sortie;Date de sortie\n",
    );
    let prescribers = [
        "France Travail Toulouse",
        "Mission locale de Toulouse",
        "Cap Emploi 31",
        "PLIE du Muretain",
        "Conseil départemental (RSA)",
    ];
    let participants = 120;
    for p in 1..=participants {
        let criterion = criteria[rng.below(criteria.len() as u64) as usize];
        let year = 1965 + rng.below(40);
        let sex = if rng.below(2) == 0 { "F" } else { "H" };
        let qpv = if rng.below(3) == 0 { "Oui" } else { "Non" };
        let validated = format!("{:02}/{:02}/2024", 1 + rng.below(27), 9 + rng.below(4));
        let (exit, exit_date) = match (p % 6, p % 4) {
            (0, 0) => ("Emploi durable", "30/09/2025"),
            (0, _) => ("Emploi de transition", "31/08/2025"),
            (3, 0) => ("Sortie positive", "30/06/2025"),
            _ => ("", ""),
        };
        let prescriber = prescribers[rng.below(prescribers.len() as u64) as usize];
        let _ = writeln!(
            people,
            "P-{p:04};{criterion};{validated};{prescriber};{year};{sex};{qpv};{exit};{exit_date}"
        );
    }
    std::fs::write(dir.join("3-participants.csv"), people).unwrap();

    // Hour statements, January to October 2025, one file per buyer in its usual format.
    let mut next_participant = 0;
    // The first worker of each lot with a clause: (reference, lot, holder, participant).
    let mut first_workers: Vec<(String, u32, usize, u64)> = Vec::new();
    let modalities = [
        ("Embauche directe", None, "CDD"),
        ("Mise à disposition", Some(0), "Intérim"),
        ("Embauche directe", None, "Contrat de professionnalisation"),
        ("Sous-traitance", Some(1), "CDDI"),
    ];
    for (b, buyer) in buyers.iter().enumerate() {
        let mut rows: Vec<Vec<String>> = vec![
            HOURS_HEADER
                .iter()
                .chain(&["Type de contrat"])
                .map(|h| h.to_string())
                .collect(),
        ];
        for (_, reference, lot, holder, first_month, target) in
            clause_lots.iter().filter(|l| l.0 == b)
        {
            let workers = 1 + rng.below(3);
            let monthly = (*target / 10).clamp(20, 140);
            for w in 0..workers {
                // Each worker is a different person: one person's months never add up across lots.
                next_participant += 1;
                assert!(
                    next_participant <= participants,
                    "more workers than participants"
                );
                let participant = next_participant;
                if w == 0 {
                    first_workers.push((reference.clone(), *lot, *holder, participant));
                }
                let (modality, structure, contract) =
                    modalities[rng.below(modalities.len() as u64) as usize];
                let structure_siret = structure
                    .map(|s: usize| structures[if s == 0 { 0 } else { 1 }].siret.clone())
                    .unwrap_or_default();
                // Subcontracting is declared by the holder for its ACI subcontractor's staff.
                let (modality, structure_siret, contract) =
                    if modality == "Sous-traitance" && !reference.contains("-TX-") {
                        ("Embauche directe", String::new(), "CDD")
                    } else {
                        (modality, structure_siret, contract)
                    };
                for month in (*first_month + (w as u32))..=10 {
                    let hours = monthly + rng.below(20);
                    let month_text = match buyer.hours_format {
                        "xlsx" => format!("{month:02}/2025"),
                        "csv-1252" => format!("2025-{month:02}"),
                        _ => format!(
                            "{} 2025",
                            Month::new(2025, month)
                                .expect("a month of 2025")
                                .french_name()
                        ),
                    };
                    rows.push(vec![
                        reference.clone(),
                        if *lot == 0 {
                            String::new()
                        } else {
                            lot.to_string()
                        },
                        firms[*holder].siret.clone(),
                        month_text,
                        format!("P-{participant:04}"),
                        modality.into(),
                        structure_siret.clone(),
                        format!("{hours},{}", if month % 2 == 0 { "5" } else { "0" }),
                        contract.into(),
                    ]);
                }
            }
        }
        let name = format!(
            "4-heures-{}",
            buyer
                .name
                .to_lowercase()
                .replace(' ', "-")
                .replace(['é', 'è'], "e")
        );
        match buyer.hours_format {
            "xlsx" => write_xlsx(
                &dir.join(format!("{name}.xlsx")),
                "Relevé",
                Some("Relevé mensuel des heures d'insertion"),
                &rows,
            ),
            "csv-1252" => {
                let text: String = rows.iter().map(|r| csv_line(r)).collect();
                let (bytes, _, _) = encoding_rs::WINDOWS_1252.encode(&text);
                std::fs::write(dir.join(format!("{name}.csv")), bytes).unwrap();
            }
            _ => {
                let text: String = rows.iter().map(|r| csv_line(r)).collect();
                std::fs::write(
                    dir.join(format!("{name}.csv")),
                    [b"\xEF\xBB\xBF".as_slice(), text.as_bytes()].concat(),
                )
                .unwrap();
            }
        }
    }
    // One company sends its November statement itself: it waits for a facilitateur's
    // validation (the loader imports a `4-heures-entreprise-<SIRET>` file as that company).
    let sender = clause_lots[0].3;
    let mut rows: Vec<Vec<String>> = vec![
        HOURS_HEADER
            .iter()
            .chain(&["Type de contrat"])
            .map(|h| h.to_string())
            .collect(),
    ];
    for (reference, lot, _, participant) in first_workers.iter().filter(|w| w.2 == sender) {
        rows.push(vec![
            reference.clone(),
            if *lot == 0 {
                String::new()
            } else {
                lot.to_string()
            },
            firms[sender].siret.clone(),
            "11/2025".into(),
            format!("P-{participant:04}"),
            "Embauche directe".into(),
            String::new(),
            "70".into(),
            "CDD".into(),
        ]);
    }
    let text: String = rows.iter().map(|r| csv_line(r)).collect();
    std::fs::write(
        dir.join(format!("4-heures-entreprise-{}.csv", firms[sender].siret)),
        [b"\xEF\xBB\xBF".as_slice(), text.as_bytes()].concat(),
    )
    .unwrap();
    println!("Jeu d'exemple écrit dans {}", dir.display());
}
