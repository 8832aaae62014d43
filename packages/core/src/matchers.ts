/**
 * True when `text` contains one of the strings or matches one of the RegExps (`ignoreErrors`,
 * `tracePropagationTargets`). A user RegExp that throws counts as no match.
 */
export function matchesAny(list: readonly (string | RegExp)[], text: string): boolean {
  for (const m of list) {
    if (typeof m === 'string') {
      if (text.includes(m)) return true;
      continue;
    }
    try {
      m.lastIndex = 0;
      if (m.test(text)) return true;
    } catch {}
  }
  return false;
}
