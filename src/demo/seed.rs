//! Seeding: users with sessions, accounts and verifications, written in one transaction with
//! prepared statements. Deterministic for a given user count (seeded RNG, times relative to now).

use anyhow::Result;
use rand::rngs::SmallRng;
use rand::{Rng, SeedableRng};
use rusqlite::{Connection, Statement, params};

use super::words::{BAN_REASONS, DOMAINS, FIRST_NAMES, LAST_NAMES, USER_AGENTS};
use crate::db::password::hash_password;

/// What was written.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, serde::Serialize)]
pub struct SeedReport {
    pub users: u64,
    pub sessions: u64,
    pub accounts: u64,
    pub verifications: u64,
}

const DAY_MS: i64 = 86_400_000;
const HOUR_MS: i64 = 3_600_000;
/// Distinct password hashes to reuse: scrypt costs tens of milliseconds per hash on purpose.
const PASSWORD_HASHES: usize = 4;
/// Admins remembered as possible impersonators (bounded so memory stays flat at any size).
const MAX_IMPERSONATORS: usize = 256;
/// How often progress is reported, in users.
const PROGRESS_EVERY: u64 = 10_000;

struct Statements<'c> {
    user: Statement<'c>,
    session: Statement<'c>,
    account: Statement<'c>,
    verification: Statement<'c>,
}

/// One user's generated facts, shared by the rows that belong to it.
struct DemoUser {
    id: String,
    email: String,
    created_at: i64,
    updated_at: i64,
    banned: bool,
    ban_active: bool,
}

pub fn seed(conn: &mut Connection, users: u64, progress: &mut dyn FnMut(u64)) -> Result<SeedReport> {
    let hashes: Vec<String> =
        (0..PASSWORD_HASHES).map(|_| hash_password(super::DEMO_PASSWORD)).collect::<Result<_>>()?;
    let now = chrono::Utc::now().timestamp_millis();
    let mut rng = SmallRng::seed_from_u64(0x5C0A11 ^ users);
    let mut report = SeedReport::default();
    let mut admins: Vec<String> = Vec::new();
    // Rows are generated consistent with each other, so per-row FK checks only cost time here.
    conn.pragma_update(None, "foreign_keys", false)?;
    let tx = conn.transaction()?;
    {
        let mut stmts = Statements {
            user: tx.prepare(
                "INSERT INTO \"user\" (id, name, email, emailVerified, image, createdAt, updatedAt, role, banned, banReason, banExpires)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11)",
            )?,
            session: tx.prepare(
                "INSERT INTO session (id, expiresAt, token, createdAt, updatedAt, ipAddress, userAgent, userId, impersonatedBy)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)",
            )?,
            account: tx.prepare(
                "INSERT INTO account (id, accountId, providerId, userId, accessToken, refreshToken, idToken,
                   accessTokenExpiresAt, refreshTokenExpiresAt, scope, password, createdAt, updatedAt)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13)",
            )?,
            verification: tx.prepare(
                "INSERT INTO verification (id, identifier, value, expiresAt, createdAt, updatedAt) VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
            )?,
        };
        for index in 0..users {
            let user = insert_user(&mut stmts, &mut rng, index, now, &mut admins)?;
            report.users += 1;
            report.sessions += insert_sessions(&mut stmts, &mut rng, &user, now, &admins)?;
            report.accounts += insert_accounts(&mut stmts, &mut rng, &user, now, &hashes)?;
            report.verifications += insert_verification(&mut stmts, &mut rng, &user, now)?;
            if (index + 1) % PROGRESS_EVERY == 0 {
                progress(index + 1);
            }
        }
    }
    tx.commit()?;
    conn.pragma_update(None, "foreign_keys", true)?;
    progress(users);
    Ok(report)
}

fn uuid(rng: &mut SmallRng) -> String {
    uuid::Builder::from_random_bytes(rng.random()).into_uuid().to_string()
}

const ALPHANUMERIC: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";

fn random_token(rng: &mut SmallRng, len: usize) -> String {
    (0..len).map(|_| ALPHANUMERIC[rng.random_range(0..ALPHANUMERIC.len())] as char).collect()
}

fn pick<'a>(rng: &mut SmallRng, items: &[&'a str]) -> &'a str {
    items[rng.random_range(0..items.len())]
}

fn insert_user(
    stmts: &mut Statements,
    rng: &mut SmallRng,
    index: u64,
    now: i64,
    admins: &mut Vec<String>,
) -> Result<DemoUser> {
    let id = uuid(rng);
    let first = pick(rng, FIRST_NAMES);
    let last = pick(rng, LAST_NAMES);
    let email = format!("{}.{}{}@{}", first.to_lowercase(), last.to_lowercase(), index + 1, pick(rng, DOMAINS));
    let created_at = now - rng.random_range(HOUR_MS..730 * DAY_MS);
    let updated_at = created_at + rng.random_range(0..=(now - created_at));
    let role_roll: f64 = rng.random();
    let role = match role_roll {
        r if r < 0.045 => Some("admin"),
        r if r < 0.05 => Some("admin,user"),
        r if r < 0.15 => None,
        _ => Some("user"),
    };
    let is_admin = role.is_some_and(|r| r.contains("admin"));
    // Admins are never banned: better-auth refuses to let an admin ban themself, and seeds agree.
    let banned = !is_admin && rng.random_bool(0.03);
    let (ban_reason, ban_expires, ban_active) = if banned {
        let reason = pick(rng, BAN_REASONS);
        match rng.random_range(0..20) {
            0..8 => (Some(reason), None, true),
            8..15 => (Some(reason), Some(now + rng.random_range(HOUR_MS..90 * DAY_MS)), true),
            _ => (Some(reason), Some(now - rng.random_range(HOUR_MS..30 * DAY_MS)), false),
        }
    } else {
        (None, None, false)
    };
    let image = rng
        .random_bool(0.3)
        .then(|| format!("https://avatars.githubusercontent.com/u/{}?v=4", rng.random_range(1_000..99_999_999)));
    stmts.user.execute(params![
        id,
        format!("{first} {last}"),
        email,
        rng.random_bool(0.82),
        image,
        created_at,
        updated_at,
        role,
        banned,
        ban_reason,
        ban_expires
    ])?;
    if is_admin && admins.len() < MAX_IMPERSONATORS {
        admins.push(id.clone());
    }
    Ok(DemoUser { id, email, created_at, updated_at, banned, ban_active })
}

fn insert_sessions(
    stmts: &mut Statements,
    rng: &mut SmallRng,
    user: &DemoUser,
    now: i64,
    admins: &[String],
) -> Result<u64> {
    // A ban deletes every session; a lifted ban lets the user sign in again.
    if user.ban_active {
        return Ok(0);
    }
    let count = rng.random_range(0..=3u64);
    for _ in 0..count {
        let created_at = (now - rng.random_range(HOUR_MS..45 * DAY_MS)).max(user.created_at);
        let impersonator =
            (!admins.is_empty() && rng.random_bool(0.02)).then(|| admins[rng.random_range(0..admins.len())].clone());
        // Impersonation sessions last an hour (better-auth's default); normal ones a week.
        let lifetime = if impersonator.is_some() { HOUR_MS } else { 7 * DAY_MS };
        let ip = format!(
            "{}.{}.{}.{}",
            rng.random_range(1..224),
            rng.random_range(0..256),
            rng.random_range(0..256),
            rng.random_range(1..255)
        );
        stmts.session.execute(params![
            uuid(rng),
            created_at + lifetime,
            random_token(rng, 32),
            created_at,
            created_at + rng.random_range(0..HOUR_MS),
            ip,
            pick(rng, USER_AGENTS),
            user.id,
            impersonator
        ])?;
    }
    Ok(count)
}

fn insert_accounts(
    stmts: &mut Statements,
    rng: &mut SmallRng,
    user: &DemoUser,
    now: i64,
    hashes: &[String],
) -> Result<u64> {
    let roll: f64 = rng.random();
    let providers: &[&str] = match roll {
        r if r < 0.6 => &["credential"],
        r if r < 0.8 => &["github"],
        r if r < 0.92 => &["google"],
        _ => &["credential", "google"],
    };
    for provider in providers {
        let (account_id, access, refresh, id_token, access_expires, refresh_expires, scope, password) = match *provider
        {
            "credential" => (
                user.id.clone(),
                None,
                None,
                None,
                None,
                None,
                None,
                Some(hashes[rng.random_range(0..hashes.len())].clone()),
            ),
            "github" => (
                rng.random_range(1_000_000..190_000_000u64).to_string(),
                Some(format!("gho_{}", random_token(rng, 36))),
                None,
                None,
                None,
                None,
                Some("read:user,user:email"),
                None,
            ),
            _ => (
                rng.random_range(100_000_000_000_000_000_000u128..999_999_999_999_999_999_999u128).to_string(),
                Some(format!("ya29.{}", random_token(rng, 120))),
                Some(format!("1//0{}", random_token(rng, 100))),
                Some(format!("eyJhbGciOiJSUzI1NiJ9.{}.{}", random_token(rng, 180), random_token(rng, 86))),
                Some(user.updated_at + HOUR_MS),
                Some(user.updated_at + 180 * DAY_MS),
                Some("openid email profile"),
                None,
            ),
        };
        stmts.account.execute(params![
            uuid(rng),
            account_id,
            provider,
            user.id,
            access,
            refresh,
            id_token,
            access_expires,
            refresh_expires,
            scope,
            password,
            user.created_at,
            user.updated_at.min(now)
        ])?;
    }
    Ok(providers.len() as u64)
}

fn insert_verification(stmts: &mut Statements, rng: &mut SmallRng, user: &DemoUser, now: i64) -> Result<u64> {
    if user.banned || !rng.random_bool(0.04) {
        return Ok(0);
    }
    let created_at = now - rng.random_range(0..2 * DAY_MS);
    let (identifier, value) = if rng.random_bool(0.5) {
        (format!("reset-password:{}", random_token(rng, 24)), user.id.clone())
    } else {
        (format!("sign-in-otp-{}", user.email), format!("{:06}:0", rng.random_range(0..1_000_000)))
    };
    stmts.verification.execute(params![uuid(rng), identifier, value, created_at + HOUR_MS, created_at, created_at])?;
    Ok(1)
}
