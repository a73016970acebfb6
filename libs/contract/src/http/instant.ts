import { z } from "zod";

const INSTANT = /^(\d{4})-(\d{2})-(\d{2})(T\d{2}:\d{2}(:\d{2}(\.\d{1,9})?)?(Z|[+-]\d{2}:?\d{2}))?$/;

/** An ISO-8601 date or instant that names a real day (no 30 February). */
function isIsoInstant(value: string): boolean {
  const match = INSTANT.exec(value);
  if (!match) return false;
  const [year, month, day] = [Number(match[1]), Number(match[2]), Number(match[3])];
  const date = new Date(Date.UTC(year, month - 1, day));
  return (
    date.getUTCMonth() === month - 1 &&
    date.getUTCDate() === day &&
    !Number.isNaN(Date.parse(value))
  );
}

/** An ISO-8601 instant (or date) as a string; `field` names it in the message. */
export function isoInstant(field: string) {
  return z.string().refine(isIsoInstant, { message: `${field} must be an ISO-8601 instant` });
}

/** An ISO-8601 date-time with `Z` or an offset, as events carry instants. */
export const offsetDateTime = z.iso.datetime({ offset: true });
