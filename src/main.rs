fn main() -> std::process::ExitCode {
    suivi_clauses::cli::run()
}
