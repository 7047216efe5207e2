//! Importing structures: what people really send is accepted; what is wrong is refused with
//! the row, the column and what to change, and then nothing is written.

use std::io::Write;

use diesel::prelude::*;
use rust_xlsxwriter::{Format, Workbook};
use suivi_clauses::domain::Role;
use suivi_clauses::storage::companies;
use suivi_clauses::storage::schema::imports;

use crate::helpers::{ADMIN_EMAIL, ADMIN_PASSWORD, TestApp, USER_PASSWORD, spawn_app};

/// Valid SIRETs: (SIRET written in the file, its 14 digits).
const ETTI: &str = "443 061 841 00047";
const ACI: &str = "21310555400017";
const FIRM: &str = "73282932000074";

/// A workbook as an officer keeps it: a merged title, a note, headers in their own words at
/// row 4, a SIRET typed as a number, a blank row, an unknown column and a total row.
fn officers_workbook() -> Vec<u8> {
    let mut book = Workbook::new();
    let sheet = book.add_worksheet().set_name("Structures 2025").unwrap();
    sheet
        .merge_range(
            0,
            0,
            0,
            5,
            "Structures partenaires — Département",
            &Format::new(),
        )
        .unwrap();
    sheet.write_string(1, 0, "Mise à jour : mars 2025").unwrap();
    for (column, header) in [
        "N° SIRET",
        "Nom de la structure",
        "Type",
        "CP",
        "Taille",
        "Observations",
    ]
    .iter()
    .enumerate()
    {
        sheet.write_string(3, column as u16, *header).unwrap();
    }
    sheet.write_string(4, 0, ETTI).unwrap();
    sheet
        .write_string(4, 1, "Intérim Insertion Garonne")
        .unwrap();
    sheet
        .write_string(4, 2, "Entreprise de travail temporaire d'insertion")
        .unwrap();
    sheet.write_number(4, 3, 31000).unwrap();
    sheet.write_number(5, 0, 21310555400017.0).unwrap();
    sheet
        .write_string(5, 1, "  Chantier   du Lauragais ")
        .unwrap();
    sheet.write_string(5, 2, "aci").unwrap();
    sheet.write_string(5, 3, "11400").unwrap();
    sheet.write_string(7, 0, FIRM).unwrap();
    sheet.write_string(7, 1, "Bâtiments du Sud").unwrap();
    sheet.write_number(7, 3, 1000).unwrap();
    sheet.write_string(7, 4, "pme").unwrap();
    sheet.write_string(7, 5, "partenaire historique").unwrap();
    sheet.write_string(8, 0, "TOTAL général").unwrap();
    sheet.write_number(8, 3, 3).unwrap();
    book.save_to_buffer().unwrap()
}

async fn officer_token(app: &TestApp) -> String {
    app.add_buyer(1, "Département").await;
    let officer = app
        .create_user(Role::BuyerOfficer, vec![crate::helpers::siret(1)])
        .await;
    app.session(&officer.email, USER_PASSWORD).await.token
}

type CompanyRow = (
    String,
    String,
    String,
    Option<String>,
    Option<String>,
    Option<String>,
);

/// The establishments stored, by SIRET.
async fn stored_companies(app: &TestApp) -> Vec<CompanyRow> {
    let mut all = app
        .database
        .run(|conn| companies::list(conn).map_err(suivi_clauses::storage::StorageError::from))
        .await
        .unwrap();
    all.sort_by(|a, b| a.identifier.cmp(&b.identifier));
    all.into_iter()
        .map(|c| {
            (
                c.identifier,
                c.name,
                c.structure_kind,
                c.postal_code,
                c.departement,
                c.size_class,
            )
        })
        .collect()
}

#[tokio::test]
async fn an_officers_workbook_is_imported_as_written() {
    let app = spawn_app().await;
    let token = officer_token(&app).await;

    let response = app
        .upload(
            &token,
            "structures",
            "structures.xlsx",
            officers_workbook(),
            false,
        )
        .await;

    assert_eq!(response.status(), 201);
    let body: serde_json::Value = response.json().await.unwrap();
    let report = &body["report"];
    assert_eq!(report["status"], "succeeded");
    assert_eq!(report["format"], "xlsx");
    assert_eq!(report["sheet"], "Structures 2025");
    assert_eq!(report["header_row"], 4);
    assert_eq!(
        (
            report["rows_read"].as_u64(),
            report["rows_written"].as_u64()
        ),
        (Some(3), Some(3))
    );
    assert!(
        report["warnings"][0]
            .as_str()
            .unwrap()
            .contains("« Observations »")
    );
    let s = |v: &str| Some(v.to_owned());
    assert_eq!(
        stored_companies(&app).await,
        [
            (
                ACI.to_owned(),
                "Chantier du Lauragais".to_owned(),
                "aci".to_owned(),
                s("11400"),
                s("11"),
                None
            ),
            (
                "44306184100047".to_owned(),
                "Intérim Insertion Garonne".to_owned(),
                "etti".to_owned(),
                s("31000"),
                s("31"),
                None
            ),
            (
                FIRM.to_owned(),
                "Bâtiments du Sud".to_owned(),
                "company".to_owned(),
                s("01000"),
                s("01"),
                s("sme")
            ),
        ]
    );
}

#[tokio::test]
async fn a_file_with_any_bad_row_writes_nothing_and_says_where_and_what_to_change() {
    let app = spawn_app().await;
    let token = officer_token(&app).await;
    let csv = format!(
        "SIRET;Raison sociale;Type de structure\n\
         {ETTI};Intérim Insertion;ETTI\n\
         12345678901234;Mauvais SIRET;EI\n\
         {FIRM};Coopérative;Coopérative\n\
         {ETTI};Doublon;ETTI\n\
         {ACI};;ACI\n"
    );

    let response = app
        .upload(
            &token,
            "structures",
            "structures.csv",
            csv.into_bytes(),
            false,
        )
        .await;

    assert_eq!(response.status(), 422);
    let body: serde_json::Value = response.json().await.unwrap();
    assert_eq!(body["error"]["code"], "import_refused");
    assert!(
        body["error"]["message"]
            .as_str()
            .unwrap()
            .contains("4 problème(s)"),
        "{body}"
    );
    let problems = body["report"]["problems"].as_array().unwrap();
    let located: Vec<(u64, &str, &str)> = problems
        .iter()
        .map(|p| {
            (
                p["row"].as_u64().unwrap(),
                p["column"].as_str().unwrap(),
                p["message"].as_str().unwrap(),
            )
        })
        .collect();
    assert_eq!(located.len(), 4, "{located:?}");
    assert_eq!((located[0].0, located[0].1), (3, "SIRET"));
    assert!(located[0].2.contains("clé de contrôle"));
    assert_eq!((located[1].0, located[1].1), (4, "Type de structure"));
    assert!(located[1].2.contains("Valeurs acceptées"));
    assert_eq!((located[2].0, located[2].1), (5, "SIRET"));
    assert!(located[2].2.contains("déjà ligne 2"));
    assert_eq!((located[3].0, located[3].1), (6, "Raison sociale"));
    assert!(located[3].2.contains("obligatoire"));
    assert!(stored_companies(&app).await.is_empty());
    let statuses: Vec<String> = app
        .database
        .run(|conn| {
            imports::table
                .select(imports::status)
                .load(conn)
                .map_err(suivi_clauses::storage::StorageError::from)
        })
        .await
        .unwrap();
    assert_eq!(statuses, ["refused"]);
}

#[tokio::test]
async fn whole_file_problems_are_one_clear_sentence() {
    let app = spawn_app().await;
    let token = officer_token(&app).await;
    let refusal = |bytes: Vec<u8>| {
        let app = &app;
        let token = token.clone();
        async move {
            let response = app
                .upload(&token, "structures", "envoi", bytes, false)
                .await;
            assert_eq!(response.status(), 422);
            let body: serde_json::Value = response.json().await.unwrap();
            body["report"]["file_problem"].as_str().unwrap().to_owned()
        }
    };

    let missing = refusal(b"N\xc2\xb0 SIRET;Ville\n44306184100047;Toulouse\n".to_vec()).await;
    let pdf = refusal(b"%PDF-1.7 rapport".to_vec()).await;
    let empty = refusal(b"   \n".to_vec()).await;
    let headers_only = refusal(b"SIRET;Raison sociale\n".to_vec()).await;

    assert!(
        missing.starts_with("Colonnes obligatoires absentes : « Raison sociale »"),
        "{missing}"
    );
    assert!(
        missing.contains("« N° SIRET », « Ville »") && missing.contains("ligne 1"),
        "{missing}"
    );
    assert!(pdf.contains("n'est pas un tableur (c'est un PDF)"), "{pdf}");
    assert!(empty.contains("aucune donnée"), "{empty}");
    assert!(
        headers_only.contains("aucune ligne de données"),
        "{headers_only}"
    );
}

#[tokio::test]
async fn the_same_file_twice_is_a_duplicate_unless_replaced() {
    let app = spawn_app().await;
    let token = officer_token(&app).await;
    // Built once: a workbook records when it was written, so two builds a second apart differ.
    let workbook = officers_workbook();

    let first = app
        .upload(&token, "structures", "a.xlsx", workbook.clone(), false)
        .await;
    let again = app
        .upload(&token, "structures", "copie.xlsx", workbook.clone(), false)
        .await;
    let replaced = app
        .upload(&token, "structures", "a.xlsx", workbook, true)
        .await;

    assert_eq!(first.status(), 201);
    assert_eq!(again.status(), 409);
    let body: serde_json::Value = again.json().await.unwrap();
    assert_eq!(body["error"]["code"], "duplicate_file");
    assert!(
        body["error"]["message"]
            .as_str()
            .unwrap()
            .contains("déjà été importé")
    );
    assert_eq!(replaced.status(), 201);
    assert_eq!(stored_companies(&app).await.len(), 3);
}

#[tokio::test]
async fn hostile_files_are_refused_without_harm() {
    let app = spawn_app().await;
    let token = officer_token(&app).await;

    let too_large = app
        .upload(
            &token,
            "structures",
            "gros.csv",
            vec![b'a'; 3 * 1024 * 1024],
            false,
        )
        .await;
    let mut bomb = std::io::Cursor::new(Vec::new());
    {
        let mut zip = zip::ZipWriter::new(&mut bomb);
        let options = zip::write::SimpleFileOptions::default()
            .compression_method(zip::CompressionMethod::Deflated);
        zip.start_file("xl/workbook.xml", options).unwrap();
        zip.write_all(b"<workbook/>").unwrap();
        zip.start_file("xl/worksheets/sheet1.xml", options).unwrap();
        zip.write_all(&vec![b' '; 80 * 1024 * 1024]).unwrap();
        zip.finish().unwrap();
    }
    let bomb = app
        .upload(&token, "structures", "bombe.xlsx", bomb.into_inner(), false)
        .await;

    assert_eq!(too_large.status(), 413);
    let body: serde_json::Value = too_large.json().await.unwrap();
    assert!(
        body["error"]["message"].as_str().unwrap().contains("2 Mo"),
        "{body}"
    );
    assert_eq!(bomb.status(), 422);
    let body: serde_json::Value = bomb.json().await.unwrap();
    assert!(
        body["report"]["file_problem"]
            .as_str()
            .unwrap()
            .contains("décompressé"),
        "{body}"
    );
    assert_eq!(app.get("/api/health").await.status(), 200);
}

#[tokio::test]
async fn a_stray_cell_far_away_costs_nothing() {
    let app = spawn_app().await;
    let token = officer_token(&app).await;
    let mut book = Workbook::new();
    let sheet = book.add_worksheet();
    sheet.write_string(0, 0, "SIRET").unwrap();
    sheet.write_string(0, 1, "Raison sociale").unwrap();
    sheet.write_string(1, 0, ETTI).unwrap();
    sheet.write_string(1, 1, "Intérim Insertion").unwrap();
    // XFD1048576, the last cell of a sheet: a dense grid would be 17 billion cells.
    sheet.write_string(1_048_575, 16_383, "oubli").unwrap();

    let response = app
        .upload(
            &token,
            "structures",
            "loin.xlsx",
            book.save_to_buffer().unwrap(),
            false,
        )
        .await;

    assert_eq!(response.status(), 201);
    let body: serde_json::Value = response.json().await.unwrap();
    let warning = body["report"]["warnings"][0].as_str().unwrap();
    assert!(
        warning.starts_with("Ligne 1048576 : rien sous les en-têtes"),
        "{warning}"
    );
    assert_eq!(stored_companies(&app).await.len(), 1);
}

/// An OpenDocument spreadsheet as LibreOffice writes it, reduced to what matters.
fn ods(rows: &[&[&str]]) -> Vec<u8> {
    let cells = |row: &[&str]| {
        row.iter()
            .map(|v| format!("<table:table-cell office:value-type=\"string\"><text:p>{v}</text:p></table:table-cell>"))
            .collect::<String>()
    };
    let body: String = rows
        .iter()
        .map(|r| format!("<table:table-row>{}</table:table-row>", cells(r)))
        .collect();
    let content = format!(
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\
         <office:document-content xmlns:office=\"urn:oasis:names:tc:opendocument:xmlns:office:1.0\" \
         xmlns:table=\"urn:oasis:names:tc:opendocument:xmlns:table:1.0\" \
         xmlns:text=\"urn:oasis:names:tc:opendocument:xmlns:text:1.0\" office:version=\"1.2\">\
         <office:body><office:spreadsheet><table:table table:name=\"Feuille1\">{body}</table:table>\
         </office:spreadsheet></office:body></office:document-content>"
    );
    let mut buffer = std::io::Cursor::new(Vec::new());
    {
        let mut zip = zip::ZipWriter::new(&mut buffer);
        let stored = zip::write::SimpleFileOptions::default()
            .compression_method(zip::CompressionMethod::Stored);
        zip.start_file("mimetype", stored).unwrap();
        zip.write_all(b"application/vnd.oasis.opendocument.spreadsheet")
            .unwrap();
        zip.start_file("content.xml", stored).unwrap();
        zip.write_all(content.as_bytes()).unwrap();
        zip.start_file("META-INF/manifest.xml", stored).unwrap();
        zip.write_all(
            b"<?xml version=\"1.0\" encoding=\"UTF-8\"?>\
              <manifest:manifest xmlns:manifest=\"urn:oasis:names:tc:opendocument:xmlns:manifest:1.0\" manifest:version=\"1.2\">\
              <manifest:file-entry manifest:full-path=\"/\" manifest:media-type=\"application/vnd.oasis.opendocument.spreadsheet\"/>\
              <manifest:file-entry manifest:full-path=\"content.xml\" manifest:media-type=\"text/xml\"/>\
              </manifest:manifest>",
        )
        .unwrap();
        zip.finish().unwrap();
    }
    buffer.into_inner()
}

#[tokio::test]
async fn libreoffice_and_windows_csv_files_are_read_too() {
    let app = spawn_app().await;
    let token = officer_token(&app).await;
    let opendocument = ods(&[
        &["SIRET", "Raison sociale", "Type de structure"],
        &[ETTI, "Intérim Insertion", "ETTI"],
    ]);
    // Windows-1252, comma-separated, as some payroll software exports.
    let windows = [
        &b"Siret,D\xe9nomination,Cat\xe9gorie d'entreprise\n"[..],
        FIRM.as_bytes(),
        b",B\xe2timents du Sud,GE\n",
    ]
    .concat();

    let from_ods = app
        .upload(&token, "structures", "structures.ods", opendocument, false)
        .await;
    let from_csv = app
        .upload(&token, "Structures", "export.csv", windows, false)
        .await;

    assert_eq!(from_ods.status(), 201, "{}", from_ods.text().await.unwrap());
    assert_eq!(from_csv.status(), 201, "{}", from_csv.text().await.unwrap());
    let stored = stored_companies(&app).await;
    assert_eq!(stored[0].1, "Intérim Insertion");
    assert_eq!(
        (stored[1].1.as_str(), stored[1].5.as_deref()),
        ("Bâtiments du Sud", Some("large"))
    );
}

#[tokio::test]
async fn who_may_import_what_follows_the_table() {
    let app = spawn_app().await;
    let company = app.create_user(Role::Company, vec![]).await;
    let company_token = app.session(&company.email, USER_PASSWORD).await.token;
    let admin = app.session(ADMIN_EMAIL, ADMIN_PASSWORD).await.token;

    let by_company = app
        .upload(
            &company_token,
            "structures",
            "s.xlsx",
            officers_workbook(),
            false,
        )
        .await;
    app.add_buyer(1, "Département").await;
    let officer = app
        .create_user(Role::BuyerOfficer, vec![crate::helpers::siret(1)])
        .await;
    let officer_token = app.session(&officer.email, USER_PASSWORD).await.token;
    let participants_by_officer = app
        .upload(
            &officer_token,
            "participants",
            "p.csv",
            b"x".to_vec(),
            false,
        )
        .await;
    let unknown = app
        .upload(&admin, "factures", "f.xlsx", officers_workbook(), false)
        .await;

    assert_eq!(by_company.status(), 403);
    assert_eq!(participants_by_officer.status(), 403);
    assert_eq!(unknown.status(), 422);
}

/// The header row of a template's data sheet, as calamine reads it back.
pub(crate) fn template_headers(bytes: &[u8]) -> (Vec<String>, Vec<String>) {
    use calamine::Reader;
    let mut book = calamine::Xlsx::new(std::io::Cursor::new(bytes.to_vec())).unwrap();
    let sheets = book.sheet_names();
    let range = book.worksheet_range("Données").unwrap();
    let headers = range
        .rows()
        .next()
        .unwrap()
        .iter()
        .map(|c| c.to_string())
        .collect();
    (headers, sheets)
}

/// A filled copy of a template: its headers, then the rows a person typed under them.
pub(crate) fn filled(headers: &[String], rows: &[&[&str]]) -> Vec<u8> {
    let mut book = Workbook::new();
    let sheet = book.add_worksheet().set_name("Données").unwrap();
    for (c, h) in headers.iter().enumerate() {
        sheet.write_string(0, c as u16, h).unwrap();
    }
    for (r, row) in rows.iter().enumerate() {
        for (c, value) in row.iter().enumerate().filter(|(_, v)| !v.is_empty()) {
            sheet.write_string(r as u32 + 1, c as u16, *value).unwrap();
        }
    }
    book.save_to_buffer().unwrap()
}

#[tokio::test]
async fn a_downloaded_template_filled_in_imports() {
    let app = spawn_app().await;
    app.add_buyer(1, "Département").await;
    let admin = app.session(ADMIN_EMAIL, ADMIN_PASSWORD).await.token;
    let template = |kind: &'static str| {
        let app = &app;
        let admin = admin.clone();
        async move {
            let response = app
                .get_with(&format!("/api/imports/templates/{kind}"), &admin)
                .await;
            assert_eq!(response.status(), 200, "{kind}");
            let disposition = response.headers()["content-disposition"]
                .to_str()
                .unwrap()
                .to_owned();
            assert!(
                disposition.contains(&format!("modele-{kind}.xlsx")),
                "{disposition}"
            );
            response.bytes().await.unwrap().to_vec()
        }
    };

    let structures = template("structures").await;
    let (headers, sheets) = template_headers(&structures);
    assert_eq!(sheets, ["Données", "Aide", "Listes"]);
    assert_eq!(
        headers[..2],
        ["SIRET *".to_owned(), "Raison sociale *".to_owned()]
    );
    let sheet_xml = {
        let mut archive = zip::ZipArchive::new(std::io::Cursor::new(structures.clone())).unwrap();
        let mut xml = String::new();
        std::io::Read::read_to_string(
            &mut archive.by_name("xl/worksheets/sheet1.xml").unwrap(),
            &mut xml,
        )
        .unwrap();
        xml
    };
    assert!(
        sheet_xml.contains("<dataValidation") && sheet_xml.contains("Listes!$A$2"),
        "drop-down lists"
    );
    let structures_filled = filled(
        &headers,
        &[&[ETTI, "Intérim Insertion Garonne", "ETTI", "31000", "PME"]],
    );
    let (status, body) = app
        .import(
            &admin,
            "structures",
            "modele-rempli.xlsx",
            structures_filled,
            false,
        )
        .await;
    assert_eq!(status, 201, "{body}");

    let (headers, _) = template_headers(&template("participants").await);
    let people = filled(
        &headers,
        &[&[
            "P-100",
            "RSA",
            "02/03/2025",
            "France Travail",
            "1980",
            "Femme",
            "Oui",
            "",
            "",
        ]],
    );
    let (status, body) = app
        .import(&admin, "participants", "participants.xlsx", people, false)
        .await;
    assert_eq!(status, 201, "{body}");

    let (headers, _) = template_headers(&template("contracts").await);
    assert_eq!(headers.len(), 28);
    let buyer = crate::helpers::siret(1).as_str().to_owned();
    let register = filled(
        &headers,
        &[&[
            "2025-TX-001",
            "Voirie",
            &buyer,
            "Procédure adaptée",
            "45233141",
            "14/03/2025",
            "12",
            "",
            "",
            "",
            "90 000",
            FIRM,
            "Routes du Sud",
            "31000",
            "PME",
            "Titulaire",
            "Oui",
            "300",
            "Non",
            "Non",
            "01/12/2024",
            "Travaux",
            "120 000",
            "Non",
            "Oui",
            "Non",
            "",
            "",
        ]],
    );
    let (status, body) = app
        .import(&admin, "contracts", "registre.xlsx", register, false)
        .await;
    assert_eq!(status, 201, "{body}");
    // The obligation columns, as the template's drop-downs and formats gave them.
    let listed: serde_json::Value = app
        .get_with("/api/contracts?q=2025-TX-001", &admin)
        .await
        .json()
        .await
        .unwrap();
    let contract = &listed["items"][0];
    assert_eq!(contract["launch_date"], "2024-12-01");
    assert_eq!(contract["contract_type"], "works");
    assert_eq!(contract["estimated_value_cents"], 12_000_000);
    assert_eq!(contract["social_condition"], false);
    assert_eq!(contract["environmental_condition"], true);
    assert_eq!(contract["social_exemption_ground"], serde_json::Value::Null);
}

#[tokio::test]
async fn a_refused_file_comes_back_with_its_errors_beside_each_row() {
    let app = spawn_app().await;
    let token = officer_token(&app).await;
    let csv = format!(
        "Liste des structures\n\nSIRET;Raison sociale;Type de structure\n\
         {ETTI};=HYPERLINK(\"http://exemple.invalid\");ETTI\n\
         12345678901234;Mauvais SIRET;EI\n\
         {FIRM};Coopérative;Coopérative\n"
    );
    let (status, body) = app
        .import(
            &token,
            "structures",
            "structures.csv",
            csv.into_bytes(),
            false,
        )
        .await;
    assert_eq!(status, 422);
    let id = body["report"]["import_id"].as_i64().unwrap();
    let other = app
        .create_user(Role::BuyerOfficer, vec![crate::helpers::siret(1)])
        .await;
    let other = app.session(&other.email, USER_PASSWORD).await.token;

    let mine = app
        .get_with(&format!("/api/imports/{id}/errors.xlsx"), &token)
        .await;
    let theirs = app
        .get_with(&format!("/api/imports/{id}/errors.xlsx"), &other)
        .await;
    let history: Vec<serde_json::Value> = app
        .get_with("/api/imports", &token)
        .await
        .json()
        .await
        .unwrap();

    assert_eq!(theirs.status(), 404);
    assert_eq!(history.len(), 1);
    assert_eq!(history[0]["status"], "refused");
    assert_eq!(mine.status(), 200);
    let bytes = mine.bytes().await.unwrap().to_vec();
    use calamine::{Data, Reader};
    let mut book = calamine::Xlsx::new(std::io::Cursor::new(bytes.clone())).unwrap();
    let range = book.worksheet_range("À corriger").unwrap();
    // Same rows as in the user's file: the header on row 3, the faulty rows on 5 and 6.
    assert_eq!(
        range.get_value((2, 3)),
        Some(&Data::String("Erreurs".to_owned()))
    );
    assert_eq!(
        range.get_value((3, 1)),
        Some(&Data::String(
            "=HYPERLINK(\"http://exemple.invalid\")".to_owned()
        ))
    );
    let error_of = |row: u32| {
        range
            .get_value((row, 3))
            .map(|v| v.to_string())
            .unwrap_or_default()
    };
    assert!(error_of(3).is_empty());
    assert!(
        error_of(4).starts_with("SIRET : Le SIRET « 12345678901234 »"),
        "{}",
        error_of(4)
    );
    assert!(
        error_of(5).contains("Type de structure : « Coopérative »"),
        "{}",
        error_of(5)
    );
    let mut archive = zip::ZipArchive::new(std::io::Cursor::new(bytes)).unwrap();
    let mut sheet = String::new();
    std::io::Read::read_to_string(
        &mut archive.by_name("xl/worksheets/sheet1.xml").unwrap(),
        &mut sheet,
    )
    .unwrap();
    assert!(!sheet.contains("<f>"), "no cell became a formula");
    let mut styles = String::new();
    std::io::Read::read_to_string(&mut archive.by_name("xl/styles.xml").unwrap(), &mut styles)
        .unwrap();
    assert!(styles.contains("F8C9C4"), "faulty cells are highlighted");
}

#[test]
fn the_example_dataset_imports_cleanly_once() {
    use suivi_clauses::import::examples::{Dataset, Loaded, load};
    use suivi_clauses::import::limits::ImportLimits;
    use suivi_clauses::import::profiles::Profiles;
    let test_db = crate::helpers::TestDatabase::new();
    let database = test_db.connect();
    let mut conn = database.connection().unwrap();
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("imports");
    let importer = suivi_clauses::import::Importer::new(
        Profiles::load(Some(&dir)).unwrap(),
        ImportLimits::default(),
    );

    let first = load(&mut conn, &importer, &Dataset::embedded()).unwrap();
    let second = load(&mut conn, &importer, &Dataset::embedded()).unwrap();

    let Loaded::Loaded { buyers, files } = first else {
        panic!("the dataset was not loaded")
    };
    assert_eq!(buyers, 3);
    let kinds: Vec<&str> = files.iter().map(|(name, _)| &name[..1]).collect();
    assert_eq!(kinds, ["1", "2", "3", "4", "4", "4", "4"]);
    assert!(files.iter().all(|(_, rows)| *rows > 0), "{files:?}");
    assert_eq!(second, Loaded::Skipped);
}
