//! The `kraftscope` command line.
fn main() {
    println!("kraftscope {}", env!("CARGO_PKG_VERSION"));
}
