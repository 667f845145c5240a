//! Relations the DDL does not declare, found from column names and checked against values.
//!
//! A candidate comes from a name rule: `xxxId` / `xxx_id` where `xxx` names another table
//! (singular or plural), or an [`ActorRule`] such as `*By` → `user` (better-auth's
//! `session.impersonatedBy`). It becomes a relation when most of a bounded sample of its
//! distinct values exist in the parent's key, each checked with one indexed lookup.

use anyhow::Result;

use super::{Relation, RelationOrigin, cardinality_of, is_optional, same_noun};
use crate::db::backend::{Backend, Statement};
use crate::db::kinds::{ColumnKind, name_words};
use crate::db::schema::{TableInfo, describe_schema, int_at, quote_ident};

/// A column whose last name word says "a person did this" points at the user table.
#[derive(Debug, Clone, Copy)]
pub struct ActorRule {
    /// The last word of the column's name (`by` in `impersonatedBy`, `created_by`).
    pub last_word: &'static str,
    /// How the word before it must end (`impersonated`, `created`), so `sortBy` is no actor.
    pub previous_suffix: &'static str,
    /// Parent tables to try, first existing one wins.
    pub tables: &'static [&'static str],
}

/// better-auth's `impersonatedBy`, and the common `createdBy` / `updated_by` / `bannedBy`.
pub const ACTOR_RULES: &[ActorRule] =
    &[ActorRule { last_word: "by", previous_suffix: "ed", tables: &["user", "users"] }];

/// Distinct values checked per candidate column.
const SAMPLE_VALUES: u32 = 50;
/// Rows scanned per candidate column when no index covers it: bounds the work on big tables.
const SCAN_ROWS: u32 = 100_000;
/// Share of sampled values that must exist in the parent (in tenths): a few dangling values
/// (a deleted admin's old impersonation) do not hide a real relation.
const MIN_FOUND_TENTHS: usize = 9;

/// Relations implied by names and values, for columns no declared foreign key covers. Every
/// candidate is checked in one statement.
pub fn infer_relations<B: Backend + ?Sized>(db: &B, tables: &[TableInfo]) -> Result<Vec<Relation>> {
    let mut candidates: Vec<Candidate> = Vec::new();
    for table in tables {
        for column in &table.columns {
            if table.foreign_keys.iter().any(|fk| fk.columns.contains(&column.name)) {
                continue;
            }
            let Some(parent) = candidate_parent(&table.name, &column.name, tables) else { continue };
            let Some(key) = single_key(parent) else { continue };
            candidates.push(Candidate { table, column: &column.name, parent, key });
        }
    }
    let origins = if db.capabilities().remote {
        // On a remote every value sampled is a billed row read, and a sparse column (better-auth's
        // `impersonatedBy`) is scanned for thousands of rows before a few dozen values turn up:
        // the name is taken as the reference, marked unverified, and nothing is read.
        vec![Some(RelationOrigin::InferredUnverified); candidates.len()]
    } else {
        check_values(db, &candidates)?
    };
    let mut relations = Vec::new();
    for (candidate, origin) in candidates.iter().zip(origins) {
        let Some(origin) = origin else { continue };
        let columns = vec![candidate.column.to_string()];
        relations.push(Relation {
            from_table: candidate.table.name.clone(),
            cardinality: cardinality_of(candidate.table, &columns),
            optional: is_optional(candidate.table, &columns),
            from_columns: columns,
            to_table: candidate.parent.name.clone(),
            to_columns: vec![candidate.key.to_string()],
            origin,
            on_delete: None,
        });
    }
    Ok(relations)
}

/// A column whose name points at `parent`'s single-column `key`, to be checked against values.
#[derive(Clone, Copy)]
struct Candidate<'a> {
    table: &'a TableInfo,
    column: &'a str,
    parent: &'a TableInfo,
    key: &'a str,
}

/// The table a column's name points at, if any. A table's own `<table>Id` column is not a
/// self reference: better-auth's `account.accountId` is the provider's id for the account.
fn candidate_parent<'a>(table: &str, column: &str, tables: &'a [TableInfo]) -> Option<&'a TableInfo> {
    let words = name_words(column);
    let (last, stem) = words.split_last()?;
    if stem.is_empty() {
        return None;
    }
    let others = || tables.iter().filter(|t| !t.name.eq_ignore_ascii_case(table));
    if last == "id" {
        // Longest stem first: `parentCategoryId` tries `parent_category`, then `category`.
        for start in 0..stem.len() {
            let noun = stem[start..].concat();
            if let Some(found) = others().find(|t| same_noun(&name_words(&t.name).concat(), &noun)) {
                return Some(found);
            }
        }
        return None;
    }
    let previous = stem.last()?;
    let rule = ACTOR_RULES.iter().find(|rule| rule.last_word == last && previous.ends_with(rule.previous_suffix))?;
    rule.tables.iter().find_map(|name| others().find(|t| t.name.eq_ignore_ascii_case(name)))
}

/// The parent's single-column key: its primary key, else a unique `id` column.
fn single_key(parent: &TableInfo) -> Option<&str> {
    match parent.primary_key.as_slice() {
        [key] => Some(key),
        [] => parent
            .columns
            .iter()
            .find(|c| c.name.eq_ignore_ascii_case("id") && parent.is_unique(&c.name))
            .map(|c| c.name.as_str()),
        _ => None,
    }
}

/// Candidates checked per statement: well under SQLite's limit of 500 terms in a compound SELECT.
const CANDIDATES_PER_QUERY: usize = 100;

/// Per candidate: `Some(Inferred)` when enough sampled values exist in the parent,
/// `Some(InferredUnverified)` when the column is empty, `None` when the values say the name
/// lied. One statement (per hundred candidates): each candidate's sample and how much of it the
/// parent's key holds, counted where the data is.
fn check_values<B: Backend + ?Sized>(db: &B, candidates: &[Candidate]) -> Result<Vec<Option<RelationOrigin>>> {
    let mut origins = vec![None; candidates.len()];
    for (chunk, group) in candidates.chunks(CANDIDATES_PER_QUERY).enumerate() {
        let parts: Vec<String> = group
            .iter()
            .enumerate()
            .map(|(i, c)| {
                format!(
                    "SELECT {} AS i, count(*) AS n, coalesce(sum(EXISTS (SELECT 1 FROM {} AS p WHERE p.{} = s.v)), 0) AS found \
                     FROM ({}) AS s",
                    chunk * CANDIDATES_PER_QUERY + i,
                    quote_ident(&c.parent.name),
                    quote_ident(c.key),
                    sample_distinct_sql(c.table, c.column)
                )
            })
            .collect();
        if parts.is_empty() {
            continue;
        }
        let rows = db.query(&Statement::plain(parts.join(" UNION ALL ")))?;
        for row in &rows.rows {
            let Some(origin) = usize::try_from(int_at(row, 0)).ok().and_then(|i| origins.get_mut(i)) else { continue };
            let (sampled, found) = (int_at(row, 1).max(0) as usize, int_at(row, 2).max(0) as usize);
            *origin = if sampled == 0 {
                Some(RelationOrigin::InferredUnverified)
            } else {
                (found * 10 >= sampled * MIN_FOUND_TENTHS).then_some(RelationOrigin::Inferred)
            };
        }
    }
    Ok(origins)
}

/// Up to [`SAMPLE_VALUES`] distinct non-null values, as column `v`. With an index on the column
/// this reads the index; without one it scans at most [`SCAN_ROWS`] rows.
fn sample_distinct_sql(table: &TableInfo, column: &str) -> String {
    let col = quote_ident(column);
    let from = quote_ident(&table.name);
    if table.is_indexed(column) {
        format!("SELECT DISTINCT {col} AS v FROM {from} WHERE {col} IS NOT NULL LIMIT {SAMPLE_VALUES}")
    } else {
        format!(
            "SELECT DISTINCT {col} AS v FROM (SELECT {col} FROM {from} LIMIT {SCAN_ROWS}) WHERE {col} IS NOT NULL LIMIT {SAMPLE_VALUES}"
        )
    }
}

/// `kinds` (of `table`'s columns, from `infer_kinds`) with every column that has an inferred
/// relation made a foreign key, so the grid, the filter bar and `squall tables` call
/// `session.impersonatedBy` what the ER view and `gr` treat it as. The other tables are only
/// described when a column's name makes it a candidate (most tables have none).
pub fn kinds_with_inferred_references<B: Backend + ?Sized>(
    db: &B,
    table: &TableInfo,
    mut kinds: Vec<ColumnKind>,
) -> Result<Vec<ColumnKind>> {
    let maybe = |column: &str| {
        let words = name_words(column);
        let Some((last, stem)) = words.split_last() else { return false };
        !stem.is_empty()
            && (last == "id"
                || stem.last().is_some_and(|previous| {
                    ACTOR_RULES.iter().any(|rule| rule.last_word == last && previous.ends_with(rule.previous_suffix))
                }))
    };
    let candidates: Vec<usize> = table
        .columns
        .iter()
        .enumerate()
        .filter(|(i, c)| {
            matches!(kinds.get(*i), Some(ColumnKind::Text | ColumnKind::Id))
                && table.primary_key != [c.name.clone()]
                && !table.foreign_keys.iter().any(|fk| fk.columns.contains(&c.name))
                && maybe(&c.name)
        })
        .map(|(i, _)| i)
        .collect();
    if candidates.is_empty() {
        return Ok(kinds);
    }
    let tables = describe_schema(db)?;
    let mut checks: Vec<(usize, Candidate)> = Vec::new();
    for i in candidates {
        let column = &table.columns[i].name;
        let Some(parent) = candidate_parent(&table.name, column, &tables) else { continue };
        let Some(key) = single_key(parent) else { continue };
        checks.push((i, Candidate { table, column, parent, key }));
    }
    let group: Vec<Candidate> = checks.iter().map(|(_, c)| *c).collect();
    for ((i, candidate), origin) in checks.iter().zip(check_values(db, &group)?) {
        if origin.is_some() {
            kinds[*i] =
                ColumnKind::ForeignKey { table: candidate.parent.name.clone(), column: candidate.key.to_string() };
        }
    }
    Ok(kinds)
}
