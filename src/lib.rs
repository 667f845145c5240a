//! squall: a terminal database studio for Cloudflare D1 / SQLite apps built on Drizzle ORM and
//! better-auth. The binary is a thin shell over this library so tests can drive every layer.

pub mod app;
pub mod audit;
pub mod cli;
pub mod db;
pub mod demo;
pub mod er;
pub mod history;
pub mod migrate;
pub mod paths;
pub mod present;
pub mod project;
pub mod service;
pub mod tui;
pub mod ui;
