//! End-to-end tests: the real `retort` binary against real databases. One binary for all
//! of them (each extra test binary would re-link every driver).

mod util;

mod autogen;
mod bad_input;
mod cache;
mod check;
mod commands;
mod concurrency;
mod details;
mod devloop;
mod fastapi;
mod graph_ops;
mod interrupted;
mod offline;
mod quickstart;
mod races;
mod rebuild;
mod safety;
mod shell;
mod signals;
mod urls;
