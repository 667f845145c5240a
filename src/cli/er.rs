//! `squall er`: the schema's ER diagram as a box drawing or as mermaid.

use std::process::ExitCode;

use anyhow::Result;
use clap::{Args, ValueEnum};

use super::{GlobalArgs, open_target, resolve_command_database};
use crate::er::{Detail, LayoutOptions, LoadErModel, layout_er, load_er_model, render_mermaid, render_text};

#[derive(Debug, Args)]
pub struct ErArgs {
    /// Output format: a box drawing, or a mermaid `erDiagram` block.
    #[arg(long, value_enum, default_value_t = ErFormat::Text)]
    pub format: ErFormat,
    /// Boxes show table names and row counts only, no columns (text format).
    #[arg(long)]
    pub compact: bool,
    /// Include internal tables and migration trackers.
    #[arg(long)]
    pub all: bool,
}

/// What `squall er` prints.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum ErFormat {
    Text,
    Mermaid,
}

pub fn run(args: &ErArgs, global: &GlobalArgs) -> Result<ExitCode> {
    let target = resolve_command_database(global)?;
    let db = open_target(&target, global)?;
    // Mermaid has no row counts: skip the table scans.
    let count_rows = args.format == ErFormat::Text;
    let model =
        load_er_model(&db.conn, &LoadErModel { include_internal: args.all, include_trackers: args.all, count_rows })?;
    match args.format {
        ErFormat::Mermaid => print!("{}", render_mermaid(&model)),
        ErFormat::Text => {
            let detail = if args.compact { Detail::Compact } else { Detail::Full };
            let diagram = layout_er(&model, &LayoutOptions { detail });
            print!("{}", render_text(&diagram, &model));
        }
    }
    Ok(ExitCode::SUCCESS)
}
