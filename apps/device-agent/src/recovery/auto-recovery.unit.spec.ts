import { exitStatusFromLog } from "../runtime/lxc-runtime.js";
import {
  type AutoRecoveryPolicy,
  decideRecovery,
  MAX_RETRY_DELAY_MS,
  parseAutoRecovery,
  RECOVERY_DEFAULTS,
} from "./auto-recovery.js";

const onFailure: AutoRecoveryPolicy = {
  type: "on-failure",
  maxRetries: 3,
  retryDelayMs: 1000,
  backoffFactor: 2,
  resetWindowMs: 60_000,
};

describe("parseAutoRecovery (run.json auto_recovery)", () => {
  it("reads Pantavisor's keys in seconds", () => {
    expect(
      parseAutoRecovery({
        type: "on-failure",
        maximum_retry_count: 5,
        retry_delay: 1,
        backoff_factor: 2.5,
        reset_window: 300,
      }),
    ).toEqual({
      type: "on-failure",
      maxRetries: 5,
      retryDelayMs: 1000,
      backoffFactor: 2.5,
      resetWindowMs: 300_000,
    });
  });

  it("fills what is unset with the agent's defaults; absent or false is no policy", () => {
    expect(parseAutoRecovery({ type: "always" })).toEqual({ type: "always", ...RECOVERY_DEFAULTS });
    expect(parseAutoRecovery(undefined)).toBeUndefined();
    expect(parseAutoRecovery(false)).toBeUndefined();
    expect(parseAutoRecovery(true)?.type).toBe("on-failure");
  });

  it("refuses unknown types and out-of-range numbers", () => {
    expect(() => parseAutoRecovery({ type: "sometimes" })).toThrow(/type sometimes/);
    expect(() => parseAutoRecovery({ type: "always", maximum_retry_count: -1 })).toThrow(
      /maximum_retry_count/,
    );
    expect(() => parseAutoRecovery({ type: "always", retry_delay: "1s" })).toThrow(/retry_delay/);
    expect(() => parseAutoRecovery({ type: "always", backoff_factor: 0.5 })).toThrow(/backoff/);
    expect(() => parseAutoRecovery([])).toThrow(/object/);
  });
});

describe("decideRecovery", () => {
  it("restarts a failed container with exponential backoff until the budget is spent", () => {
    let history = { retries: 0 };
    const delays: number[] = [];
    for (;;) {
      const decision = decideRecovery(onFailure, history, { code: 1 }, 500);
      history = decision.history;
      if (decision.action === "leave") {
        expect(decision.why).toMatch(/gave up after 3 restart/);
        break;
      }
      delays.push(decision.delayMs);
    }
    expect(delays).toEqual([1000, 2000, 4000]);
  });

  it("on-failure leaves a clean exit alone; always restarts it", () => {
    expect(decideRecovery(onFailure, { retries: 0 }, { code: 0 }, 500).action).toBe("leave");
    expect(
      decideRecovery({ ...onFailure, type: "always" }, { retries: 0 }, { code: 0 }, 500),
    ).toMatchObject({ action: "restart", attempt: 1 });
  });

  it("counts a signal or an unknown exit as a failure", () => {
    expect(decideRecovery(onFailure, { retries: 0 }, { signal: 9 }, 500).action).toBe("restart");
    expect(decideRecovery(onFailure, { retries: 0 }, undefined, 500).action).toBe("restart");
  });

  it("gives the budget back to a container that ran longer than reset_window", () => {
    expect(decideRecovery(onFailure, { retries: 3 }, { code: 1 }, 59_999).action).toBe("leave");
    expect(decideRecovery(onFailure, { retries: 3 }, { code: 1 }, 60_000)).toMatchObject({
      action: "restart",
      attempt: 1,
      delayMs: 1000,
    });
  });

  it("caps one backoff at an hour and never restarts under type no", () => {
    const slow = { ...onFailure, maxRetries: 100, backoffFactor: 10 };
    expect(decideRecovery(slow, { retries: 20 }, { code: 1 }, 0)).toMatchObject({
      delayMs: MAX_RETRY_DELAY_MS,
    });
    expect(
      decideRecovery({ ...onFailure, type: "no" }, { retries: 0 }, { code: 1 }, 0).action,
    ).toBe("leave");
  });
});

describe("exitStatusFromLog (LXC log at level INFO)", () => {
  const started = (pid: number) =>
    `lxc-start web 20261126005210.938 NOTICE   start - start.c:post_start:2205 - Started "/bin/sh" with pid "${pid}"\n`;
  it("reads the status of the last run only", () => {
    const log = `${started(10)}lxc-start web 1 INFO error - error.c:31 - Child <10> ended on error (3)\n`;
    expect(exitStatusFromLog(log)).toEqual({ code: 3 });
    expect(exitStatusFromLog(`${log}${started(11)}`)).toEqual({ code: 0 });
    expect(
      exitStatusFromLog(`${log}${started(12)}x INFO - Child <12> ended on signal (9)\n`),
    ).toEqual({ signal: 9 });
    expect(exitStatusFromLog("")).toBeUndefined();
  });
});
