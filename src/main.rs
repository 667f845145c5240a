use std::process::ExitCode;

fn main() -> ExitCode {
    squall::cli::main()
}
