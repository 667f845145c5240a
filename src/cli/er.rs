//! `squall er`: the schema's ER diagram as a box drawing or as mermaid.

use std::process::ExitCode;

use anyhow::Result;
use clap::{Args, ValueEnum};

use super::{GlobalArgs, open_target, resolve_command_database};
use crate::er::{
    Detail, LayoutOptions, LoadErModel, RemoteCounts, layout_er, load_er_model, load_er_model_counted, render_mermaid,
    render_text,
};

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
    /// With --remote: count rows with count(*), which reads (and bills) every row; without it a
    /// remote table shows `~N` from max(rowid).
    #[arg(long)]
    pub exact: bool,
}

/// What `squall er` prints.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum ErFormat {
    Text,
    Mermaid,
}

pub fn run(args: &ErArgs, global: &GlobalArgs) -> Result<ExitCode> {
    // Mermaid has no row counts: skip the table scans.
    let count_rows = args.format == ErFormat::Text;
    let input = LoadErModel { include_internal: args.all, include_trackers: args.all, count_rows };
    let model = if global.remote {
        let db = super::remote::open_remote(global)?;
        let counts = if args.exact { RemoteCounts::Exact } else { RemoteCounts::Estimate };
        let model = load_er_model_counted(&db, &input, counts);
        super::remote::report_cost(&db);
        model?
    } else {
        let target = resolve_command_database(global)?;
        let db = open_target(&target, global)?;
        load_er_model(&db.conn, &input)?
    };
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
