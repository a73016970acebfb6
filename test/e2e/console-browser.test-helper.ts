import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { type BrowserContext, chromium, type Page } from "playwright-core";

/** Debian's chromium, as `scripts/system-packages.mjs` installs it (no browser download). */
export const CHROMIUM = "/usr/bin/chromium";

/** The little of the DOM that `page.evaluate` callbacks here use (the project has no DOM lib). */
export interface BrowserElement {
  tagName: string;
  id: string;
  type?: string;
  tabIndex: number;
  textContent: string | null;
  outerHTML: string;
  labels?: { length: number } | null;
  hasAttribute(name: string): boolean;
  getAttribute(name: string): string | null;
}
export interface BrowserDocument {
  querySelector(selector: string): BrowserElement | null;
  querySelectorAll(selector: string): Iterable<BrowserElement>;
  activeElement: BrowserElement | null;
  body: unknown;
}

/**
 * The browser's globals, typed for `page.evaluate` callbacks: those are serialized and run in the
 * page, so they reach the document as `(globalThis as unknown as InPage).document`.
 */
export type InPage = { document: BrowserDocument };

const ARGS = [
  "--headless",
  "--no-sandbox",
  "--disable-gpu",
  "--disable-quic",
  "--no-first-run",
  "--disable-background-networking",
  "--disable-component-update",
  "--disable-sync",
];

/** Console messages and page errors, each tagged with the step the test was in. */
export interface BrowserLog {
  step: string;
  errors: { step: string; text: string }[];
}

export interface Browser {
  context: BrowserContext;
  log: BrowserLog;
  /** A fresh tab (its own sessionStorage, so its own sign-in) recording errors into `log`. */
  newPage(): Promise<Page>;
  close(): Promise<void>;
}

/** Chromium on a fresh profile directory (`--user-data-dir`), removed on close. */
export async function launchBrowser(): Promise<Browser> {
  const profile = mkdtempSync(join(tmpdir(), "statecast-chromium-"));
  const context = await chromium.launchPersistentContext(profile, {
    executablePath: CHROMIUM,
    headless: true,
    args: ARGS,
    viewport: { width: 1280, height: 900 },
  });
  const log: BrowserLog = { step: "start", errors: [] };
  const watch = (page: Page) => {
    page.on("console", (message) => {
      if (message.type() === "error") log.errors.push({ step: log.step, text: message.text() });
    });
    page.on("pageerror", (error) => log.errors.push({ step: log.step, text: String(error) }));
  };
  for (const page of context.pages()) await page.close();
  return {
    context,
    log,
    async newPage() {
      const page = await context.newPage();
      watch(page);
      return page;
    },
    async close() {
      await context.close().catch(() => undefined);
      rmSync(profile, { recursive: true, force: true });
    },
  };
}

/**
 * Basic accessibility of what is on the page now: every form field has a label (or aria-label),
 * every button and link has a name and is reachable with Tab (not taken out of the tab order).
 */
export function accessibilityProblems(page: Page): Promise<string[]> {
  return page.evaluate(() => {
    const problems: string[] = [];
    for (const el of (globalThis as unknown as InPage).document.querySelectorAll(
      "input, select, textarea",
    )) {
      if (el.type === "hidden") continue;
      const labelled =
        (el.labels?.length ?? 0) > 0 ||
        el.hasAttribute("aria-label") ||
        el.hasAttribute("aria-labelledby");
      if (!labelled) problems.push(`unlabelled ${el.tagName.toLowerCase()}#${el.id}`);
    }
    for (const el of (globalThis as unknown as InPage).document.querySelectorAll(
      "button, a[href]",
    )) {
      const name = el.textContent?.trim() || el.getAttribute("aria-label");
      if (!name) problems.push(`nameless ${el.outerHTML.slice(0, 80)}`);
      if (el.tabIndex < 0) problems.push(`not keyboard-reachable: ${name}`);
    }
    return problems;
  });
}

/** Presses Tab until the focused element's text is `name` (fails after `limit` presses). */
export async function tabTo(page: Page, name: string, limit = 60): Promise<void> {
  for (let i = 0; i < limit; i++) {
    await page.keyboard.press("Tab");
    const focused = await page.evaluate(
      () => (globalThis as unknown as InPage).document.activeElement?.textContent?.trim() ?? "",
    );
    if (focused === name) return;
  }
  throw new Error(`"${name}" was not reached with the Tab key in ${limit} presses`);
}
