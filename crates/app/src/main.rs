//! `emp` — the EMP runtime's command line. See `emp --help`.

fn main() -> std::process::ExitCode {
    use clap::Parser;
    let cli = emp_app::Cli::parse();
    emp_app::run_cli(cli).into()
}
