//! `squall tables`: the schema with row counts and column kinds.

use std::process::ExitCode;

use anyhow::Result;
use clap::Args;
use serde::Serialize;

use super::{GlobalArgs, open_target, resolve_command_database};
use crate::db::kinds::{ColumnKind, TimeFormat, infer_kinds};
use crate::db::schema::{CountRows, DescribeTable, ListTables, RelationType, count_rows, describe_table, list_tables};

#[derive(Debug, Args)]
pub struct TablesArgs {
    /// Print JSON instead of a table.
    #[arg(long)]
    pub json: bool,
    /// Include internal tables (sqlite_*, _cf_*).
    #[arg(long)]
    pub all: bool,
    /// With --remote: exact row counts (count(*) reads every row, and D1 bills rows read);
    /// without it, remote counts are `max(rowid)` estimates shown as ~N.
    #[arg(long)]
    pub exact: bool,
}

#[derive(Debug, Serialize)]
struct TablesOutput {
    database: String,
    tables: Vec<TableOutput>,
}

#[derive(Debug, Serialize)]
struct TableOutput {
    name: String,
    #[serde(rename = "type")]
    relation: RelationType,
    rows: u64,
    columns: Vec<ColumnOutput>,
}

#[derive(Debug, Serialize)]
struct ColumnOutput {
    name: String,
    #[serde(rename = "type")]
    decl_type: String,
    not_null: bool,
    primary_key: bool,
    #[serde(flatten)]
    kind: ColumnKind,
}

pub fn run(args: &TablesArgs, global: &GlobalArgs) -> Result<ExitCode> {
    if global.remote {
        return super::remote::tables(args.json, args.exact, global);
    }
    let target = resolve_command_database(global)?;
    let db = open_target(&target, global)?;
    let mut tables = Vec::new();
    for summary in list_tables(&db.conn, &ListTables { include_internal: args.all })? {
        let info = describe_table(&db.conn, &DescribeTable { name: &summary.name })?;
        let kinds = infer_kinds(&db.conn, &info)?;
        // As the ER view and `gr` see them: an inferred reference is a reference here too.
        let kinds = crate::db::relations::kinds_with_inferred_references(&db.conn, &info, kinds)?;
        let rows = count_rows(&db.conn, &CountRows { table: &info.name })?;
        let columns = info
            .columns
            .iter()
            .zip(kinds)
            .map(|(column, kind)| ColumnOutput {
                name: column.name.clone(),
                decl_type: column.decl_type.clone(),
                not_null: column.not_null,
                primary_key: column.pk_position > 0,
                kind,
            })
            .collect();
        tables.push(TableOutput { name: info.name, relation: info.relation, rows, columns });
    }
    let output = TablesOutput { database: db.path.display().to_string(), tables };
    if args.json {
        println!("{}", serde_json::to_string_pretty(&output)?);
    } else {
        print_text(&output);
    }
    Ok(ExitCode::SUCCESS)
}

fn print_text(output: &TablesOutput) {
    println!("{}", output.database);
    for table in &output.tables {
        let relation = match table.relation {
            RelationType::Table => "table",
            RelationType::View => "view",
        };
        println!("\n{} ({relation}, {})", table.name, crate::present::plural(table.rows, "row"));
        let name_width = table.columns.iter().map(|c| c.name.chars().count()).max().unwrap_or(0);
        let type_width = table.columns.iter().map(|c| c.decl_type.len()).max().unwrap_or(0).max(4);
        for column in &table.columns {
            let marker = if column.primary_key { "pk" } else { "  " };
            println!(
                "  {marker} {:name_width$}  {:type_width$}  {}",
                column.name,
                if column.decl_type.is_empty() { "-" } else { &column.decl_type },
                describe_kind(&column.kind)
            );
        }
    }
}

/// `timestamp (ms)`, `enum: admin|user`, `fk → user.id`.
pub fn describe_kind(kind: &ColumnKind) -> String {
    match kind {
        ColumnKind::Timestamp { format } => {
            let format = match format {
                TimeFormat::Millis => "epoch ms",
                TimeFormat::Seconds => "epoch s",
                TimeFormat::IsoText => "ISO text",
                TimeFormat::Mixed => "mixed ms + ISO text",
            };
            format!("timestamp ({format})")
        }
        ColumnKind::Enum { values } => format!("enum: {}", values.join("|")),
        ColumnKind::ForeignKey { table, column } => format!("fk → {table}.{column}"),
        other => other.label().to_string(),
    }
}
