//! The DECP import of a national-shaped file (docs/benchmarks.md): a generated file of
//! 1 000 000 records, 2 000 of them for the one buyer in the database, imported from disk as
//! the command line does, beside a bare streaming parse of the same file by serde_json.
//!
//! ```sh
//! cargo bench --bench decp
//! BENCH_DECP_RECORDS=100000 cargo bench --bench decp   # a quick look
//! ```
//!
//! Each measurement runs in a child process of its own (this program started again with
//! `--child …`), whose peak resident size (VmHWM) is its own alone.

#![allow(clippy::too_many_lines, clippy::cognitive_complexity)]

mod common;

use std::io::{BufWriter, Write};
use std::path::{Path, PathBuf};
use std::time::Instant;

use serde::de::IgnoredAny;
use serde_json::{Value, json};
use suivi_clauses::configuration::Settings;
use suivi_clauses::domain::{ImportKind, Name, Siret, Territory};
use suivi_clauses::import::Upload;
use suivi_clauses::storage::audit::Actor;
use suivi_clauses::storage::users::BuyerScope;
use suivi_clauses::storage::{Database, DatabaseUrl, buyers};

use common::{peak_kb, run_child};

/// Records of the buyer in the database, spread evenly through the file.
const OURS: u64 = 2_000;
/// Companies holding the buyer's contracts (known to the service, as after a structures
/// import).
const COMPANIES: u64 = 50;

fn siret(n: u64) -> Siret {
    Siret::with_check_digit(&format!("{:013}", 2_000_000_000_000 + n)).unwrap()
}

fn settings(data_dir: &Path, url: &str) -> Settings {
    let mut s = Settings {
        data_dir: data_dir.to_owned(),
        ..Settings::default()
    };
    s.database.url = Some(secrecy::SecretString::from(url.to_owned()));
    s.log.filter = "error".to_owned();
    s.imports.profiles_dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("imports");
    s
}

/// One record as the national consolidated file writes it (2024 format, most fields filled).
fn record(i: u64, every: u64) -> Value {
    let ours = i.is_multiple_of(every);
    let buyer = if ours {
        siret(1).as_str().to_owned()
    } else {
        format!("{:014}", 21_000_000_000_000 + i % 60_000)
    };
    let holder = if ours {
        siret(100 + i % COMPANIES).as_str().to_owned()
    } else {
        format!("{:014}", 30_000_000_000_000 + i)
    };
    let mut r = json!({
        "id": format!("2025{:08}", i), "acheteur": {"id": buyer}, "nature": "Marché",
        "objet": format!("Travaux de rénovation énergétique du bâtiment n° {i}, lot unique"),
        "codeCPV": "45214200-2", "procedure": "Procédure adaptée",
        "lieuExecution": {"code": "31000", "typeCode": "Code postal"},
        "dureeMois": if i.is_multiple_of(7) { json!("NC") } else { json!(12 + i % 36) },
        "dateNotification": "2025-03-14", "datePublicationDonnees": "2025-03-20",
        "montant": 40_000 + (i % 1_000) * 1_000, "formePrix": "Forfaitaire",
        "titulaires": [{"titulaire": {"typeIdentifiant": "SIRET", "id": holder}}],
        "considerationsSociales": {"considerationSociale": ["Clause sociale"]},
        "considerationsEnvironnementales": {"considerationEnvironnementale": ["Pas de considération environnementale"]},
        "marcheInnovant": false, "ccag": "Travaux", "offresRecues": 3,
        "attributionAvance": true, "tauxAvance": 0.05, "typeGroupementOperateurs": "Pas de groupement",
        "sousTraitanceDeclaree": false, "origineUE": 0, "origineFrance": 0,
        "typesPrix": {"typePrix": ["Définitif ferme"]},
        "techniques": {"technique": ["Sans objet"]},
        "modalitesExecution": {"modaliteExecution": ["Sans objet"]}
    });
    if i.is_multiple_of(5) {
        r["modifications"] = json!([{"modification": {"id": 1, "montant": 50_000 + i % 1_000,
            "dureeMois": 24, "dateNotificationModification": "2025-09-01",
            "datePublicationDonneesModification": "2025-09-05"}}]);
    }
    r
}

fn generate(path: &Path, records: u64) {
    let every = (records / OURS).max(1);
    let mut out = BufWriter::new(std::fs::File::create(path).unwrap());
    out.write_all(b"{\"marches\": {\"marche\": [\n").unwrap();
    for i in 0..records {
        if i > 0 {
            out.write_all(b",\n").unwrap();
        }
        serde_json::to_writer(&mut out, &record(i, every)).unwrap();
    }
    out.write_all(b"\n]}}\n").unwrap();
}

/// The floor: serde_json reading the same file from disk, each record whole, nothing kept.
fn bare_parse(path: &Path) -> Value {
    let start = Instant::now();
    let reader = std::io::BufReader::new(std::fs::File::open(path).unwrap());
    let mut count = 0u64;
    #[derive(serde::Deserialize)]
    struct Document {
        marches: Marches,
    }
    #[derive(serde::Deserialize)]
    struct Marches {
        #[serde(deserialize_with = "count_records")]
        marche: u64,
    }
    fn count_records<'de, D: serde::Deserializer<'de>>(d: D) -> Result<u64, D::Error> {
        struct Counter;
        impl<'de> serde::de::Visitor<'de> for Counter {
            type Value = u64;
            fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
                f.write_str("a list")
            }
            fn visit_seq<A: serde::de::SeqAccess<'de>>(self, mut seq: A) -> Result<u64, A::Error> {
                let mut n = 0;
                while seq.next_element::<IgnoredAny>()?.is_some() {
                    n += 1;
                }
                Ok(n)
            }
        }
        d.deserialize_seq(Counter)
    }
    let document: Document = serde_json::from_reader(reader).unwrap();
    count += document.marches.marche;
    json!({ "seconds": start.elapsed().as_secs_f64(), "peak_kb": peak_kb(), "records": count })
}

/// The import, from disk as the command line reads it, into a SQLite database holding the
/// buyer and its companies.
fn import(path: &Path, work: &Path) -> Value {
    let url = format!("sqlite://{}", work.join("decp.db").display());
    let settings = settings(work, &url);
    let database =
        Database::connect(DatabaseUrl::parse(&url).unwrap(), &settings.pool_options()).unwrap();
    database.migrate().unwrap();
    let importer = settings.importer().unwrap();
    let mut conn = database.connection().unwrap();
    buyers::insert(
        &mut conn,
        &siret(1),
        &Name::parse("Département").unwrap(),
        &Territory::parse("31").unwrap(),
    )
    .unwrap();
    let mut structures = String::from("SIRET;Raison sociale;Type de structure\n");
    for c in 0..COMPANIES {
        structures.push_str(&format!(
            "{};Entreprise {c};Entreprise\n",
            siret(100 + c).as_str()
        ));
    }
    let upload = |kind, bytes: Vec<u8>, file: Option<PathBuf>| Upload {
        kind,
        buyer: None,
        file_name: "fichier".to_owned(),
        bytes,
        replace: false,
        scope: BuyerScope::AllBuyers,
        skip_invalid: false,
        departement: None,
        file,
        role: suivi_clauses::domain::Role::Admin,
        spool: None,
    };
    let report = importer
        .run(
            &mut conn,
            upload(ImportKind::Structures, structures.into_bytes(), None),
            &Actor::system(),
        )
        .unwrap();
    assert!(report.problems.is_empty(), "{}", report.summary());
    // Only the start is held, as the command line does.
    let mut head = Vec::new();
    std::io::Read::read_to_end(
        &mut std::io::Read::take(
            std::fs::File::open(path).unwrap(),
            suivi_clauses::import::upload::HEAD_BYTES as u64,
        ),
        &mut head,
    )
    .unwrap();
    let start = Instant::now();
    let report = importer
        .run(
            &mut conn,
            upload(ImportKind::Contracts, head, Some(path.to_owned())),
            &Actor::system(),
        )
        .unwrap();
    let seconds = start.elapsed().as_secs_f64();
    assert!(
        report.problems.is_empty() && report.file_problem.is_none(),
        "{report:?}"
    );
    json!({
        "seconds": seconds, "peak_kb": peak_kb(),
        "written": report.records_written, "others": report.records_other_buyers
    })
}

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    if args.first().map(String::as_str) == Some("--child") {
        let value = match args[1].as_str() {
            "bare" => bare_parse(Path::new(&args[2])),
            "import" => import(Path::new(&args[2]), Path::new(&args[3])),
            other => panic!("unknown child {other}"),
        };
        println!("{value}");
        return;
    }
    let records: u64 = std::env::var("BENCH_DECP_RECORDS")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(1_000_000);
    let work = tempfile::tempdir().unwrap();
    let file = work.path().join("decp-national.json");
    generate(&file, records);
    let size = std::fs::metadata(&file).unwrap().len() as f64 / 1_048_576.0;
    let path = file.display().to_string();
    let bare = run_child(&["bare", &path]);
    let imported = run_child(&["import", &path, &work.path().display().to_string()]);
    let secs = |v: &Value| v["seconds"].as_f64().unwrap();
    let mb = |v: &Value| v["peak_kb"].as_f64().unwrap() / 1024.0;
    println!(
        "| records | ours | file | bare parse | bare peak | import | ratio | import peak | written | other buyers |\n|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|"
    );
    println!(
        "| {records} | {OURS} | {size:.0} MB | {:.2} s | {:.0} MB | {:.2} s | {:.1} × | {:.0} MB | {} | {} |",
        secs(&bare),
        mb(&bare),
        secs(&imported),
        secs(&imported) / secs(&bare),
        mb(&imported),
        imported["written"],
        imported["others"]
    );
}
