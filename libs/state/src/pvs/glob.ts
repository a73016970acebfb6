// PVS include/exclude globs as pvr applies them: `dir/**` matches every key under `dir/`,
// any other pattern is a shell glob on the whole key (`*`, `?`, `[...]` stop at `/`).

const cache = new Map<string, RegExp>();

function classToRegex(pattern: string, start: number): [string, number] | undefined {
  let i = start + 1;
  let out = "[";
  if (pattern[i] === "!" || pattern[i] === "^") {
    out += "^";
    i++;
  }
  const bodyStart = i;
  for (; i < pattern.length; i++) {
    const c = pattern[i] as string;
    if (c === "]" && i > bodyStart) return [`${out}]`, i];
    out += c === "\\" || c === "]" || c === "[" || c === "^" ? `\\${c}` : c;
  }
  return undefined;
}

function globToRegex(pattern: string): RegExp {
  let source = "^";
  for (let i = 0; i < pattern.length; i++) {
    const c = pattern[i] as string;
    if (c === "*" && pattern[i + 1] === "*") {
      source += ".*";
      i++;
    } else if (c === "*") source += "[^/]*";
    else if (c === "?") source += "[^/]";
    else if (c === "[") {
      const cls = classToRegex(pattern, i);
      if (cls) {
        source += cls[0];
        i = cls[1];
      } else source += "\\[";
    } else source += c.replace(/[.+^${}()|\\]/g, "\\$&");
  }
  return new RegExp(`${source}$`, "u");
}

/** True when `key` matches the PVS glob `pattern`. */
export function matchGlob(pattern: string, key: string): boolean {
  const prefix = pattern.slice(0, -2);
  if (pattern.endsWith("/**") && !/[*?[]/.test(prefix)) return key.startsWith(prefix);
  let re = cache.get(pattern);
  if (!re) {
    try {
      re = globToRegex(pattern);
    } catch {
      // A class like [z-a] is no valid range: the pattern can only match itself.
      return key === pattern;
    }
    if (cache.size > 1000) cache.clear();
    cache.set(pattern, re);
  }
  return re.test(key);
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
