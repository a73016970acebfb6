// PVS include/exclude globs as pvr applies them: `dir/**` matches every key under `dir/`,
// any other pattern is a shell glob on the whole key (`*`, `?`, `[...]` stop at `/`, `**`
// crosses it). Patterns come from untrusted signature headers, so matching is a dynamic
// programme in O(pattern × key) — a backtracking RegExp could be made to run for ever.

type Token =
  | { kind: "literal"; char: string }
  | { kind: "one" }
  | { kind: "class"; negated: boolean; ranges: Array<[string, string]> }
  | { kind: "star" }
  | { kind: "globstar" };

function parseClass(pattern: string, start: number): [Token, number] | undefined {
  let i = start + 1;
  const negated = pattern[i] === "!" || pattern[i] === "^";
  if (negated) i++;
  const ranges: Array<[string, string]> = [];
  for (let first = true; i < pattern.length; first = false) {
    const c = pattern[i] as string;
    if (c === "]" && !first) return [{ kind: "class", negated, ranges }, i];
    if (pattern[i + 1] === "-" && i + 2 < pattern.length && pattern[i + 2] !== "]") {
      ranges.push([c, pattern[i + 2] as string]);
      i += 3;
    } else {
      ranges.push([c, c]);
      i++;
    }
  }
  return undefined; // unterminated: `[` is a literal
}

function tokenize(pattern: string): Token[] {
  const tokens: Token[] = [];
  for (let i = 0; i < pattern.length; i++) {
    const c = pattern[i] as string;
    if (c === "*" && pattern[i + 1] === "*") {
      tokens.push({ kind: "globstar" });
      while (pattern[i + 1] === "*") i++;
    } else if (c === "*") tokens.push({ kind: "star" });
    else if (c === "?") tokens.push({ kind: "one" });
    else if (c === "[" && parseClass(pattern, i)) {
      const [token, end] = parseClass(pattern, i) as [Token, number];
      tokens.push(token);
      i = end;
    } else tokens.push({ kind: "literal", char: c });
  }
  return tokens;
}

function matchesChar(token: Token, char: string): boolean {
  switch (token.kind) {
    case "literal":
      return token.char === char;
    case "one":
      return char !== "/";
    case "class": {
      if (char === "/") return false;
      const inside = token.ranges.some(([lo, hi]) => lo <= char && char <= hi);
      return inside !== token.negated;
    }
    default:
      return false;
  }
}

function matchTokens(tokens: Token[], key: string): boolean {
  const n = key.length;
  let prev = new Uint8Array(n + 1);
  prev[0] = 1;
  for (const token of tokens) {
    const cur = new Uint8Array(n + 1);
    if (token.kind === "star" || token.kind === "globstar") {
      cur[0] = prev[0] as number;
      for (let j = 1; j <= n; j++) {
        const extend = cur[j - 1] === 1 && (token.kind === "globstar" || key[j - 1] !== "/");
        cur[j] = prev[j] === 1 || extend ? 1 : 0;
      }
    } else {
      for (let j = 0; j < n; j++)
        cur[j + 1] = prev[j] === 1 && matchesChar(token, key[j] as string) ? 1 : 0;
    }
    prev = cur;
  }
  return prev[n] === 1;
}

const cache = new Map<string, Token[]>();

/** True when `key` matches the PVS glob `pattern`. */
export function matchGlob(pattern: string, key: string): boolean {
  if (!/[*?[]/.test(pattern)) return pattern === key;
  const prefix = pattern.slice(0, -2);
  if (pattern.endsWith("/**") && !/[*?[]/.test(prefix)) return key.startsWith(prefix);
  let tokens = cache.get(pattern);
  if (!tokens) {
    tokens = tokenize(pattern);
    if (cache.size > 1000) cache.clear();
    cache.set(pattern, tokens);
  }
  return matchTokens(tokens, key);
}

/** The keys matched by any `include` glob and by no `exclude` glob, sorted. */
export function selectKeys(keys: Iterable<string>, include: string[], exclude: string[]): string[] {
  const selected: string[] = [];
  for (const key of keys) {
    if (include.some((p) => matchGlob(p, key)) && !exclude.some((p) => matchGlob(p, key))) {
      selected.push(key);
    }
  }
  return selected.sort();
}

/** pvr's `sig add --part P` selection. */
export function defaultPartGlobs(part: string): { include: string[]; exclude: string[] } {
  return {
    include: [`${part}/**`, `_config/${part}/**`],
    exclude: [`${part}/src.json`, `_sigs/${part}.json`],
  };
}
