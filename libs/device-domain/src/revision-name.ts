import { ValidationError } from "@statecast/events";

/** A revision as events name it: `revision:<fleet>:<number>`. */
export interface RevisionRef {
  fleet: string;
  number: number;
}

/** How devices name a revision in targets and reports: `<fleet>#<number>`. */
export function formatRevision(revision: RevisionRef): string {
  return `${revision.fleet}#${revision.number}`;
}

/** Parses `<fleet>#<number>`; the fleet may not contain `#`. */
export function parseRevision(text: string): RevisionRef {
  const match = /^([^#\s]{1,128})#(0|[1-9][0-9]{0,14})$/.exec(text);
  if (!match?.[1] || !match[2]) {
    throw new ValidationError(`revision "${text.slice(0, 160)}" is not <fleet>#<number>`);
  }
  return { fleet: match[1], number: Number(match[2]) };
}

export function sameRevision(a: RevisionRef | null, b: RevisionRef): boolean {
  return a !== null && a.fleet === b.fleet && a.number === b.number;
}
