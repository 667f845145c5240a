// Splits SQL text into statements the way SQLite itself finds their ends: a port of
// sqlite3_complete()'s state machine (src/complete.c), so `;` inside strings, quoted
// identifiers, comments and CREATE TRIGGER ... BEGIN ... END bodies does not end a statement.
// Returns the statements' texts (each with its trailing `;` when it had one); pieces made only
// of whitespace and comments are dropped.

const SEMI = 0, WS = 1, OTHER = 2, EXPLAIN = 3, CREATE = 4, TEMP = 5, TRIGGER = 6, END = 7;

// trans[state][token] -> state. States: 0 INVALID, 1 START, 2 NORMAL, 3 EXPLAIN, 4 CREATE,
// 5 TRIGGER, 6 SEMI, 7 END (as in complete.c, with SQLITE_OMIT_TRIGGER off).
const trans = [
  [1, 0, 2, 3, 4, 2, 2, 2],
  [1, 1, 2, 3, 4, 2, 2, 2],
  [1, 2, 2, 2, 2, 2, 2, 2],
  [1, 3, 3, 2, 4, 2, 2, 2],
  [1, 4, 2, 2, 2, 4, 5, 2],
  [6, 5, 5, 5, 5, 5, 5, 5],
  [6, 6, 5, 5, 5, 5, 5, 7],
  [1, 7, 5, 5, 5, 5, 5, 5],
];

const isIdChar = (c) => /[A-Za-z0-9_$]/.test(c) || c.charCodeAt(0) > 0x7f;

/** @param {string} sql @returns {string[]} */
export function splitStatements(sql) {
  const out = [];
  let state = 0;
  let start = 0; // start of the current statement
  let hasTokens = false; // the current statement has a non-whitespace token
  let i = 0;
  const n = sql.length;
  const finish = (end) => {
    const text = sql.slice(start, end).trim();
    if (hasTokens && text) out.push(text);
    start = end;
    hasTokens = false;
  };
  while (i < n) {
    const c = sql[i];
    let token;
    if (c === ";") {
      token = SEMI;
      i++;
    } else if (c === " " || c === "\t" || c === "\n" || c === "\r" || c === "\f") {
      token = WS;
      i++;
    } else if (c === "/" && sql[i + 1] === "*") {
      const close = sql.indexOf("*/", i + 2);
      i = close < 0 ? n : close + 2;
      token = WS;
    } else if (c === "-" && sql[i + 1] === "-") {
      const nl = sql.indexOf("\n", i + 2);
      i = nl < 0 ? n : nl + 1;
      token = WS;
    } else if (c === "[") {
      const close = sql.indexOf("]", i + 1);
      i = close < 0 ? n : close + 1;
      token = OTHER;
    } else if (c === "'" || c === '"' || c === "`") {
      let j = i + 1;
      for (;;) {
        const k = sql.indexOf(c, j);
        if (k < 0) {
          j = n;
          break;
        }
        if (sql[k + 1] === c) {
          j = k + 2;
          continue;
        }
        j = k + 1;
        break;
      }
      i = j;
      token = OTHER;
    } else if (isIdChar(c)) {
      let j = i + 1;
      while (j < n && isIdChar(sql[j])) j++;
      const word = sql.slice(i, j).toLowerCase();
      i = j;
      token =
        word === "create" ? CREATE
        : word === "trigger" ? TRIGGER
        : word === "temp" || word === "temporary" ? TEMP
        : word === "end" ? END
        : word === "explain" ? EXPLAIN
        : OTHER;
    } else {
      token = OTHER;
      i++;
    }
    if (token !== WS && token !== SEMI) hasTokens = true;
    const next = trans[state][token];
    if (token === SEMI && next === 1) finish(i);
    state = next;
  }
  finish(n);
  return out;
}
