//! The `factory-twin` command line: a thin wrapper over the library.

use clap::Parser;

fn main() {
    let cli = factory_twin::cli::Cli::parse();
    std::process::exit(factory_twin::cli::main_with(cli));
}
