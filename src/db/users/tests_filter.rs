//! The user table's computed statuses as page filters, in both column flavours and every date
//! format better-auth rows use (ms, seconds, ISO text).

use chrono::TimeDelta;
use rusqlite::types::Value;

use super::read::{BanSql, ban_state};
use super::tests::{Fixture, every_fixture, now};
use super::*;
use crate::db::page::{
    Anchor, Filter, FilterOp, PageQuery, RowKey, Sort, SortDirection, View, count_matching, fetch_page, view_statement,
};

fn status_filter(condition: UserCondition) -> Filter {
    Filter {
        column: "status".into(),
        op: FilterOp::Status(condition),
        values: vec![Value::Integer(now().timestamp_millis())],
    }
}

fn view(fx: &Fixture, condition: UserCondition) -> View {
    View {
        table: "user".into(),
        columns: vec![fx.col("id")],
        key: RowKey::Rowid,
        sort: Some(Sort { column: fx.col("email"), direction: SortDirection::Asc, nullable: false }),
        filters: vec![status_filter(condition)],
        search: None,
    }
}

/// Adds erin (banned until tomorrow) and frank (ban ended yesterday), both stored in seconds.
fn add_second_bans(fx: &Fixture) {
    for (id, at) in [("u-erin", now() + TimeDelta::days(1)), ("u-frank", now() - TimeDelta::days(1))] {
        fx.insert(
            "user",
            &[
                ("id", Value::Text(id.into())),
                ("name", Value::Text(id.into())),
                ("email", Value::Text(format!("{id}@example.com"))),
                ("emailVerified", Value::Text("true".into())),
                ("banned", Value::Text("true".into())),
                ("banExpires", Value::Integer(at.timestamp())),
                ("createdAt", fx.date(now())),
                ("updatedAt", fx.date(now())),
            ],
        );
    }
}

/// Every id of the view, read one row per page so each page continues from the last cursor.
fn ids_paged(fx: &Fixture, view: &View) -> Vec<String> {
    let mut ids = Vec::new();
    let mut anchor = Anchor::First;
    loop {
        let page = fetch_page(&fx.conn, &PageQuery { view, anchor: &anchor, limit: 1 }).unwrap();
        let Some(row) = page.rows.last() else { break };
        ids.push(crate::db::value::raw_text(&row.values[0]));
        anchor = Anchor::After(row.cursor.clone());
        if page.exhausted {
            break;
        }
    }
    ids
}

#[test]
fn computed_statuses_filter_pages_in_every_flavour_and_date_format() {
    for fx in every_fixture() {
        add_second_bans(&fx);
        let cases = [
            (UserCondition::Banned, vec!["u-dave", "u-erin"]),
            (UserCondition::BanExpired, vec!["u-bob", "u-frank"]),
            (UserCondition::Unverified, vec!["u-carol"]),
            (UserCondition::ActiveSessions, vec!["u-alice", "u-bob", "u-carol"]),
        ];
        for (condition, expected) in cases {
            let view = view(&fx, condition);
            let ids = ids_paged(&fx, &view);
            assert_eq!(ids, expected, "{condition:?} {:?} {:?}", fx.flavour, fx.dates);
            assert_eq!(count_matching(&fx.conn, &view).unwrap(), expected.len() as u64);
            let (sql, params) = view_statement(&fx.conn, &view).unwrap();
            let mut stmt = fx.conn.prepare(&sql).unwrap();
            let all: Vec<String> =
                stmt.query_map(rusqlite::params_from_iter(params), |r| r.get(0)).unwrap().map(|r| r.unwrap()).collect();
            assert_eq!(all, expected, "the export reads the same rows");
        }
        // Backwards from the end too, and combined with an ordinary filter.
        let mut both = view(&fx, UserCondition::ActiveSessions);
        both.filters.push(Filter {
            column: fx.col("role"),
            op: FilterOp::Eq,
            values: vec![Value::Text("user".into())],
        });
        let page = fetch_page(&fx.conn, &PageQuery { view: &both, anchor: &Anchor::Last, limit: 5 }).unwrap();
        let ids: Vec<String> = page.rows.iter().map(|r| crate::db::value::raw_text(&r.values[0])).collect();
        assert_eq!(ids, ["u-bob"]);
    }
}

#[test]
fn the_ban_filter_agrees_with_ban_state() {
    let conn = rusqlite::Connection::open_in_memory().unwrap();
    let t = now();
    let past = t - TimeDelta::hours(3);
    let future = t + TimeDelta::hours(3);
    let banned = [
        Value::Null,
        Value::Integer(0),
        Value::Integer(1),
        Value::Real(1.0),
        Value::Text("true".into()),
        Value::Text(" TRUE ".into()),
        Value::Text("1".into()),
        Value::Text("false".into()),
        Value::Text("0".into()),
    ];
    let expires = [
        Value::Null,
        Value::Integer(past.timestamp_millis()),
        Value::Integer(future.timestamp_millis()),
        Value::Integer(past.timestamp()),
        Value::Integer(future.timestamp()),
        Value::Real(past.timestamp() as f64),
        Value::Text(past.to_rfc3339()),
        Value::Text(future.to_rfc3339()),
        Value::Text(future.format("%Y-%m-%d %H:%M:%S").to_string()),
        Value::Text(past.format("%Y-%m-%d %H:%M:%S").to_string()),
        Value::Text("never".into()),
    ];
    let ban = BanSql::new("?1", Some("?2"), "?3");
    let sql = format!("SELECT {}, {}", ban.banned_now(), ban.expired());
    for b in &banned {
        for e in &expires {
            let (now_banned, expired): (bool, bool) = conn
                .query_row(&sql, rusqlite::params![b, e, t.timestamp_millis()], |r| Ok((r.get(0)?, r.get(1)?)))
                .unwrap();
            let state = ban_state(b, e, t);
            assert_eq!(now_banned, state == BanState::Banned, "banned {b:?} until {e:?}");
            assert_eq!(expired, state == BanState::BanExpired, "banned {b:?} until {e:?}");
        }
    }
}
