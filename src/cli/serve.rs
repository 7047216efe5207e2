//! `suivi-clauses serve`.

use secrecy::ExposeSecret;

use crate::configuration::Settings;
use crate::startup::Application;

pub fn run(settings: Settings) -> anyhow::Result<()> {
    actix_web::rt::System::new().block_on(async move {
        let application = Application::build(settings).await?;
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
        println!("Arrêt : Ctrl-C (les requêtes en cours se terminent).");
        application.run_until_stopped().await?;
        Ok(())
    })
}
