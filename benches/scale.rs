//! Benchmarks at territory scale, SQLite and PostgreSQL, each beside the bare cost of the
//! library underneath (docs/benchmarks.md). One command:
//!
//! ```sh
//! cargo bench --bench scale                       # 10 000, 100 000 and 1 000 000 rows
//! BENCH_ROWS=10000,100000 cargo bench --bench scale
//! BENCH_SECTIONS=postgres cargo bench --bench scale   # imports, then only the sections named
//! ```
//!
//! Sections after the imports: export, postgres, load, together, after-import (all by default).
//! `BENCH_FORMATS=csv` imports only the CSV files (the later sections need the CSV one).
//!
//! Every measurement that reports memory runs in a child process of its own (this program
//! started again with `--child …`), whose peak resident size (VmHWM) is its own alone.

// The length lints are for src/: a benchmark or a data-writing tool reads best as one script.
#![allow(clippy::too_many_lines, clippy::cognitive_complexity)]

mod common;

use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use secrecy::SecretString;
use serde_json::{Value, json};
use suivi_clauses::configuration::{LogFormat, Settings};
use suivi_clauses::domain::ImportKind;
use suivi_clauses::generator::{self, HOURS_HEADER};
use suivi_clauses::import::{Upload, examples};
use suivi_clauses::storage::audit::Actor;
use suivi_clauses::storage::users::BuyerScope;
use suivi_clauses::storage::{Database, DatabaseUrl};

use common::{peak_kb, run_child};

const ADMIN: &str = "admin@bench.local";
const PASSWORD: &str = "mot de passe des mesures";
/// Errors, and the statements slower than `BENCH_SLOW_STATEMENT_MS` (500 ms by default), on
/// standard error: where a slow figure's time went, statement by statement.
const LOG_FILTER: &str = "error,suivi_clauses::storage::slow_statements=warn";

fn settings(data_dir: &Path, url: &str) -> Settings {
    let mut s = Settings {
        data_dir: data_dir.to_owned(),
        ..Settings::default()
    };
    s.database.url = Some(SecretString::from(url.to_owned()));
    s.database.pool_size = 16;
    s.server.port = 0;
    s.server.workers = Some(2);
    s.log.filter = LOG_FILTER.to_owned();
    s.database.slow_statement_ms = std::env::var("BENCH_SLOW_STATEMENT_MS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(500);
    s.bootstrap.admin_email = ADMIN.to_owned();
    s.bootstrap.admin_password = Some(SecretString::from(PASSWORD.to_owned()));
    s.auth.jwt_secret = Some(SecretString::from(
        "clé de signature des mesures, assez longue pour HS256".to_owned(),
    ));
    s.imports.profiles_dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("imports");
    s.imports.max_file_mb = 4_096;
    s.imports.max_rows = 50_000_000;
    s.imports.max_uncompressed_mb = 16_384;
    s
}

fn connect(url: &str) -> Database {
    let database = Database::connect(
        DatabaseUrl::parse(url).expect("database URL"),
        &settings(Path::new("."), url).pool_options(),
    )
    .expect("connect");
    database.migrate().expect("migrate");
    database
}

// ---- children: one measurement each, printing one JSON line ----

fn bare_read(format: &str, path: &Path) -> Value {
    let start = Instant::now();
    let (mut cells, mut bytes) = (0u64, 0u64);
    if format == "csv" {
        let mut reader = csv::ReaderBuilder::new()
            .delimiter(b';')
            .has_headers(false)
            .from_path(path)
            .unwrap();
        for record in reader.records() {
            for field in record.unwrap().iter() {
                cells += 1;
                bytes += field.len() as u64;
            }
        }
    } else {
        use calamine::{Data, Reader};
        let mut book = calamine::open_workbook_auto(path).unwrap();
        let range = book.worksheet_range("Heures").unwrap();
        for row in range.rows() {
            for cell in row {
                match cell {
                    Data::Empty => {}
                    Data::String(s) => {
                        cells += 1;
                        bytes += s.len() as u64;
                    }
                    _ => {
                        cells += 1;
                        bytes += 8;
                    }
                }
            }
        }
    }
    json!({ "seconds": start.elapsed().as_secs_f64(), "peak_kb": peak_kb(), "cells": cells, "decoded_bytes": bytes })
}

fn import(file: &Path, dataset: &Path, url: &str) -> Value {
    let database = connect(url);
    let importer = settings(dataset, url).importer().unwrap();
    let mut conn = database.connection().unwrap();
    let base = examples::Dataset::read_dir(dataset).expect("base dataset");
    examples::load(&mut conn, &importer, &base).expect("base dataset");
    let upload = Upload {
        kind: ImportKind::Hours,
        buyer: None,
        file_name: file.file_name().unwrap().to_string_lossy().into_owned(),
        bytes: std::fs::read(file).unwrap(),
        replace: false,
        scope: BuyerScope::AllBuyers,
        skip_invalid: false,
        departement: None,
        file: None,
        role: suivi_clauses::domain::Role::Admin,
        spool: None,
    };
    let start = Instant::now();
    let report = importer.run(&mut conn, upload, &Actor::system()).unwrap();
    let seconds = start.elapsed().as_secs_f64();
    assert!(report.problems.is_empty(), "{}", report.summary());
    json!({ "seconds": seconds, "peak_kb": peak_kb(), "rows": report.rows_written })
}

fn export_detail(url: &str, out: &Path) -> Value {
    let database = connect(url);
    let mut conn = database.connection().unwrap();
    let filter = suivi_clauses::indicators::scope::DataScope {
        buyer_ids: None,
        company_id: None,
        description: String::new(),
        with_pending: false,
    }
    .hours_of(None);
    let start = Instant::now();
    let file = std::fs::File::create(out).unwrap();
    let rows = suivi_clauses::export::detail::xlsx(&mut conn, &filter, file).unwrap();
    json!({ "seconds": start.elapsed().as_secs_f64(), "peak_kb": peak_kb(), "rows": rows })
}

/// The same 11 columns and rows as the detail workbook, written with nothing else around.
fn bare_write(rows: u64, out: &Path) -> Value {
    let start = Instant::now();
    let mut book = rust_xlsxwriter::Workbook::new();
    let sheet = book.add_worksheet_with_constant_memory().unwrap();
    let scale = generator::Scale::of(rows);
    for r in 0..rows as u32 {
        let row = r + 1;
        for (c, text) in [
            (0, "22310001700019".to_owned()),
            (1, format!("G-{:06}", r as u64 % scale.contracts)),
            (3, "03000000000114".to_owned()),
            (4, format!("Entreprise {}", r % 97)),
            (6, format!("G{:07}", r as u64 % scale.participants)),
            (7, "Embauche directe".to_owned()),
        ] {
            sheet.write_string(row, c, text).unwrap();
        }
        sheet
            .write_number(row, 5, 45_000.0 + f64::from(r % 36))
            .unwrap();
        sheet.write_number(row, 9, 15.5).unwrap();
    }
    book.save(out).unwrap();
    json!({ "seconds": start.elapsed().as_secs_f64(), "peak_kb": peak_kb(), "rows": rows })
}

fn child(args: &[String]) {
    let value = match args[0].as_str() {
        "bare-read" => bare_read(&args[1], Path::new(&args[2])),
        "import" => import(Path::new(&args[1]), Path::new(&args[2]), &args[3]),
        "export-detail" => export_detail(&args[1], Path::new(&args[2])),
        "bare-write" => bare_write(args[1].parse().unwrap(), Path::new(&args[2])),
        other => panic!("unknown child {other}"),
    };
    println!("{value}");
}

// ---- databases ----

fn sqlite_url(dir: &Path, name: &str) -> String {
    format!("sqlite://{}", dir.join(format!("{name}.db")).display())
}

/// A fresh PostgreSQL schema; dropped by `drop_schema`.
fn postgres_url(base: &str, name: &str) -> String {
    use diesel::{Connection, connection::SimpleConnection};
    let mut admin = diesel::PgConnection::establish(base).expect("PostgreSQL for the benchmarks");
    admin
        .batch_execute(&format!(
            "DROP SCHEMA IF EXISTS {name} CASCADE; CREATE SCHEMA {name}"
        ))
        .unwrap();
    let separator = if base.contains('?') { '&' } else { '?' };
    format!("{base}{separator}options=-csearch_path%3D{name}")
}

fn drop_schema(base: &str, name: &str) {
    use diesel::{Connection, connection::SimpleConnection};
    if let Ok(mut admin) = diesel::PgConnection::establish(base) {
        let _ = admin.batch_execute(&format!("DROP SCHEMA IF EXISTS {name} CASCADE"));
    }
}

// ---- load ----

struct Latency {
    /// The first answer: computed from the data, not yet kept in memory.
    first_ms: f64,
    requests: usize,
    errors: usize,
    p50_ms: f64,
    p99_ms: f64,
    per_second: f64,
}

/// `clients` loops on `path` for `duration`; every answer must be 200.
async fn load(base: &str, cookie: &str, path: &str, clients: usize, duration: Duration) -> Latency {
    let client = reqwest::Client::new();
    // The first answer is computed; the figures are then kept until the data changes.
    let first = Instant::now();
    let answer = client
        .get(format!("{base}{path}"))
        .header("Cookie", cookie)
        .send()
        .await
        .unwrap();
    assert!(answer.status().is_success(), "{path}: {}", answer.status());
    let _ = answer.bytes().await;
    let first_ms = first.elapsed().as_secs_f64() * 1000.0;
    let start = Instant::now();
    let tasks: Vec<_> = (0..clients)
        .map(|_| {
            let (client, url, cookie) =
                (client.clone(), format!("{base}{path}"), cookie.to_owned());
            tokio::spawn(async move {
                let (mut times, mut errors) = (Vec::new(), 0);
                while start.elapsed() < duration {
                    let t = Instant::now();
                    match client.get(&url).header("Cookie", &cookie).send().await {
                        Ok(r) if r.status().is_success() => {
                            let _ = r.bytes().await;
                        }
                        _ => errors += 1,
                    }
                    times.push(t.elapsed());
                }
                (times, errors)
            })
        })
        .collect();
    let (mut all, mut errors) = (Vec::new(), 0);
    for task in tasks {
        let (times, e) = task.await.unwrap();
        all.extend(times);
        errors += e;
    }
    let elapsed = start.elapsed().as_secs_f64();
    all.sort();
    let at =
        |q: f64| all[((all.len() as f64 * q) as usize).min(all.len() - 1)].as_secs_f64() * 1000.0;
    Latency {
        first_ms,
        requests: all.len(),
        errors,
        p50_ms: at(0.50),
        p99_ms: at(0.99),
        per_second: all.len() as f64 / elapsed,
    }
}

async fn sign_in(base: &str) -> String {
    let response = reqwest::Client::new()
        .post(format!("{base}/api/login"))
        .json(&json!({ "email": ADMIN, "password": PASSWORD }))
        .send()
        .await
        .unwrap();
    let body: Value = response.json().await.unwrap();
    format!("suivi_session={}", body["token"].as_str().unwrap())
}

/// An instance of the service serving in this process, until `stop`.
struct Served {
    base: String,
    handle: actix_web::dev::ServerHandle,
}

impl Served {
    /// Stops serving, and with the server its refresh loop (after a computation under way):
    /// an instance left running would compute its figures again after the next section's
    /// imports, beside the instances that section measures.
    async fn stop(self) {
        self.handle.stop(false).await;
    }
}

async fn serve(data_dir: &Path, url: &str) -> Served {
    std::fs::create_dir_all(data_dir).unwrap();
    let app = suivi_clauses::startup::Application::build(settings(data_dir, url))
        .await
        .unwrap();
    let (base, handle) = (app.base_url(), app.stop_handle());
    tokio::spawn(app.run_until_stopped());
    Served { base, handle }
}

// ---- report ----

fn secs(v: &Value) -> f64 {
    v["seconds"].as_f64().unwrap()
}
fn mb(v: &Value) -> f64 {
    v["peak_kb"].as_f64().unwrap() / 1024.0
}

fn machine() -> String {
    let cpu = std::fs::read_to_string("/proc/cpuinfo")
        .unwrap_or_default()
        .lines()
        .find_map(|l| {
            l.strip_prefix("model name")
                .map(|m| m.trim_start_matches([' ', '\t', ':']).to_owned())
        })
        .unwrap_or_default();
    let memory = std::fs::read_to_string("/proc/meminfo")
        .unwrap_or_default()
        .lines()
        .next()
        .unwrap_or_default()
        .to_owned();
    format!(
        "{} logical CPU(s), {cpu}; {memory}",
        std::thread::available_parallelism().map_or(0, |n| n.get())
    )
}

#[tokio::main]
async fn main() {
    suivi_clauses::telemetry::init(LogFormat::Pretty, LOG_FILTER);
    let args: Vec<String> = std::env::args().skip(1).collect();
    if args.first().map(String::as_str) == Some("--child") {
        child(&args[1..]);
        return;
    }
    let sizes: Vec<u64> = std::env::var("BENCH_ROWS")
        .unwrap_or_else(|_| "10000,100000,1000000".to_owned())
        .split(',')
        .map(|s| {
            s.trim()
                .parse()
                .expect("BENCH_ROWS: numbers separated by commas")
        })
        .collect();
    let pg_base = std::env::var("BENCH_POSTGRES_URL")
        .unwrap_or_else(|_| "postgres://postgres@127.0.0.1:5432/test".to_owned());
    let clients: usize = std::env::var("BENCH_CLIENTS")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(8);
    let seconds: u64 = std::env::var("BENCH_LOAD_SECONDS")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(10);
    let sections = std::env::var("BENCH_SECTIONS").unwrap_or_default();
    let formats = std::env::var("BENCH_FORMATS").unwrap_or_else(|_| "csv,xlsx".to_owned());
    let wanted = |name: &str| sections.is_empty() || sections.split(',').any(|s| s.trim() == name);
    let work = tempfile::tempdir().unwrap();
    let mut out = String::new();
    out.push_str(&format!("Machine: {}.\n\n", machine()));

    out.push_str(
        "### 1. Import of hour statements (SQLite), beside a bare read of the same file\n\n",
    );
    out.push_str("| rows | format | file | bare read | import | ratio | rows/s | import peak | decoded data | peak ÷ decoded |\n|---:|---|---:|---:|---:|---:|---:|---:|---:|---:|\n");
    let mut largest = None;
    for &rows in &sizes {
        let dir = work.path().join(format!("jeu-{rows}"));
        let generated = generator::generate(&dir, rows).unwrap();
        // Past a worksheet's rows, the statement exists as CSV only.
        let files = [
            ("csv", Some(&generated.hours_csv)),
            ("xlsx", generated.hours_xlsx.as_ref()),
        ];
        for (format, file) in files
            .into_iter()
            .filter_map(|(format, file)| Some((format, file?)))
            .filter(|(format, _)| formats.split(',').any(|f| f.trim() == *format))
        {
            let bare = run_child(&["bare-read", format, &file.display().to_string()]);
            let url = sqlite_url(work.path(), &format!("import-{rows}-{format}"));
            let imported = run_child(&[
                "import",
                &file.display().to_string(),
                &dir.display().to_string(),
                &url,
            ]);
            let decoded = bare["decoded_bytes"].as_f64().unwrap() / 1_048_576.0;
            out.push_str(&format!(
                "| {rows} | {format} | {:.1} MB | {:.2} s | {:.2} s | {:.1} × | {:.0} | {:.0} MB | {:.1} MB | {:.1} × |\n",
                std::fs::metadata(file).unwrap().len() as f64 / 1_048_576.0,
                secs(&bare),
                secs(&imported),
                secs(&imported) / secs(&bare),
                rows as f64 / secs(&imported),
                mb(&imported),
                decoded,
                mb(&imported) / decoded,
            ));
            if format == "csv" {
                largest = Some((rows, url, dir.clone()));
            }
        }
        save(&out);
        eprintln!("import of {rows} rows measured");
    }

    let (rows, sqlite, dataset) = largest.expect("at least one size, with csv among the formats");
    if wanted("export") {
        out.push_str(&format!(
        "\n### 2. Export of the hour detail ({rows} rows), beside a bare rust_xlsxwriter write\n\n"
    ));
        let exported = run_child(&[
            "export-detail",
            &sqlite,
            &work.path().join("detail.xlsx").display().to_string(),
        ]);
        let bare = run_child(&[
            "bare-write",
            &rows.to_string(),
            &work.path().join("bare.xlsx").display().to_string(),
        ]);
        out.push_str("| rows | bare write | export | ratio | bare peak | export peak |\n|---:|---:|---:|---:|---:|---:|\n");
        out.push_str(&format!(
            "| {} | {:.2} s | {:.2} s | {:.2} × | {:.0} MB | {:.0} MB |\n",
            exported["rows"],
            secs(&bare),
            secs(&exported),
            secs(&exported) / secs(&bare),
            mb(&bare),
            mb(&exported)
        ));
        save(&out);
        eprintln!("export measured");
    }

    // The same dataset in PostgreSQL, through the same import.
    let schema = format!("bench_{}", std::process::id());
    let postgres = postgres_url(&pg_base, &schema);
    if wanted("postgres") || wanted("load") || wanted("after-import") {
        let imported = run_child(&[
            "import",
            &dataset.join("heures.csv").display().to_string(),
            &dataset.display().to_string(),
            &postgres,
        ]);
        out.push_str(&format!(
        "\nThe same {rows} rows imported into PostgreSQL: {:.2} s ({:.0} rows/s), peak {:.0} MB.\n",
        secs(&imported),
        rows as f64 / secs(&imported),
        mb(&imported)
    ));
        save(&out);
        eprintln!("PostgreSQL import measured");
    }
    if wanted("load") {
        out.push_str(&format!(
        "\n### 3. Indicators API and dashboard at {rows} hour rows, {clients} concurrent client(s) for {seconds} s on loopback\n\n"
    ));
        out.push_str("| backend | request | first answer (computed) | requests | errors | p50 | p99 | requests/s |\n|---|---|---:|---:|---:|---:|---:|---:|\n");
        for (backend, url) in [("SQLite", sqlite.clone()), ("PostgreSQL", postgres.clone())] {
            let data_dir = work.path().join(format!("serve-{backend}"));
            let served = serve(&data_dir, &url).await;
            let base = served.base.clone();
            let cookie = sign_in(&base).await;
            // The API's default (the breakdowns of few groups), every breakdown with up to 500
            // groups per lot, contract and company (the default before 2026-11-30), the
            // breakdowns the dashboard draws, and the dashboard page.
            for path in [
                "/api/indicators?year=2025",
                "/api/indicators?year=2025&breakdowns=all&per_page=500",
                "/api/indicators?year=2025&breakdowns=modality,structure_kind",
                "/tableau-de-bord?year=2025",
            ] {
                let l = load(&base, &cookie, path, clients, Duration::from_secs(seconds)).await;
                out.push_str(&format!(
                    "| {backend} | `{path}` | {:.1} ms | {} | {} | {:.1} ms | {:.1} ms | {:.1} |\n",
                    l.first_ms, l.requests, l.errors, l.p50_ms, l.p99_ms, l.per_second
                ));
            }
            served.stop().await;
            save(&out);
            eprintln!("{backend} load measured");
        }
    }
    if wanted("together") {
        out.push_str("\n### 4. Imports and reads together\n\n");
        for (backend, url) in [
            ("SQLite", sqlite_url(work.path(), "together")),
            ("PostgreSQL", postgres_url(&pg_base, &format!("{schema}_t"))),
        ] {
            let line = together(work.path(), backend, &url, &dataset).await;
            out.push_str(&format!("- {line}\n"));
            save(&out);
            eprintln!("{backend} concurrency measured");
        }
    }
    if wanted("after-import") {
        out.push_str(&format!(
            "\n### 6. Indicators answers after an import, at {rows} hour rows\n\n"
        ));
        out.push_str(&format!("Two instances on one database; {} readers, half on each, from the import's answer until both answer the new figures.\n\n", clients.max(2)));
        out.push_str("| backend | first answer (computed) | import of one line | answers meanwhile | p50 | p99 | max | new figures, importing instance | new figures, second instance |\n|---|---:|---:|---:|---:|---:|---:|---:|---:|\n");
        for (backend, url) in [("SQLite", sqlite.clone()), ("PostgreSQL", postgres.clone())] {
            let line = after_import(work.path(), backend, &url, &dataset, clients).await;
            out.push_str(&format!("{line}\n"));
            save(&out);
            eprintln!("{backend} answers after an import measured");
        }
    }
    drop_schema(&pg_base, &schema);
    drop_schema(&pg_base, &format!("{schema}_t"));

    println!("{out}");
}

/// What is measured so far, into `BENCH_OUTPUT` when set: a long run that fails late keeps
/// its tables.
fn save(out: &str) {
    if let Ok(target) = std::env::var("BENCH_OUTPUT")
        && !target.is_empty()
    {
        std::fs::write(&target, out).unwrap();
    }
}

/// Two instances on one database. The indicators are read once on each (computed, then kept);
/// one 2025 line of the statement is imported again on the first with other hours (a write for
/// that line's buyer); from the import's answer on, `clients` readers (at least 2), half on each instance,
/// ask for the indicators until both answer the new figures. Reported: the readers' latencies
/// meanwhile (the figures kept, said stale, unless the new ones come within the readers' wait)
/// and how long after the import each instance first answered the new figures.
async fn after_import(
    work: &Path,
    backend: &str,
    url: &str,
    dataset: &Path,
    clients: usize,
) -> String {
    let clients = clients.max(2);
    let served = [
        serve(&work.join(format!("after-import-{backend}-1")), url).await,
        serve(&work.join(format!("after-import-{backend}-2")), url).await,
    ];
    let bases = [served[0].base.clone(), served[1].base.clone()];
    let cookie = sign_in(&bases[0]).await;
    let token = cookie.trim_start_matches("suivi_session=").to_owned();
    let client = reqwest::Client::new();
    let path = "/api/indicators?year=2025";
    let first = Instant::now();
    let before = figures_only(read_json(&client, &bases[0], &cookie, path).await);
    let computed_ms = first.elapsed().as_secs_f64() * 1000.0;
    let _ = read_json(&client, &bases[1], &cookie, path).await;
    let file = format!(
        "{}\n{}\n",
        HOURS_HEADER.join(";"),
        a_2025_line_changed(dataset)
    );
    let upload = Instant::now();
    let response = upload_hours(&client, &bases[0], &token, "une-ligne.csv", file).await;
    let status = response.status().as_u16();
    assert_eq!(status, 201, "{}", response.text().await.unwrap());
    let import_ms = upload.elapsed().as_secs_f64() * 1000.0;
    let imported = Instant::now();
    let fresh: [std::sync::Arc<std::sync::OnceLock<f64>>; 2] = Default::default();
    let limit = Duration::from_secs(600);
    let readers: Vec<_> = (0..clients)
        .map(|i| {
            let (client, cookie, before) = (client.clone(), cookie.clone(), before.clone());
            let (base, fresh) = (bases[i % 2].clone(), fresh.clone());
            tokio::spawn(async move {
                let (mut times, mut stale) = (Vec::new(), 0usize);
                while fresh.iter().any(|f| f.get().is_none()) && imported.elapsed() < limit {
                    let t = Instant::now();
                    let answer = read_json(&client, &base, &cookie, path).await;
                    times.push(t.elapsed());
                    if answer["stale"] == true {
                        stale += 1;
                    } else if figures_only(answer) != before {
                        let _ = fresh[i % 2].set(imported.elapsed().as_secs_f64() * 1000.0);
                    }
                }
                (times, stale)
            })
        })
        .collect();
    let (mut times, mut stale) = (Vec::new(), 0);
    for reader in readers {
        let (t, s) = reader.await.unwrap();
        times.extend(t);
        stale += s;
    }
    for instance in served {
        instance.stop().await;
    }
    times.sort();
    let at = |q: f64| {
        times[((times.len() as f64 * q) as usize).min(times.len() - 1)].as_secs_f64() * 1000.0
    };
    let new = |i: usize| {
        fresh[i]
            .get()
            .map_or_else(|| "not within 600 s".to_owned(), |ms| format!("{ms:.0} ms"))
    };
    format!(
        "| {backend} | {computed_ms:.1} ms | {import_ms:.0} ms | {} ({stale} stale) | {:.1} ms | {:.1} ms | {:.1} ms | {} | {} |",
        times.len(),
        at(0.50),
        at(0.99),
        at(1.0),
        new(0),
        new(1),
    )
}

/// One line of the statement with a month of 2025, its hours changed (to 1 h, or 2 h where they
/// were 1 h): imported again, it replaces that line's hours and moves the 2025 figures.
fn a_2025_line_changed(dataset: &Path) -> String {
    let text = std::fs::read_to_string(dataset.join("heures.csv")).unwrap();
    let line = text
        .lines()
        .skip(1)
        .find(|l| l.split(';').nth(3).is_some_and(|m| m.ends_with("2025")))
        .expect("a line of 2025 in the statement");
    let (cells, hours) = line.rsplit_once(';').unwrap();
    let hours: f64 = hours.trim().replace(',', ".").parse().unwrap();
    let other = if (hours - 1.0).abs() < f64::EPSILON {
        "2"
    } else {
        "1"
    };
    format!("{cells};{other}")
}

async fn read_json(client: &reqwest::Client, base: &str, cookie: &str, path: &str) -> Value {
    let response = client
        .get(format!("{base}{path}"))
        .header("Cookie", cookie)
        .send()
        .await
        .unwrap();
    assert!(
        response.status().is_success(),
        "{path}: {}",
        response.status()
    );
    response.json().await.unwrap()
}

/// An indicators answer without what says when it was computed.
fn figures_only(mut answer: Value) -> Value {
    if let Some(fields) = answer.as_object_mut() {
        fields.remove("computed_at");
        fields.remove("stale");
    }
    answer
}

/// `POST /api/imports` of an hours statement.
async fn upload_hours(
    client: &reqwest::Client,
    base: &str,
    token: &str,
    name: &str,
    file: String,
) -> reqwest::Response {
    let form = reqwest::multipart::Form::new().text("kind", "hours").part(
        "file",
        reqwest::multipart::Part::bytes(file.into_bytes()).file_name(name.to_owned()),
    );
    client
        .post(format!("{base}/api/imports"))
        .bearer_auth(token)
        .multipart(form)
        .send()
        .await
        .unwrap()
}

/// Four hour statements imported through the API at once while four readers ask for the
/// indicators: every answer must succeed and every row be counted.
async fn together(work: &Path, backend: &str, url: &str, dataset: &Path) -> String {
    let data_dir = work.join(format!("together-{backend}"));
    {
        let database = connect(url);
        let importer = settings(dataset, url).importer().unwrap();
        let mut conn = database.connection().unwrap();
        let base = examples::Dataset::read_dir(dataset).unwrap();
        examples::load(&mut conn, &importer, &base).unwrap();
    }
    let served = serve(&data_dir, url).await;
    let base = served.base.clone();
    let cookie = sign_in(&base).await;
    let token = cookie.trim_start_matches("suivi_session=").to_owned();
    // The statements split into four files by month, so that none replaces another.
    let text = std::fs::read_to_string(dataset.join("heures.csv")).unwrap();
    let mut parts = vec![String::new(); 4];
    for line in text.lines().skip(1) {
        let month: usize = line.split(';').nth(3).unwrap()[..2].parse().unwrap();
        parts[month % 4].push_str(line);
        parts[month % 4].push('\n');
    }
    let expected: usize = parts.iter().map(|p| p.lines().count()).sum();
    let stop = std::sync::Arc::new(std::sync::atomic::AtomicBool::new(false));
    let readers: Vec<_> = (0..4)
        .map(|_| {
            let (base, cookie, stop) = (base.clone(), cookie.clone(), stop.clone());
            tokio::spawn(async move {
                let client = reqwest::Client::new();
                let (mut reads, mut failures) = (0, 0);
                while !stop.load(std::sync::atomic::Ordering::Relaxed) {
                    let r = client
                        .get(format!("{base}/api/indicators?year=2025"))
                        .header("Cookie", &cookie)
                        .send()
                        .await;
                    match r {
                        Ok(r) if r.status().is_success() => reads += 1,
                        _ => failures += 1,
                    }
                }
                (reads, failures)
            })
        })
        .collect();
    let start = Instant::now();
    let uploads: Vec<_> = parts
        .into_iter()
        .enumerate()
        .map(|(i, part)| {
            let (base, token) = (base.clone(), token.clone());
            tokio::spawn(async move {
                let file = format!("{}\n{part}", HOURS_HEADER.join(";"));
                let client = reqwest::Client::new();
                let name = format!("heures-{i}.csv");
                let response = upload_hours(&client, &base, &token, &name, file).await;
                let status = response.status().as_u16();
                let body: Value = response.json().await.unwrap();
                // Large files go to the background: follow them to the end.
                let id = body["report"]["import_id"]
                    .as_i64()
                    .or(body["import"]["id"].as_i64())
                    .unwrap();
                loop {
                    let state: Value = client
                        .get(format!("{base}/api/imports/{id}"))
                        .bearer_auth(&token)
                        .send()
                        .await
                        .unwrap()
                        .json()
                        .await
                        .unwrap();
                    if state["status"] != "running" {
                        return (
                            status,
                            state["status"].as_str().unwrap_or_default().to_owned(),
                            body.to_string(),
                        );
                    }
                    tokio::time::sleep(Duration::from_millis(200)).await;
                }
            })
        })
        .collect();
    let mut outcomes = Vec::new();
    for u in uploads {
        outcomes.push(u.await.unwrap());
    }
    let elapsed = start.elapsed().as_secs_f64();
    stop.store(true, std::sync::atomic::Ordering::Relaxed);
    let (mut reads, mut failures) = (0, 0);
    for r in readers {
        let (ok, failed) = r.await.unwrap();
        reads += ok;
        failures += failed;
    }
    let all_imported = outcomes.iter().all(|(_, status, _)| status == "succeeded");
    let locked = outcomes.iter().any(|(_, _, body)| body.contains("locked"));
    served.stop().await;
    let stored = {
        let database = connect(url);
        let mut conn = database.connection().unwrap();
        use diesel::prelude::*;
        suivi_clauses::storage::schema::hour_entries::table
            .count()
            .get_result::<i64>(&mut conn)
            .unwrap()
    };
    assert!(
        all_imported && !locked && failures == 0,
        "{backend}: {outcomes:?}, {failures} failed reads"
    );
    assert_eq!(stored as usize, expected, "{backend}: rows lost");
    format!(
        "{backend}: 4 statements ({expected} rows) imported at once in {elapsed:.1} s while 4 readers made {reads} indicator requests: {failures} failed, no \"database is locked\", {stored} rows stored = {expected} sent."
    )
}
