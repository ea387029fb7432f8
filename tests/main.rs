//! End-to-end tests of the built `nianbao` binary: exit codes, files written, what is printed.
//! One binary, a module per area (ripgrep's layout); `common` holds the shared helpers.

mod check;
mod common;
mod consolidate;
mod export;
mod first_use;
mod messy;
mod publish;
mod rollup;
mod template;
mod waivers;
mod workspace;
mod yoy;
