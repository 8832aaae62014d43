import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { type StackFrame, parseStack, stackTraceLines } from '../src/stack/parse.js';

const CWD = '/app';

/** Parses one frame line (behind a header) with cwd=/app. */
function one(line: string): StackFrame | undefined {
  const frames = parseStack(`Error: x\n${line}`, { cwd: CWD });
  expect(frames.length).toBeLessThanOrEqual(1);
  return frames[0];
}

describe('parseStack: V8 line formats', () => {
  const cases: Array<[string, string, Partial<StackFrame> | undefined]> = [
    [
      'named function',
      '    at handler (/app/src/routes.js:12:5)',
      {
        function: 'handler',
        filename: 'src/routes.js',
        absPath: '/app/src/routes.js',
        lineno: 12,
        colno: 5,
        inApp: true,
      },
    ],
    [
      'anonymous location only',
      '    at /app/src/a.js:1:2',
      {
        function: '<anonymous>',
        filename: 'src/a.js',
        absPath: '/app/src/a.js',
        lineno: 1,
        colno: 2,
        inApp: true,
      },
    ],
    [
      'async + file URL',
      '    at async load (file:///app/src/x.mjs:3:9)',
      {
        function: 'load',
        filename: 'src/x.mjs',
        absPath: '/app/src/x.mjs',
        lineno: 3,
        colno: 9,
        inApp: true,
      },
    ],
    [
      'async location-only file URL',
      '    at async file:///app/main.mjs:9:1',
      {
        function: '<anonymous>',
        filename: 'main.mjs',
        absPath: '/app/main.mjs',
        lineno: 9,
        colno: 1,
        inApp: true,
      },
    ],
    [
      'percent-encoded file URL',
      '    at f (file:///app/my%20dir/x.mjs:1:1)',
      {
        function: 'f',
        filename: 'my dir/x.mjs',
        absPath: '/app/my dir/x.mjs',
        lineno: 1,
        colno: 1,
        inApp: true,
      },
    ],
    [
      'constructor',
      '    at new Foo (/app/lib/foo.js:1:35)',
      {
        function: 'new Foo',
        filename: 'lib/foo.js',
        absPath: '/app/lib/foo.js',
        lineno: 1,
        colno: 35,
        inApp: true,
      },
    ],
    [
      'Object.<anonymous>',
      '    at Object.<anonymous> (/app/index.js:4:11)',
      {
        function: 'Object.<anonymous>',
        filename: 'index.js',
        absPath: '/app/index.js',
        lineno: 4,
        colno: 11,
        inApp: true,
      },
    ],
    [
      'node internal',
      '    at process.processTicksAndRejections (node:internal/process/task_queues:95:5)',
      {
        function: 'process.processTicksAndRejections',
        filename: 'node:internal/process/task_queues',
        absPath: 'node:internal/process/task_queues',
        lineno: 95,
        colno: 5,
        inApp: false,
      },
    ],
    [
      'node internal, location only',
      '    at node:internal/main/run_main_module:28:49',
      {
        function: '<anonymous>',
        filename: 'node:internal/main/run_main_module',
        absPath: 'node:internal/main/run_main_module',
        lineno: 28,
        colno: 49,
        inApp: false,
      },
    ],
    [
      'native (old V8)',
      '    at Array.forEach (native)',
      { function: 'Array.forEach', filename: 'native', absPath: 'native', inApp: false },
    ],
    [
      'bare native',
      '    at native',
      { function: '<anonymous>', filename: 'native', absPath: 'native', inApp: false },
    ],
    [
      'builtin <anonymous>',
      '    at Array.map (<anonymous>)',
      { function: 'Array.map', absPath: '<anonymous>', inApp: false },
    ],
    [
      'Promise.all index',
      '    at async Promise.all (index 0)',
      { function: 'Promise.all', filename: 'index 0', absPath: 'index 0', inApp: false },
    ],
    [
      'eval: the origin file is used',
      '    at eval (eval at handler (/app/src/a.js:3:7), <anonymous>:1:43)',
      { function: 'eval', filename: 'src/a.js', absPath: '/app/src/a.js', lineno: 3, colno: 7, inApp: true },
    ],
    [
      'eval with file URL origin',
      '    at evil (eval at <anonymous> (file:///app/gen.mjs:3:7), <anonymous>:1:25)',
      { function: 'evil', filename: 'gen.mjs', absPath: '/app/gen.mjs', lineno: 3, colno: 7, inApp: true },
    ],
    [
      'nested eval: the outermost origin',
      '    at eval (eval at a (eval at b (/app/x.js:2:3), <anonymous>:1:1), <anonymous>:5:6)',
      { function: 'eval', absPath: '/app/x.js', lineno: 2, colno: 3, inApp: true },
    ],
    [
      'Windows path',
      '    at run (C:\\srv\\app\\index.js:10:20)',
      {
        function: 'run',
        filename: 'C:\\srv\\app\\index.js',
        absPath: 'C:\\srv\\app\\index.js',
        lineno: 10,
        colno: 20,
        inApp: true,
      },
    ],
    [
      'Windows node_modules',
      '    at C:\\srv\\app\\node_modules\\x\\i.js:1:2',
      {
        function: '<anonymous>',
        absPath: 'C:\\srv\\app\\node_modules\\x\\i.js',
        lineno: 1,
        colno: 2,
        inApp: false,
      },
    ],
    [
      '[as alias] is stripped',
      '    at Object.m [as alias] (/app/o.js:5:25)',
      { function: 'Object.m', absPath: '/app/o.js', lineno: 5, colno: 25, inApp: true },
    ],
    [
      'node_modules is not in app',
      '    at Layer.handle [as handle_request] (/app/node_modules/express/lib/router/layer.js:95:5)',
      {
        function: 'Layer.handle',
        filename: 'node_modules/express/lib/router/layer.js',
        absPath: '/app/node_modules/express/lib/router/layer.js',
        lineno: 95,
        colno: 5,
        inApp: false,
      },
    ],
    [
      'path with parentheses',
      '    at go (/app/My Project (copy)/a.js:7:8)',
      {
        function: 'go',
        filename: 'My Project (copy)/a.js',
        absPath: '/app/My Project (copy)/a.js',
        lineno: 7,
        colno: 8,
        inApp: true,
      },
    ],
    [
      'outside cwd stays absolute',
      '    at f (/srv/other/x.js:1:1)',
      {
        function: 'f',
        filename: '/srv/other/x.js',
        absPath: '/srv/other/x.js',
        lineno: 1,
        colno: 1,
        inApp: true,
      },
    ],
    [
      'sibling dir sharing the cwd prefix',
      '    at f (/application/x.js:1:1)',
      { filename: '/application/x.js' },
    ],
    [
      'line without column',
      '    at f (/app/x.js:12)',
      { function: 'f', absPath: '/app/x.js', lineno: 12, colno: undefined },
    ],
    [
      'vm script',
      '    at evalmachine.<anonymous>:1:1',
      { absPath: 'evalmachine.<anonymous>', lineno: 1, inApp: false },
    ],
    [
      'tab indentation and CRLF',
      '\tat f (/app/x.js:1:2)\r',
      { function: 'f', absPath: '/app/x.js', lineno: 1, colno: 2 },
    ],
    ['message line, not a frame', 'at least 8 characters are required', undefined],
    ['not a frame at all', 'Caused by: Error: inner', undefined],
  ];
  it.each(cases)('%s', (_name, line, expected) => {
    const frame = one(line);
    if (expected === undefined) {
      expect(frame).toBeUndefined();
      return;
    }
    expect(frame).toBeDefined();
    for (const [k, v] of Object.entries(expected)) expect(frame![k as keyof StackFrame], k).toEqual(v);
  });
});

describe('parseStack: whole stacks', () => {
  const stack = [
    'TypeError: Cannot read properties of undefined',
    '    at line two of the message? no, this is one: (still the message)',
    '  Some context: {"at": 1}',
    '    at inner (/app/src/a.js:6:9)',
    '    at Object.outer (/app/src/a.js:10:10)',
    '    at Layer.handle (/app/node_modules/express/lib/router/layer.js:95:5)',
    '    at process.processTicksAndRejections (node:internal/process/task_queues:95:5)',
  ].join('\n');

  it('skips the (multi-line) header and returns frames innermost last', () => {
    const frames = parseStack(stack, { cwd: CWD });
    expect(frames.map((f) => `${f.function}@${f.filename}:${f.lineno ?? ''}`)).toEqual([
      'process.processTicksAndRejections@node:internal/process/task_queues:95',
      'Layer.handle@node_modules/express/lib/router/layer.js:95',
      'Object.outer@src/a.js:10',
      'inner@src/a.js:6',
      // The indented "at … (…)" message line parses as a frame; V8 gives no way to tell.
      'line two of the message? no, this is one:@still the message:',
    ]);
  });

  it('maxFrames keeps the innermost frames', () => {
    const frames = parseStack(stack, { cwd: CWD, maxFrames: 2 });
    expect(frames.map((f) => f.function)).toEqual(['inner', 'line two of the message? no, this is one:']);
  });

  it('maxFrames: 0 gives no frames; the default cap is 50', () => {
    const many = [
      'Error: deep',
      ...Array.from({ length: 120 }, (_, i) => `    at f${i} (/app/x.js:${i + 1}:1)`),
    ].join('\n');
    expect(parseStack(many, { maxFrames: 0 })).toEqual([]);
    const frames = parseStack(many, { cwd: CWD });
    expect(frames).toHaveLength(50);
    expect(frames[49]!.function).toBe('f0');
    expect(frames[0]!.function).toBe('f49');
  });

  it('inAppInclude wins over everything, then inAppExclude, then the default rule', () => {
    const s = [
      'Error: x',
      '    at a (/app/node_modules/@acme/shared/a.js:1:1)',
      '    at b (/app/src/generated/b.js:1:1)',
      '    at c (/app/src/c.js:1:1)',
      '    at d (/app/node_modules/other/d.js:1:1)',
    ].join('\n');
    const frames = parseStack(s, {
      cwd: CWD,
      inAppInclude: ['/@acme/', ''],
      inAppExclude: ['/generated/', '/@acme/'],
    });
    expect(Object.fromEntries(frames.map((f) => [f.function, f.inApp]))).toEqual({
      a: true,
      b: false,
      c: true,
      d: false,
    });
  });

  it('parses a real error thrown here, with paths relative to process.cwd()', () => {
    const err = new Error('real');
    const frames = parseStack(err.stack);
    const top = frames[frames.length - 1]!;
    expect(top.absPath.endsWith('stack-parse.test.ts')).toBe(true);
    expect(top.filename).toBe('test/stack-parse.test.ts');
    expect(top.inApp).toBe(true);
    expect(top.lineno).toBeGreaterThan(0);
    expect(frames.some((f) => f.absPath.includes('node_modules') && !f.inApp)).toBe(true);
  });

  it('returns [] for non-strings and empty input', () => {
    for (const v of [undefined, null, 42, {}, [], '', 'Error: only a header'])
      expect(parseStack(v)).toEqual([]);
  });
});

describe('stackTraceLines', () => {
  it('renders innermost first in the V8 shape, using absPath', () => {
    const s = [
      'Error: x',
      '    at inner (/app/src/a.js:6:9)',
      '    at f (/app/x.js:12)',
      '    at Array.map (<anonymous>)',
      '    at /app/main.js:1:2',
    ].join('\n');
    expect(stackTraceLines(parseStack(s, { cwd: CWD }))).toEqual([
      '    at inner (/app/src/a.js:6:9)',
      '    at f (/app/x.js:12)',
      '    at Array.map (<anonymous>)',
      '    at <anonymous> (/app/main.js:1:2)',
    ]);
  });

  it('round-trips any well-formed frame line', () => {
    const fnName = fc.stringMatching(/^(new )?[A-Za-z_$][\w$]{0,12}(\.[A-Za-z_$][\w$]{0,12})?$/);
    const path = fc.stringMatching(/^\/[\w.-]{1,10}(\/[\w.-]{1,10}){0,4}\.(js|mjs|cjs|ts)$/);
    fc.assert(
      fc.property(
        fc.array(fc.tuple(fnName, path, fc.nat(99_999), fc.nat(9_999)), { maxLength: 20 }),
        (rows) => {
          const lines = rows.map(([fn, p, l, c]) => `    at ${fn} (${p}:${l + 1}:${c + 1})`);
          expect(stackTraceLines(parseStack(['Error: x', ...lines].join('\n')))).toEqual(lines);
        },
      ),
    );
  });

  it('tolerates holes and odd frames', () => {
    const frames = [
      undefined,
      { filename: '', absPath: '', function: '', inApp: false },
    ] as unknown as StackFrame[];
    expect(stackTraceLines(frames)).toEqual(['    at <anonymous> (<anonymous>)']);
  });
});

describe('parseStack: robustness', () => {
  it('never throws and respects caps on arbitrary input', () => {
    fc.assert(
      fc.property(
        fc.oneof(fc.anything({ maxDepth: 2 }), fc.string({ unit: 'binary' }), frameish()),
        fc.nat(60),
        (input, maxFrames) => {
          const frames = parseStack(input, { maxFrames });
          if (frames.length > maxFrames) return false;
          for (const f of frames) {
            const ok =
              typeof f.filename === 'string' &&
              typeof f.absPath === 'string' &&
              typeof f.function === 'string' &&
              typeof f.inApp === 'boolean' &&
              (f.lineno === undefined || Number.isInteger(f.lineno));
            if (!ok) return false;
          }
          return stackTraceLines(frames).length === frames.length;
        },
      ),
      { numRuns: 400 },
    );
  });

  it('hostile stacks stay cheap (a hang would time out)', () => {
    const hostile = [
      `Error: ${'x'.repeat(1_000_000)}`,
      `    at ${'('.repeat(100_000)}`,
      `    at f ${'('.repeat(50_000)}${')'.repeat(50_000)}`,
      `    at ${'a:1'.repeat(100_000)}`,
      `${'    at f (/a.js:1:1)\n'.repeat(200_000)}`,
      `${'\n'.repeat(1_000_000)}    at late (/a.js:1:1)`,
      `    at eval (eval at ${'eval at ('.repeat(30_000)}`,
      `    at ${'async '.repeat(100_000)}f (/a.js:1:1)`,
    ];
    for (const s of hostile) {
      const frames = parseStack(s);
      expect(frames.length).toBeLessThanOrEqual(50);
    }
    // Only the first 1000 lines are examined: a frame after a million blank lines is not found.
    expect(parseStack(hostile[5])).toEqual([]);
    expect(parseStack(hostile[4])).toHaveLength(50);
  });
});

/** Strings that look like stacks: random mixes of frame-like fragments. */
function frameish(): fc.Arbitrary<string> {
  const parts = fc.constantFrom(
    '    at ',
    'async ',
    'new ',
    'Foo.bar',
    ' [as baz]',
    ' (',
    ')',
    '/app/x.js',
    'file:///a%2.mjs',
    'node:internal/x',
    ':12',
    ':3',
    'eval at ',
    ', <anonymous>',
    'native',
    'index 0',
    'C:\\x\\y.js',
    '\n',
    '\r\n',
  );
  return fc.array(parts, { maxLength: 40 }).map((a) => a.join(''));
}
