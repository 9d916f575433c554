//! The floor of any command: a Rust program that does nothing, built with
//! the product's profile. `incident --version` is held to it.

fn main() {}
