//! Habits of the people and tools that fill statements and registers, read as meant in every
//! format where they occur: hours typed as durations, Excel's « Texte Unicode » export, lots
//! written « Lot 2 », SIRETs behind the apostrophe that marks text, dates written out; and what
//! stays refused says what happened and what to write.

use diesel::prelude::*;
use rust_xlsxwriter::{Format, Workbook};
use suivi_clauses::storage::StorageError;
use suivi_clauses::storage::schema::{companies, contracts};

use crate::contracts_import::{officer, stored_lots};
use crate::helpers::{TestApp, message_at, problems_by_row, siret, spawn_app};
use crate::hours_import::{HOLDER, STATEMENT, hours_by_participant, territory};

fn fixture(name: &str) -> Vec<u8> {
    std::fs::read(
        std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("tests/fixtures")
            .join(name),
    )
    .unwrap()
}

/// A sheet of text cells, as typed; `typed` writes the cells that are not text.
fn xlsx(rows: &[Vec<String>], typed: impl Fn(&mut rust_xlsxwriter::Worksheet)) -> Vec<u8> {
    let mut book = Workbook::new();
    let sheet = book.add_worksheet();
    for (r, row) in rows.iter().enumerate() {
        for (c, value) in row.iter().enumerate().filter(|(_, v)| !v.is_empty()) {
            sheet.write_string(r as u32, c as u16, value).unwrap();
        }
    }
    typed(sheet);
    book.save_to_buffer().unwrap()
}

fn csv_rows(csv: &str) -> Vec<Vec<String>> {
    csv.lines()
        .map(|line| line.split(';').map(str::to_owned).collect())
        .collect()
}

/// The statement's three rows: March 151 h 30, April 7 h 20, May 36 h 15.
fn hours_as_durations() -> Vec<(String, i32, String, i64)> {
    vec![
        (
            "P-001".to_owned(),
            202_503,
            "direct_hire".to_owned(),
            15_150,
        ),
        ("P-002".to_owned(), 202_504, "secondment".to_owned(), 733),
        (
            "P-003".to_owned(),
            202_505,
            "subcontracting".to_owned(),
            3_625,
        ),
    ]
}

#[tokio::test]
async fn hours_typed_as_durations_are_hours_in_xlsx_xls_and_ods() {
    let app = spawn_app().await;
    let company = territory(&app).await;
    // The statement with its hours column typed as Excel types durations: [h]:mm cells holding
    // days, and a time cell (hh:mm) for hours under a day.
    let mut rows = csv_rows(STATEMENT);
    for row in &mut rows[1..] {
        row[6].clear();
    }
    let excel = xlsx(&rows, |sheet| {
        let duration = Format::new().set_num_format("[h]:mm");
        let time = Format::new().set_num_format("hh:mm");
        let hours = |h: f64, m: f64| (h + m / 60.0) / 24.0;
        sheet
            .write_number_with_format(1, 6, hours(151.0, 30.0), &duration)
            .unwrap();
        sheet
            .write_number_with_format(2, 6, hours(7.0, 20.0), &time)
            .unwrap();
        sheet
            .write_number_with_format(3, 6, hours(36.0, 15.0), &duration)
            .unwrap();
    });
    // Saved by LibreOffice from a CSV where the hours were typed 151:30, 7:20 and 36:15.
    let files = [
        ("releve.xlsx", excel),
        ("releve.xls", fixture("releve-heures-durees.xls")),
        ("releve.ods", fixture("releve-heures-durees.ods")),
    ];

    for (name, bytes) in files {
        let (status, body) = app.import(&company, "hours", name, bytes, false).await;

        assert_eq!(status, 201, "{name}: {body}");
        assert_eq!(body["report"]["rows_written"], 3, "{name}: {body}");
        assert_eq!(
            hours_by_participant(&app).await,
            hours_as_durations(),
            "{name}"
        );
    }
}

/// `text` as Excel's « Texte Unicode » writes it: UTF-16 after its byte-order mark, lines ended
/// by CR LF.
fn unicode_text(text: &str, big_endian: bool) -> Vec<u8> {
    let text = text.replace('\n', "\r\n");
    let units = text.encode_utf16().flat_map(|unit| {
        if big_endian {
            unit.to_be_bytes()
        } else {
            unit.to_le_bytes()
        }
    });
    let mark: [u8; 2] = if big_endian {
        [0xFE, 0xFF]
    } else {
        [0xFF, 0xFE]
    };
    mark.into_iter().chain(units).collect()
}

#[tokio::test]
async fn excel_unicode_text_is_read_as_csv_in_both_byte_orders() {
    let app = spawn_app().await;
    let company = territory(&app).await;
    let tab_separated = STATEMENT.replace(';', "\t");

    for big_endian in [false, true] {
        let bytes = unicode_text(&tab_separated, big_endian);
        let (status, body) = app
            .import(&company, "hours", "releve.txt", bytes, false)
            .await;

        assert_eq!(status, 201, "big endian {big_endian}: {body}");
        assert_eq!(body["report"]["format"], "csv");
        assert_eq!(body["report"]["rows_written"], 3);
        let stored = hours_by_participant(&app).await;
        let hours: Vec<i64> = stored.iter().map(|(_, _, _, h)| *h).collect();
        // 35h30, 120 and 80,5: the accented headers and labels were read too.
        assert_eq!(hours, [3_550, 12_000, 8_050], "big endian {big_endian}");
    }
}

const REGISTER_HEADER: &str = "Référence marché;Objet;SIRET acheteur;Date de notification;Durée (mois);Lot;Montant HT;SIRET titulaire;Raison sociale titulaire;Clause d'insertion;Heures d'insertion prévues";

/// A register of three lots written « Lot 1 », « lot n°2 » and « L3 », two SIRETs behind the
/// text apostrophe and the notification date written out: the CSV the fixtures were made from.
fn register_by_habit() -> String {
    let b = siret(1);
    let b = b.as_str();
    format!(
        "{REGISTER_HEADER}\n\
         2025-SV-003;Entretien des espaces verts;{b};1er mars 2025;36;Lot 1;120000;'44306184100047;Bâtiments du Sud;Non;\n\
         2025-SV-003;Entretien des espaces verts;{b};1er mars 2025;36;lot n°2;95000;'21310555400017;Chantier du Lauragais;Oui;1200\n\
         2025-SV-003;Entretien des espaces verts;{b};1er mars 2025;36;L3;50000;44306184100047;Bâtiments du Sud;Non;\n"
    )
}

async fn notification_and_sirets(app: &TestApp) -> (Vec<chrono::NaiveDate>, Vec<String>) {
    app.database
        .run(|conn| {
            let dates = contracts::table
                .select(contracts::notification_date)
                .load(conn)?;
            let sirets = companies::table
                .select(companies::identifier)
                .order(companies::siret)
                .load(conn)?;
            Ok::<_, StorageError>((dates, sirets))
        })
        .await
        .unwrap()
}

#[tokio::test]
async fn lots_sirets_and_dates_written_by_habit_import_from_csv_xlsx_xls_and_ods() {
    let app = spawn_app().await;
    let token = officer(&app).await;
    let csv = register_by_habit();
    let files = [
        ("registre.csv", csv.clone().into_bytes()),
        ("registre.xlsx", xlsx(&csv_rows(&csv), |_| {})),
        ("registre.xls", fixture("registre-habitudes.xls")),
        ("registre.ods", fixture("registre-habitudes.ods")),
    ];

    for (name, bytes) in files {
        let (status, body) = app.import(&token, "contracts", name, bytes, false).await;

        assert_eq!(status, 201, "{name}: {body}");
        assert_eq!(body["report"]["rows_written"], 3, "{name}: {body}");
        let lots: Vec<(i32, i64, Option<i64>)> = stored_lots(&app)
            .await
            .into_iter()
            .map(|(_, number, amount, _, target)| (number, amount, target))
            .collect();
        assert_eq!(
            lots,
            [
                (1, 12_000_000, None),
                (2, 9_500_000, Some(120_000)),
                (3, 5_000_000, None)
            ],
            "{name}"
        );
        assert_eq!(
            notification_and_sirets(&app).await,
            (
                vec![chrono::NaiveDate::from_ymd_opt(2025, 3, 1).unwrap()],
                vec!["21310555400017".to_owned(), HOLDER.to_owned()]
            ),
            "{name}"
        );
    }
}

#[tokio::test]
async fn a_siret_rounded_by_a_spreadsheet_and_a_bad_whole_number_say_what_to_do() {
    let app = spawn_app().await;
    let token = officer(&app).await;
    let b = siret(1);
    let b = b.as_str();
    let csv = format!(
        "{REGISTER_HEADER}\n\
         A-1;Voirie;{b};01/02/2025;24;;100000;8,49374E+13;Routes du Sud;;\n\
         A-2;Éclairage;{b};01/02/2025;24,5;;50000;{HOLDER};Routes du Sud;;\n\
         A-3;Peinture;{b};01/02/2025;24;Lot A;30000;{HOLDER};Routes du Sud;;\n"
    );
    // The same rounded SIRET read back as a number, as a spreadsheet does once it opens the
    // CSV it exported.
    let mut rows = csv_rows(&csv);
    rows[1][7].clear();
    let excel = xlsx(&rows, |sheet| {
        sheet.write_number(1, 7, 84_937_400_000_000.0).unwrap();
    });

    let (status, body) = app
        .import(&token, "contracts", "registre.csv", csv.into_bytes(), false)
        .await;
    let (excel_status, excel_body) = app
        .import(&token, "contracts", "registre.xlsx", excel, false)
        .await;

    assert_eq!(status, 422, "{body}");
    assert_eq!(excel_status, 422, "{excel_body}");
    for body in [&body, &excel_body] {
        let problems = problems_by_row(body);
        let rounded = message_at(&problems, 2);
        assert!(
            rounded.contains("« 8,49374E+13 » a été arrondi par le tableur")
                && rounded.contains("perdu les derniers chiffres")
                && rounded.contains("format Texte")
                && rounded.contains("saisissez à nouveau les SIRET")
                && !rounded.contains("virgule")
                && !rounded.contains("pas un chiffre"),
            "{problems:?}"
        );
        let whole = message_at(&problems, 3);
        assert!(
            whole.contains("« 24,5 » n'est pas un nombre entier")
                && whole.contains("par exemple 24")
                && !whole.contains("1 234,56"),
            "{problems:?}"
        );
        let lot = message_at(&problems, 4);
        assert!(
            lot.contains("« Lot A » n'est pas un numéro de lot") && lot.contains("« Lot 2 »"),
            "{problems:?}"
        );
        assert_eq!(problems.len(), 3, "{problems:?}");
    }
    assert!(stored_lots(&app).await.is_empty());
}
