//! The ER diagram: the schema's tables as boxes and their relations as lines, laid out for a
//! terminal, plus a mermaid `erDiagram` export.
//!
//! Flow: [`load_er_model`] reads the database once (off the UI thread: it counts rows and
//! samples values); [`layout_er`] turns the model into an [`ErDiagram`], a styled character
//! canvas with each box's rectangle, as a pure function; [`render_text`] and
//! [`render_mermaid`] print it.

mod canvas;
mod diagram;
mod layout;
mod mermaid;
mod model;
mod route;
mod text;

pub use canvas::{Canvas, Cell, CellStyle, Rect, Segment};
pub use diagram::{Direction, EdgePath, ErDiagram, LayoutOptions, PlacedBox, layout_er};
pub use layout::Detail;
pub use mermaid::render_mermaid;
pub use model::{ErColumn, ErModel, ErTable, LoadErModel, RemoteCounts, load_er_model, load_er_model_counted};
pub use text::{legend, legend_rows, relation_lines, render_text};

#[cfg(test)]
mod tests;
