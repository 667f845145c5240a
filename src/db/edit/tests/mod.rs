//! Tests of editing, on real temporary SQLite files.
