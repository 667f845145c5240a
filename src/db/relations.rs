//! Relations between tables: the foreign keys the DDL declares, plus the ones a column's name
//! and values imply (better-auth's `session.impersonatedBy` has no FK but points at `user.id`).
//!
//! [`list_relations`] reads them all once; the navigation functions ([`referencing_rows`],
//! [`referenced_row`]) take that list as input, so the bounded sampling behind inferred
//! relations runs once per schema, not once per keystroke.

mod infer;
mod key_refs;
mod navigate;

use anyhow::Result;
use serde::Serialize;

use super::backend::Backend;
use super::kinds::name_words;
use super::schema::{DescribeTable, ListTables, RelationType, TableInfo, describe_schema, describe_table, list_tables};

pub use infer::{ACTOR_RULES, ActorRule, infer_relations, kinds_with_inferred_references};
pub use key_refs::{KeyReference, KeyReferences, key_references};
pub use navigate::{
    ReferencedRow, ReferencingGroup, ReferencingRows, RowTarget, RowValues, referenced_row, referencing_rows,
    referencing_rows_by_index, relation_of_column, unindexed_referencing,
};

/// Where a relation comes from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum RelationOrigin {
    /// A `FOREIGN KEY` clause in the DDL.
    Declared,
    /// No FK in the DDL, but the column's name points at the table and its sampled values
    /// exist in that table's key.
    Inferred,
    /// The name points at the table, but the column holds no values yet to check it against.
    InferredUnverified,
}

impl RelationOrigin {
    /// Whether the DDL lacks this relation (drawn dashed).
    pub fn is_inferred(self) -> bool {
        !matches!(self, RelationOrigin::Declared)
    }

    /// `declared`, `inferred`, `inferred, unverified`.
    pub fn label(self) -> &'static str {
        match self {
            RelationOrigin::Declared => "declared",
            RelationOrigin::Inferred => "inferred",
            RelationOrigin::InferredUnverified => "inferred, unverified",
        }
    }
}

/// How many child rows one parent row may have.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Cardinality {
    /// The usual case: many children per parent.
    OneToMany,
    /// The referencing columns are unique, so at most one child per parent.
    OneToOne,
}

/// One relation: rows of `from_table` point at rows of `to_table`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Relation {
    /// The referencing (child) table.
    pub from_table: String,
    pub from_columns: Vec<String>,
    /// The referenced (parent) table and its key columns.
    pub to_table: String,
    pub to_columns: Vec<String>,
    pub origin: RelationOrigin,
    pub cardinality: Cardinality,
    /// Whether a referencing column may be NULL, so a child may have no parent.
    pub optional: bool,
    /// The `ON DELETE` action of a declared key (`CASCADE`, `SET NULL`, `NO ACTION`...).
    pub on_delete: Option<String>,
}

impl Relation {
    /// Whether a table points at itself (a tree such as `category.parentId`).
    pub fn is_self_reference(&self) -> bool {
        self.from_table == self.to_table
    }

    /// `session.userId → user.id`.
    pub fn describe(&self) -> String {
        format!("{}.{} → {}.{}", self.from_table, self.from_columns.join(","), self.to_table, self.to_columns.join(","))
    }

    /// Whether the referencing column's name is just the parent's name plus `Id`
    /// (`userId` → `user`), so "user has sessions" says it all. Otherwise the column's name
    /// carries the meaning (`impersonatedBy`) and the relation reads from the child's side.
    pub fn named_after_parent(&self) -> bool {
        let [column] = self.from_columns.as_slice() else { return false };
        let words = name_words(column);
        let Some((last, stem)) = words.split_last() else { return false };
        last == "id" && !stem.is_empty() && same_noun(&stem.concat(), &name_words(&self.to_table).concat())
    }

    /// The mermaid `erDiagram` line, without indentation:
    /// `USER ||--o{ SESSION : "has sessions"` or `SESSION }o--o| USER : "impersonated by"`.
    /// Entity names are passed in so the caller decides how tables are spelled.
    pub fn mermaid_line(&self, from_entity: &str, to_entity: &str) -> String {
        let parent_end = if self.optional { "o" } else { "|" };
        let child_end = match self.cardinality {
            Cardinality::OneToMany => ("o{", "}o"),
            Cardinality::OneToOne => ("o|", "|o"),
        };
        if self.named_after_parent() {
            let label = format!("has {}", plural_phrase(&self.from_table));
            format!("{to_entity} |{parent_end}--{} {from_entity} : \"{label}\"", child_end.0)
        } else {
            let words = self.from_columns.iter().flat_map(|c| name_words(c)).filter(|w| w != "id");
            let label = words.collect::<Vec<_>>().join(" ");
            format!("{from_entity} {}--{parent_end}| {to_entity} : \"{label}\"", child_end.1)
        }
    }
}

/// Input of [`list_relations`].
#[derive(Debug, Clone, Copy, Default)]
pub struct ListRelations {
    /// Also look at internal tables (`sqlite_*`, `_cf_*`).
    pub include_internal: bool,
}

/// Every relation between the tables of the main schema: declared ones first, then inferred.
/// Inference samples at most a few dozen values per candidate column (see [`infer_relations`]).
/// Two statements for app tables: the schema, and every inference check at once.
pub fn list_relations<B: Backend + ?Sized>(db: &B, input: &ListRelations) -> Result<Vec<Relation>> {
    let mut tables = if input.include_internal {
        // D1 refuses to describe its `_cf_*` tables in bulk: internals are described one by one.
        let mut tables = Vec::new();
        for summary in list_tables(db, &ListTables { include_internal: true })? {
            tables.push(describe_table(db, &DescribeTable { name: &summary.name })?);
        }
        tables
    } else {
        describe_schema(db)?
    };
    tables.retain(|t| t.relation == RelationType::Table);
    relations_of_tables(db, &tables)
}

/// The relations among already described tables (the ER view describes them anyway).
pub fn relations_of_tables<B: Backend + ?Sized>(db: &B, tables: &[TableInfo]) -> Result<Vec<Relation>> {
    let mut relations = declared_relations(tables);
    relations.extend(infer_relations(db, tables)?);
    Ok(relations)
}

/// The declared foreign keys whose parent table is among `tables`, with the parent's name
/// spelled as the table is (the DDL may write `REFERENCES User` for a table named `user`).
pub fn declared_relations(tables: &[TableInfo]) -> Vec<Relation> {
    let mut relations = Vec::new();
    for table in tables {
        for key in &table.foreign_keys {
            let Some(parent) = tables.iter().find(|t| t.name.eq_ignore_ascii_case(&key.ref_table)) else {
                continue;
            };
            relations.push(Relation {
                from_table: table.name.clone(),
                from_columns: key.columns.clone(),
                to_table: parent.name.clone(),
                to_columns: key.ref_columns.clone(),
                origin: RelationOrigin::Declared,
                cardinality: cardinality_of(table, &key.columns),
                optional: is_optional(table, &key.columns),
                on_delete: Some(key.on_delete.clone()),
            });
        }
    }
    relations
}

/// One-to-one when the referencing columns are unique (primary key or unique index).
pub(crate) fn cardinality_of(table: &TableInfo, columns: &[String]) -> Cardinality {
    let unique = match columns {
        [single] => table.is_unique(single),
        several => {
            table.primary_key == several || table.indexes.iter().any(|i| i.unique && !i.partial && i.columns == several)
        }
    };
    if unique { Cardinality::OneToOne } else { Cardinality::OneToMany }
}

fn is_optional(table: &TableInfo, columns: &[String]) -> bool {
    columns.iter().any(|name| table.column(name).is_none_or(|c| !c.not_null && c.pk_position == 0))
}

/// Singular and plural spellings of one noun compare equal: `user`/`users`,
/// `category`/`categories`, `address`/`addresses`.
pub(crate) fn same_noun(a: &str, b: &str) -> bool {
    a.eq_ignore_ascii_case(b) || singular(&a.to_lowercase()) == singular(&b.to_lowercase())
}

fn singular(word: &str) -> String {
    if let Some(stem) = word.strip_suffix("ies") {
        return format!("{stem}y");
    }
    for ending in ["sses", "shes", "ches", "xes"] {
        if word.ends_with(ending) {
            return word[..word.len() - 2].to_string();
        }
    }
    if word.ends_with('s') && !word.ends_with("ss") && !word.ends_with("us") {
        return word[..word.len() - 1].to_string();
    }
    word.to_string()
}

/// `session` → `sessions`, `audit_log` → `audit logs`, `category` → `categories`; a name
/// that already looks plural stays as it is.
pub fn plural_phrase(table: &str) -> String {
    let mut words = name_words(table);
    if let Some(last) = words.last_mut() {
        *last = plural(last);
    }
    words.join(" ")
}

fn plural(word: &str) -> String {
    let vowel_before_y = word.len() >= 2 && word[..word.len() - 1].ends_with(['a', 'e', 'i', 'o', 'u']);
    if word.ends_with('y') && !vowel_before_y {
        format!("{}ies", &word[..word.len() - 1])
    } else if word.ends_with("ss") || word.ends_with('x') || word.ends_with("ch") || word.ends_with("sh") {
        format!("{word}es")
    } else if word.ends_with('s') {
        word.to_string()
    } else {
        format!("{word}s")
    }
}

#[cfg(test)]
pub(crate) mod tests;
