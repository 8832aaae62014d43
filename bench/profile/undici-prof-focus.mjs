// Inclusive time of the functions matching a pattern, and what they spend it on (callees merged
// by name), from a .cpuprofile. node profile/undici-prof-focus.mjs <file> <regex on "name url"> [depth=3] [perUnit]
// perUnit: how many units (fetches) the profile covers, to print µs per unit instead of only %.
import { readFileSync } from 'node:fs';

const [file, pattern, depthStr = '3', perUnit] = process.argv.slice(2);
const re = new RegExp(pattern);
const maxDepth = Number(depthStr);
const p = JSON.parse(readFileSync(file, 'utf8'));
const byId = new Map(p.nodes.map((n) => [n.id, n]));
const selfTime = new Map();
let total = 0;
for (let i = 0; i < p.samples.length; i++) {
  const d = p.timeDeltas[i] ?? 0;
  selfTime.set(p.samples[i], (selfTime.get(p.samples[i]) ?? 0) + d);
  total += d;
}
const label = (n) =>
  `${n.callFrame.functionName || '(anon)'} ${n.callFrame.url.replace(/^.*\/(packages|node_modules)\//, '')}:${n.callFrame.lineNumber + 1}`;
const incl = new Map();
const inclOf = (n) => {
  if (incl.has(n.id)) return incl.get(n.id);
  let t = selfTime.get(n.id) ?? 0;
  for (const c of n.children ?? []) t += inclOf(byId.get(c));
  incl.set(n.id, t);
  return t;
};
for (const n of p.nodes) inclOf(n);

// Merge every matching node (outermost match only) into one tree keyed by label path.
const root = { t: 0, kids: new Map() };
const add = (tree, n, depth) => {
  const t = inclOf(n);
  tree.t += t;
  if (depth >= maxDepth) return;
  const selfT = selfTime.get(n.id) ?? 0;
  if (selfT) {
    const s = tree.kids.get('(self)') ?? { t: 0, kids: new Map() };
    s.t += selfT;
    tree.kids.set('(self)', s);
  }
  for (const c of n.children ?? []) {
    const cn = byId.get(c);
    const k = label(cn);
    const sub = tree.kids.get(k) ?? { t: 0, kids: new Map() };
    tree.kids.set(k, sub);
    add(sub, cn, depth + 1);
  }
};
const walk = (n, inside) => {
  const m = !inside && re.test(label(n));
  if (m) {
    const k = label(n);
    const sub = root.kids.get(k) ?? { t: 0, kids: new Map() };
    root.kids.set(k, sub);
    add(sub, n, 1);
  }
  for (const c of n.children ?? []) walk(byId.get(c), inside || m);
};
walk(p.nodes[0], false);
const fmt = (t) =>
  perUnit
    ? `${(t / Number(perUnit)).toFixed(2).padStart(7)} µs`
    : `${((t / total) * 100).toFixed(2).padStart(6)}%`;
const print = (tree, indent) => {
  for (const [k, v] of [...tree.kids].sort((a, b) => b[1].t - a[1].t)) {
    if (v.t / total < 0.0005) continue;
    console.log(`${fmt(v.t)} ${' '.repeat(indent)}${k}`);
    print(v, indent + 2);
  }
};
console.log(`total ${(total / 1e3).toFixed(0)} ms${perUnit ? `, ${perUnit} units` : ''}`);
print(root, 0);
