//! Storage on the backend under test: concurrency, rollback, repositories, accounts.

use diesel::prelude::*;
use secrecy::SecretString;
use suivi_clauses::accounts::{self, AccountError, NewAccount};
use suivi_clauses::domain::{Email, Name, Role, Territory, UserScope};
use suivi_clauses::storage::audit::{self, Actor};
use suivi_clauses::storage::buyers::{self, BuyerError};
use suivi_clauses::storage::schema::{audit_log, buyers as buyers_table, user_buyers, users};
use suivi_clauses::storage::{Database, DbConnection, StorageError, write_transaction};

use crate::helpers::{TestDatabase, siret};

fn add_buyer(
    conn: &mut DbConnection,
    n: u64,
    name: &str,
) -> Result<suivi_clauses::storage::BuyerId, BuyerError> {
    buyers::insert(
        conn,
        &siret(n),
        &Name::parse(name).unwrap(),
        &Territory::parse("31, 09").unwrap(),
    )
}

fn count_buyers(conn: &mut DbConnection) -> i64 {
    buyers_table::table.count().get_result(conn).unwrap()
}

#[test]
fn concurrent_write_transactions_all_succeed() {
    let test_db = TestDatabase::new();
    let database = test_db.connect();
    const THREADS: u64 = 8;
    const PER_THREAD: u64 = 25;

    let handles: Vec<_> = (0..THREADS)
        .map(|t| {
            let database: Database = database.clone();
            std::thread::spawn(move || {
                for i in 0..PER_THREAD {
                    let mut conn = database.connection().unwrap();
                    // Read, then write: the pattern that fails with "database is locked" when
                    // SQLite upgrades a deferred transaction under contention.
                    write_transaction(&mut conn, |conn| -> Result<(), BuyerError> {
                        let _seen = count_buyers(conn);
                        add_buyer(conn, t * 1_000 + i, "Commune concurrente")?;
                        Ok(())
                    })
                    .unwrap_or_else(|e| panic!("thread {t}, write {i}: {e}"));
                }
            })
        })
        .collect();
    for handle in handles {
        handle.join().expect("writer thread");
    }

    assert_eq!(
        count_buyers(&mut database.connection().unwrap()),
        (THREADS * PER_THREAD) as i64
    );
}

#[test]
fn a_failed_write_transaction_leaves_nothing_behind() {
    let test_db = TestDatabase::new();
    let database = test_db.connect();
    let mut conn = database.connection().unwrap();

    let result = write_transaction(&mut conn, |conn| -> Result<(), BuyerError> {
        add_buyer(conn, 1, "Premier acheteur")?;
        add_buyer(conn, 1, "Même SIRET")?;
        Ok(())
    });

    assert!(matches!(result, Err(BuyerError::AlreadyExists(_))));
    assert_eq!(count_buyers(&mut conn), 0);
    assert_eq!(buyers::list(&mut conn).unwrap(), vec![]);
}

#[test]
fn a_nested_write_transaction_rolls_back_alone() {
    let test_db = TestDatabase::new();
    let database = test_db.connect();
    let mut conn = database.connection().unwrap();

    write_transaction(&mut conn, |conn| -> Result<(), BuyerError> {
        add_buyer(conn, 1, "Gardé")?;
        let inner = write_transaction(conn, |conn| -> Result<(), BuyerError> {
            add_buyer(conn, 2, "Annulé")?;
            Err(BuyerError::AlreadyExists(siret(2)))
        });
        assert!(inner.is_err());
        Ok(())
    })
    .unwrap();

    let names: Vec<String> = buyers::list(&mut conn)
        .unwrap()
        .into_iter()
        .map(|b| b.name.to_string())
        .collect();
    assert_eq!(names, ["Gardé"]);
}

#[test]
fn buyers_round_trip_with_their_territory() {
    let test_db = TestDatabase::new();
    let database = test_db.connect();
    let mut conn = database.connection().unwrap();

    let id = buyers::insert(
        &mut conn,
        &siret(7),
        &Name::parse("Département de la Haute-Garonne").unwrap(),
        &Territory::parse("31").unwrap(),
    )
    .unwrap();
    add_buyer(&mut conn, 8, "Commune de Foix").unwrap();

    let listed = buyers::list(&mut conn).unwrap();
    let names: Vec<&str> = listed.iter().map(|b| b.name.as_str()).collect();
    assert_eq!(
        names,
        ["Commune de Foix", "Département de la Haute-Garonne"]
    );
    assert_eq!(listed[1].id, id);
    assert_eq!(listed[1].siret, siret(7));
    assert_eq!(listed[1].territory.to_string(), "31");
    assert_eq!(listed[0].territory.to_string(), "09, 31");
    assert_eq!(buyers::id_by_siret(&mut conn, &siret(7)).unwrap(), Some(id));
    assert_eq!(buyers::id_by_siret(&mut conn, &siret(9)).unwrap(), None);
}

#[test]
fn foreign_keys_are_enforced() {
    let test_db = TestDatabase::new();
    let database = test_db.connect();
    let mut conn = database.connection().unwrap();

    let orphan = diesel::insert_into(user_buyers::table)
        .values((user_buyers::user_id.eq(999), user_buyers::buyer_id.eq(999)))
        .execute(&mut conn);

    assert!(
        matches!(
            orphan,
            Err(diesel::result::Error::DatabaseError(
                diesel::result::DatabaseErrorKind::ForeignKeyViolation,
                _
            ))
        ),
        "{orphan:?}"
    );
}

fn officer(email: &str, buyer: u64) -> NewAccount {
    NewAccount {
        email: Email::parse(email).unwrap(),
        display_name: Name::parse("Claire Martin").unwrap(),
        role: Role::BuyerOfficer,
        scope: UserScope::Buyers(vec![siret(buyer)]),
        password: SecretString::from("une phrase de passe".to_owned()),
    }
}

#[test]
fn accounts_are_created_with_their_scope_and_audited() {
    let test_db = TestDatabase::new();
    let database = test_db.connect();
    let mut conn = database.connection().unwrap();
    let buyer_id = add_buyer(&mut conn, 1, "Métropole").unwrap();

    let user_id = accounts::create(
        &mut conn,
        officer("Claire@CD31.fr", 1),
        &Actor::command_line(),
    )
    .unwrap();

    let (email, role, hash): (String, String, String) = users::table
        .filter(users::id.eq(user_id))
        .select((users::email, users::role, users::password_hash))
        .first(&mut conn)
        .unwrap();
    assert_eq!(
        (email.as_str(), role.as_str()),
        ("claire@cd31.fr", "buyer_officer")
    );
    assert!(hash.starts_with("$argon2id$") && !hash.contains("une phrase"));
    let scope: Vec<suivi_clauses::storage::BuyerId> = user_buyers::table
        .filter(user_buyers::user_id.eq(user_id))
        .select(user_buyers::buyer_id)
        .load(&mut conn)
        .unwrap();
    assert_eq!(scope, [buyer_id]);
    let (entries, _) = audit::page(
        &mut conn,
        &audit::AuditFilter::default(),
        suivi_clauses::storage::PageRequest::new(None, Some(10)),
    )
    .unwrap();
    assert_eq!(entries[0].action, "user.created");
    assert_eq!(entries[0].target.as_deref(), Some("claire@cd31.fr"));
}

#[test]
fn refused_accounts_write_nothing() {
    let test_db = TestDatabase::new();
    let database = test_db.connect();
    let mut conn = database.connection().unwrap();
    add_buyer(&mut conn, 1, "Métropole").unwrap();
    accounts::create(
        &mut conn,
        officer("claire@cd31.fr", 1),
        &Actor::command_line(),
    )
    .unwrap();
    let audit_before: i64 = audit_log::table.count().get_result(&mut conn).unwrap();

    let unknown_buyer = accounts::create(
        &mut conn,
        officer("paul@cd31.fr", 2),
        &Actor::command_line(),
    );
    let taken = accounts::create(
        &mut conn,
        officer("CLAIRE@cd31.fr", 1),
        &Actor::command_line(),
    );
    let mut wrong_scope = officer("lea@cd31.fr", 1);
    wrong_scope.scope = UserScope::AllBuyers;
    let wrong_scope = accounts::create(&mut conn, wrong_scope, &Actor::command_line());
    let mut weak = officer("marc@cd31.fr", 1);
    weak.password = SecretString::from("court".to_owned());
    let weak = accounts::create(&mut conn, weak, &Actor::command_line());

    assert!(
        matches!(unknown_buyer, Err(AccountError::UnknownBuyer(_))),
        "{unknown_buyer:?}"
    );
    assert!(unknown_buyer.unwrap_err().to_string().contains("buyer add"));
    assert!(matches!(taken, Err(AccountError::Insert(_))), "{taken:?}");
    assert!(
        matches!(wrong_scope, Err(AccountError::Scope(_))),
        "{wrong_scope:?}"
    );
    assert!(matches!(weak, Err(AccountError::Password(_))), "{weak:?}");
    let users_count: i64 = users::table.count().get_result(&mut conn).unwrap();
    let audit_after: i64 = audit_log::table.count().get_result(&mut conn).unwrap();
    assert_eq!((users_count, audit_after), (1, audit_before));
}

#[test]
fn the_first_administrator_is_created_once() {
    let test_db = TestDatabase::new();
    let database = test_db.connect();
    let mut conn = database.connection().unwrap();
    let email = Email::parse("admin@test.local").unwrap();

    let first = accounts::bootstrap_admin(&mut conn, email.clone(), None)
        .unwrap()
        .expect("created");
    let second = accounts::bootstrap_admin(&mut conn, email, None).unwrap();

    let password = first.generated_password.expect("generated");
    let hash: String = users::table
        .select(users::password_hash)
        .first(&mut conn)
        .unwrap();
    assert!(accounts::password::verify(&password, &hash));
    assert!(second.is_none());
}

#[tokio::test]
async fn database_work_runs_off_the_async_workers() {
    let test_db = TestDatabase::new();
    let database = test_db.connect();

    let count = database
        .run(|conn| -> Result<i64, StorageError> {
            Ok(buyers_table::table.count().get_result(conn)?)
        })
        .await
        .unwrap();

    assert_eq!(count, 0);
}

#[test]
fn lookups_by_long_id_lists_stay_within_the_bound_variables_limit() {
    let test_database = TestDatabase::new();
    let database = test_database.connect();
    let mut conn = database.connection().unwrap();
    // More distinct values than SQLite binds in one statement (32 766), repeated as a file
    // repeats them: once per month.
    let participants: Vec<suivi_clauses::storage::ParticipantId> =
        (1..=40_000).chain(1..=40_000).map(Into::into).collect();
    let months: Vec<suivi_clauses::domain::Month> = (0..40_000)
        .map(|i| suivi_clauses::domain::Month::from_yyyymm(202501 + i % 12).unwrap())
        .collect();
    let lots: Vec<suivi_clauses::storage::LotId> = (1..=70_000).map(Into::into).collect();

    let stored =
        suivi_clauses::storage::hour_entries::stored_for(&mut conn, &participants, &months)
            .unwrap();
    let holders = suivi_clauses::storage::contracts::holders_of(&mut conn, &lots).unwrap();

    assert!(stored.is_empty());
    assert!(holders.is_empty());
}
