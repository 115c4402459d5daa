#![deny(clippy::unwrap_used, clippy::panic)]

fn main() {}
