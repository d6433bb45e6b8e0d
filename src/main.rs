fn main() {
    std::process::exit(pathsim::cli::main());
}
