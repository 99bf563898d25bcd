//! The `aiw` command line: a thin layer over the library.

fn main() {
    println!("aiw");
}
