import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { normalizeQuery, queryHash, queryType } from '../src/db-query.js';

describe('normalizeQuery', () => {
  const cases: Array<[string, string]> = [
    ['SELECT * FROM users WHERE id = 42', 'SELECT * FROM users WHERE id = ?'],
    ["SELECT 'it''s', \"Col 1\" FROM t WHERE a = 'x'", 'SELECT ?, "Col 1" FROM t WHERE a = ?'],
    ["SELECT 'a\\'b', 'c' FROM t", 'SELECT ?, ? FROM t'],
    [
      'SELECT t1.col2, a_3 FROM t1 WHERE x > 3.5e10 AND y < 1E-3 AND z = 2.',
      'SELECT t1.col2, a_3 FROM t1 WHERE x > ? AND y < ? AND z = ?',
    ],
    [
      "SELECT 0xFF, X'AB', x'cd', N'hi', E'a\\'n', B'0101', U&'d\\0061t', .5",
      'SELECT ?, ?, ?, ?, ?, ?, ?, ?',
    ],
    ['UPDATE t SET a = TRUE, b = false, c = NULL', 'UPDATE t SET a = TRUE, b = false, c = NULL'],
    [
      'SELECT * FROM t WHERE a = $1 AND b = $23 AND c = ? AND d = :name AND e = @p',
      'SELECT * FROM t WHERE a = ? AND b = ? AND c = ? AND d = ? AND e = @p',
    ],
    ["SELECT $1::int, '5'::text, a::jsonb", 'SELECT ?::int, ?::text, a::jsonb'],
    ['SELECT * FROM t WHERE id IN (1, 2, 3)', 'SELECT * FROM t WHERE id IN (?)'],
    [
      'select * from t where id in ($1,$2,$3) and k not in ( ?, ? )',
      'select * from t where id in (?) and k not in (?)',
    ],
    ["DELETE FROM t WHERE id IN ('a', 'b')", 'DELETE FROM t WHERE id IN (?)'],
    [
      'SELECT * FROM t WHERE id IN (SELECT id FROM u WHERE n = 1)',
      'SELECT * FROM t WHERE id IN (SELECT id FROM u WHERE n = ?)',
    ],
    ['SELECT COALESCE(a, 1, 2) FROM t', 'SELECT COALESCE(a, ?, ?) FROM t'],
    ['SELECT f(1, 2), (3, 4)', 'SELECT f(?, ?), (?, ?)'],
    ['SELECT /* hint */ a -- trailing\nFROM t', 'SELECT a FROM t'],
    ['SELECT a FROM t /* unterminated', 'SELECT a FROM t'],
    ['SELECT 1 -- no newline', 'SELECT ?'],
    ['\n\tSELECT\n  a\r\n FROM   t  ;  ', 'SELECT a FROM t ;'],
    [
      'SELECT * FROM t WHERE a = -5 AND b BETWEEN -1 AND 10 AND c = d - 1 AND e = (-2)',
      'SELECT * FROM t WHERE a = ? AND b BETWEEN ? AND ? AND c = d - ? AND e = (?)',
    ],
    ["SELECT $$a 'b' c$$, $fn$x$y$fn$, $", 'SELECT ?, ?, $'],
    ["INSERT INTO t (a, b) VALUES (1, 'x'), (2, 'y'),(3,'z')", 'INSERT INTO t (a, b) VALUES (?, ?)'],
    [
      'INSERT INTO t VALUES (1, NOW()), (2, NOW()) ON CONFLICT DO NOTHING',
      'INSERT INTO t VALUES (?, NOW()) ON CONFLICT DO NOTHING',
    ],
    [
      'INSERT INTO t VALUES (1, 2), (3, DEFAULT), (4, 5)',
      'INSERT INTO t VALUES (?, ?), (?, DEFAULT), (?, ?)',
    ],
    ["SELECT 'unterminated", 'SELECT ?'],
    ['SELECT naïve, "ünï" FROM t', 'SELECT naïve, "ünï" FROM t'],
    ['SELECT * FROM 1st_table', 'SELECT * FROM 1st_table'],
    ['SELECT arr[1:2] FROM t', 'SELECT arr[?:?] FROM t'],
    ['SELECT `select`, `a``b` FROM `t1`', 'SELECT `select`, `a``b` FROM `t1`'],
    [
      'SELECT * FROM "t" WHERE "t"."a" = "x" AND b LIKE "%y%" AND c = "t"."c"',
      'SELECT * FROM "t" WHERE "t"."a" = ? AND b LIKE ? AND c = "t"."c"',
    ],
    ['INSERT INTO t ("a", "b") VALUES ("x", "y"), ("z", "w")', 'INSERT INTO t ("a", "b") VALUES (?, ?)'],
    [
      'SELECT * FROM t WHERE "k" IN ("a", "b") AND "m" <> "n"',
      'SELECT * FROM t WHERE "k" IN (?) AND "m" <> ?',
    ],
    ['SELECT "unterminated', 'SELECT ?'],
    ['SELECT v$session FROM dual', 'SELECT v$session FROM dual'],
    ['', ''],
    ['   -- only a comment', ''],
  ];
  it.each(cases)('%s', (input, expected) => {
    expect(normalizeQuery(input)).toBe(expected);
  });

  it('treats Unicode spaces as whitespace (found by the property below)', () => {
    expect(normalizeQuery('SELECT 1\u00a0')).toBe('SELECT ?');
    expect(normalizeQuery('\u2028SELECT\u3000a  FROM\ufefft')).toBe('SELECT a FROM t');
  });

  it('caps input at 64 KiB', () => {
    const q = `SELECT ${'a, '.repeat(40_000)}b FROM t`;
    const out = normalizeQuery(q);
    expect(out.length).toBeLessThanOrEqual(64 * 1024);
    expect(out.startsWith('SELECT a, a,')).toBe(true);
    expect(out.endsWith('FROM t')).toBe(false);
  });

  it('never throws; output is trimmed, single-spaced and never longer than the input', () => {
    fc.assert(
      fc.property(fc.oneof(fc.string({ unit: 'binary' }), sqlish()), (q) => {
        const out = normalizeQuery(q);
        // Quoted identifiers are kept verbatim, whitespace included.
        const unquoted = out.replace(/"[^"]*"|`[^`]*`/g, 'q');
        return (
          out === out.trim() &&
          !/\s\s|[\t\n\r]/.test(unquoted) &&
          out.length <= Math.min(q.length, 64 * 1024) &&
          queryHash(out).length === 16 &&
          typeof queryType(q) === 'string'
        );
      }),
      { numRuns: 1000 },
    );
    fc.assert(
      fc.property(fc.anything({ maxDepth: 1 }), (v) => {
        normalizeQuery(v as string);
        queryType(v as string);
        return true;
      }),
      { numRuns: 100 },
    );
  });

  it('is idempotent', () => {
    fc.assert(
      fc.property(fc.oneof(fc.string({ unit: 'binary' }), sqlish()), (q) => {
        const once = normalizeQuery(q);
        expect(normalizeQuery(once)).toBe(once);
      }),
      { numRuns: 1000 },
    );
  });

  it('removes every literal value and collapses IN lists of any size', () => {
    const literal = fc.oneof(
      fc.integer({ min: -1_000_000, max: 1_000_000 }).map(String),
      fc.double({ noNaN: true, noDefaultInfinity: true }).map((d) => String(Math.abs(d))),
      fc.string({ unit: 'grapheme-ascii' }).map((s) => `'${s.replace(/\\/g, '\\\\').replace(/'/g, "''")}'`),
    );
    fc.assert(
      fc.property(literal, fc.array(literal, { minLength: 1, maxLength: 30 }), (v, list) => {
        const q = `SELECT name FROM users WHERE id = ${v} AND tag IN (${list.join(', ')})`;
        expect(normalizeQuery(q)).toBe('SELECT name FROM users WHERE id = ? AND tag IN (?)');
      }),
    );
  });

  it('hostile inputs finish (a hang would time out)', () => {
    const hostile = [
      '1 '.repeat(50_000),
      '-- '.repeat(50_000),
      '/*'.repeat(50_000),
      "'".repeat(100_001),
      '"'.repeat(100_001),
      '$a$'.repeat(50_000),
      '$'.repeat(100_000),
      '('.repeat(100_000),
      ')'.repeat(100_000),
      `WHERE x IN (${'1,'.repeat(30_000)}1)`,
      `INSERT INTO t VALUES ${'(1, 2),'.repeat(5_000)}(1, 2)`,
      `INSERT INTO t VALUES ${'(1, (2)),'.repeat(20_000)}(1, (2))`,
      '- 1'.repeat(50_000),
      ':a'.repeat(50_000),
      'N'.repeat(100_000),
    ];
    for (const q of hostile) {
      const out = normalizeQuery(q);
      expect(out.length).toBeLessThanOrEqual(64 * 1024);
      queryType(q);
      queryType(`WITH ${q}`);
    }
    expect(normalizeQuery(hostile[10]!)).toBe('INSERT INTO t VALUES (?, ?)');
    expect(normalizeQuery(hostile[9]!)).toBe('WHERE x IN (?)');
  });
});

describe('queryHash', () => {
  it('is the first 16 hex chars of SHA-256 of the UTF-8 text (fixed vectors)', () => {
    expect(queryHash('')).toBe('e3b0c44298fc1c14');
    expect(queryHash('abc')).toBe('ba7816bf8f01cfea');
    expect(queryHash('SELECT * FROM users WHERE id = ?')).toBe('6f540be5517aaffe');
    expect(queryHash('é')).toBe('4a99557e4033c353');
  });

  it('maps queries that differ only in literals to the same hash', () => {
    const a = normalizeQuery("SELECT * FROM t WHERE id = 1 AND n = 'x'");
    const b = normalizeQuery("SELECT  *  FROM t WHERE id = 99 AND n = 'yy' -- c");
    expect(queryHash(a)).toBe(queryHash(b));
    expect(queryHash(a)).not.toBe(queryHash(normalizeQuery('SELECT * FROM u WHERE id = 1')));
  });
});

describe('queryType', () => {
  const cases: Array<[string, string]> = [
    ['select 1', 'SELECT'],
    ['  /* c */ -- x\n (SELECT 1) UNION SELECT 2', 'SELECT'],
    ['INSERT INTO t VALUES (1)', 'INSERT'],
    ['Update t SET a = 1', 'UPDATE'],
    ['delete from t', 'DELETE'],
    ['CREATE TABLE t (a int)', 'CREATE'],
    ['DROP TABLE t', 'DROP'],
    ['ALTER TABLE t ADD b int', 'ALTER'],
    ['BEGIN', 'BEGIN'],
    ['start  transaction', 'BEGIN'],
    ['START SLAVE', 'OTHER'],
    ['COMMIT', 'COMMIT'],
    ['ROLLBACK TO SAVEPOINT s', 'ROLLBACK'],
    ['WITH a AS (SELECT 1), b AS (UPDATE t SET x = 1 RETURNING *) INSERT INTO z SELECT * FROM a', 'INSERT'],
    ['WITH RECURSIVE r(n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM r) SELECT * FROM r', 'SELECT'],
    ['with x as (select \')\' as p, "(" from t) delete from t', 'DELETE'],
    ['WITH x AS (SELECT 1 /* ) */ -- )\n) UPDATE t SET a = 1', 'UPDATE'],
    ['WITH x AS (SELECT 1)', 'OTHER'],
    ['EXPLAIN SELECT 1', 'OTHER'],
    ['TRUNCATE t', 'OTHER'],
    ['SELECTX 1', 'OTHER'],
    ['', 'OTHER'],
  ];
  it.each(cases)('%s -> %s', (q, expected) => {
    expect(queryType(q)).toBe(expected);
  });
});

/** SQL-flavoured strings: random mixes of tokens that exercise every branch of the lexer. */
function sqlish(): fc.Arbitrary<string> {
  const tok = fc.constantFrom(
    'SELECT ',
    'WITH ',
    'IN ',
    'VALUES ',
    ' ',
    '\n',
    '(',
    ')',
    ',',
    '?',
    '$1',
    '$$',
    '$t$',
    '$',
    ':a',
    '::',
    ':',
    "'",
    "''",
    '\\',
    '"',
    '`',
    '--',
    '/*',
    '*/',
    '-',
    '1',
    '.5',
    '0x1f',
    'e',
    'N',
    'U&',
    'x',
    'é',
    '=',
    ';',
  );
  return fc.array(tok, { maxLength: 40 }).map((a) => a.join(''));
}
