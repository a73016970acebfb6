import { ValidationError } from "./errors.js";

/** A revision as events name it (`revision:<fleet>:<number>` is its stream). */
export interface RevisionRef {
  fleet: string;
  number: number;
}

/**
 * The ONE text form of a revision: `<fleet>#<number>`. Devices in the field send it in every
 * report and targets carry it, so it is also what every screen prints. Where people type a
 * revision (the CLI), `<fleet>@<number>` is accepted too (see {@link parseRevisionInput}).
 */
export const REVISION_TEXT = /^([^#\s]{1,128})#(0|[1-9][0-9]{0,14})$/;
const TYPED = /^([^#@\s]{1,128})[#@](0|[1-9][0-9]{0,14})$/;

/** A fleet name (no `#` or `@`, so a revision's text form splits one way only). */
export const FLEET_NAME = /^[A-Za-z0-9][A-Za-z0-9._-]{0,127}$/;
export const FLEET_NAME_MESSAGE = "fleet must be 1-128 letters, digits, '.', '_' or '-'";

export function formatRevision(revision: RevisionRef): string {
  return `${revision.fleet}#${revision.number}`;
}

/** True for a revision of a fleet (`<fleet>#<number>`), the only kind the gateway records. */
export function isFleetRevision(text: string): boolean {
  return REVISION_TEXT.test(text) && text.length <= 200;
}

/** Parses the wire form `<fleet>#<number>` (what devices send and targets carry). */
export function parseRevision(text: string): RevisionRef {
  const match = REVISION_TEXT.exec(text);
  if (!match?.[1] || !match[2]) {
    throw new ValidationError(`revision "${text.slice(0, 160)}" is not <fleet>#<number>`);
  }
  return { fleet: match[1], number: Number(match[2]) };
}

/** Parses a revision a person typed: `<fleet>#<number>` or `<fleet>@<number>`. */
export function parseRevisionInput(text: string): RevisionRef {
  const match = TYPED.exec(text);
  if (!match?.[1] || !match[2]) {
    throw new ValidationError(
      `revision "${text.slice(0, 160)}" is not <fleet>#<number> (or <fleet>@<number>)`,
    );
  }
  return { fleet: match[1], number: Number(match[2]) };
}

export function sameRevision(a: RevisionRef | null, b: RevisionRef): boolean {
  return a !== null && a.fleet === b.fleet && a.number === b.number;
}
