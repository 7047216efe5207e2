//! `suivi-clauses serve`.

use secrecy::ExposeSecret;

use crate::configuration::Settings;
use crate::import::examples::{self, Dataset, Loaded};
use crate::startup::Application;

pub fn run(settings: Settings, example_data: bool) -> anyhow::Result<()> {
    actix_web::rt::System::new().block_on(async move {
        let importer = settings.importer()?;
        let application = Application::build(settings).await?;
        if example_data {
            let database = application.database().clone();
            let loaded = tokio::task::spawn_blocking(move || -> anyhow::Result<Loaded> {
                let mut conn = database.connection()?;
                Ok(examples::load(&mut conn, &importer, &Dataset::embedded())?)
            })
            .await??;
            match loaded {
                Loaded::Skipped => println!("La base contient déjà des acheteurs : le jeu d'exemple n'a pas été chargé."),
                Loaded::Loaded { buyers, files } => {
                    let rows: usize = files.iter().map(|(_, n)| n).sum();
                    println!("Jeu d'exemple chargé : {buyers} acheteurs, {} fichiers importés ({rows} lignes).", files.len());
                }
            }
        }
        println!(
            "suivi-clauses est prêt : {} (données : {}).",
            application.base_url(),
            application.database().describe()
        );
        if let Some(admin) = application.initial_admin() {
            println!("Compte administrateur créé : {}", admin.email);
            match &admin.generated_password {
                Some(password) => println!(
                    "Mot de passe, affiché cette seule fois : {}\nNotez-le maintenant, puis changez-le après votre première connexion.",
                    password.expose_secret()
                ),
                None => println!("Mot de passe : celui de SUIVI_ADMIN_PASSWORD."),
            }
        }
        println!(
            "Connexion : ouvrez {url}/connexion dans un navigateur (API : POST {url}/api/login).",
            url = application.base_url()
        );
        println!("Arrêt : Ctrl-C (les requêtes en cours se terminent).");
        application.run_until_stopped().await?;
        Ok(())
    })
}
