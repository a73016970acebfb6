/**
 * `firstMs` doubling at each step `n` (from 0) up to `capMs`, spread over half to one and a half
 * of it: thousands of devices told the same thing at once (a busy gateway, a saturated server)
 * must not all come back at the same moment. Not rounded (callers combine it with hints).
 */
export function spreadDoubling(
  firstMs: number,
  n: number,
  capMs: number,
  random = Math.random,
): number {
  return Math.min(capMs, firstMs * 2 ** Math.max(0, n)) * (0.5 + random());
}
