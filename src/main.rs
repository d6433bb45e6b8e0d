fn main() {
    std::process::exit(pathsim::app::main());
}
