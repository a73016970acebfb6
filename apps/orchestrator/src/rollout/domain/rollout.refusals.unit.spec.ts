import { IllegalStateError } from "@statecast/events";
import type { OperatorCommand } from "./rollout.inputs.js";
import {
  aDefinition,
  aRollout,
  at,
  aWave,
  devices,
  FLEET,
  OPERATOR,
  RolloutScenario,
  report,
} from "./rollout.test-helper.js";

/** Every rollout state an operator can meet, built through the decider itself. */
const states: Record<string, () => RolloutScenario> = {
  none: () => new RolloutScenario(),
  created: () => aRollout({ start: false }),
  running: () => aRollout(),
  "running with devices soaking": () => {
    const rollout = aRollout({
      definition: aDefinition({
        waves: [aWave({ soakSeconds: 60 }), aWave({ size: { percent: 100 } })],
      }),
    });
    rollout.when(report.done(rollout.membersOf(0)[0] as string, at(5)));
    return rollout;
  },
  "paused by the operator": () => {
    const rollout = aRollout();
    rollout.when({ type: "PauseRollout", actor: OPERATOR, now: at(5) });
    return rollout;
  },
  "paused by a failed gate": () => {
    const rollout = aRollout();
    rollout.when(report.error(rollout.membersOf(0)[0] as string, at(5)));
    return rollout;
  },
  "paused at a manual gate": () => {
    const rollout = aRollout({
      definition: aDefinition({ policy: { onFailure: "pause", onSuccess: "pause" } }),
    });
    for (const id of rollout.membersOf(0)) rollout.when(report.done(id, at(5)));
    return rollout;
  },
  aborted: () => {
    const rollout = aRollout();
    rollout.when({ type: "AbortRollout", actor: OPERATOR, now: at(5) });
    return rollout;
  },
  completed: () => {
    const rollout = aRollout();
    for (const wave of [0, 1])
      for (const id of rollout.membersOf(wave)) rollout.when(report.done(id, at(5)));
    return rollout;
  },
  "rolled back": () => {
    const rollout = aRollout();
    rollout.when({ type: "RollbackRollout", actor: OPERATOR, now: at(5) });
    return rollout;
  },
};

const now = at(100);
const commands: Record<
  string,
  { input: OperatorCommand; verb: string; first: string; legalIn: string[] }
> = {
  create: {
    input: {
      type: "CreateRollout",
      rolloutId: "r-1",
      definition: aDefinition(),
      context: { selectedDevices: [{ deviceId: "dev-000", fleet: FLEET }], revisionExists: true },
      actor: OPERATOR,
      now,
    },
    verb: "create",
    first: "RolloutCreated",
    legalIn: ["none"],
  },
  start: {
    input: { type: "StartRollout", devices: devices(4), activeRollouts: [], actor: OPERATOR, now },
    verb: "start",
    first: "RolloutStarted",
    legalIn: ["created"],
  },
  pause: {
    input: { type: "PauseRollout", actor: OPERATOR, now },
    verb: "pause",
    first: "RolloutPaused",
    legalIn: ["running", "running with devices soaking"],
  },
  resume: {
    input: { type: "ResumeRollout", actor: OPERATOR, now },
    verb: "resume",
    first: "RolloutResumed",
    legalIn: ["paused by the operator", "paused by a failed gate"],
  },
  promote: {
    input: { type: "PromoteRollout", actor: OPERATOR, now },
    verb: "promote",
    first: "RolloutPromoted",
    legalIn: ["running with devices soaking", "paused at a manual gate"],
  },
  abort: {
    input: { type: "AbortRollout", actor: OPERATOR, now },
    verb: "abort",
    first: "RolloutAborted",
    legalIn: [
      "created",
      "running",
      "running with devices soaking",
      "paused by the operator",
      "paused by a failed gate",
      "paused at a manual gate",
    ],
  },
  rollback: {
    input: { type: "RollbackRollout", actor: OPERATOR, now },
    verb: "roll back",
    first: "RolloutRollbackStarted",
    legalIn: [
      "running",
      "running with devices soaking",
      "paused by the operator",
      "paused by a failed gate",
      "paused at a manual gate",
      "aborted",
      "completed",
    ],
  },
};

describe.each(Object.entries(commands))("operator command %s", (_name, command) => {
  const cases = Object.keys(states).map((state) => ({
    state,
    legal: command.legalIn.includes(state),
  }));

  it.each(cases.filter((c) => c.legal))("is accepted when the rollout is $state", ({ state }) => {
    const rollout = states[state]?.() as RolloutScenario;
    expect(rollout.when(command.input).events[0]?.type).toBe(command.first);
  });

  it.each(cases.filter((c) => !c.legal))("is refused when the rollout is $state", ({ state }) => {
    const rollout = states[state]?.() as RolloutScenario;
    const before = rollout.events.length;
    expect(() => rollout.when(command.input)).toThrow(IllegalStateError);
    expect(() => rollout.when(command.input)).toThrow(
      new RegExp(`^cannot ${command.verb} rollout`),
    );
    expect(rollout.events).toHaveLength(before);
  });
});

describe("refusal messages say what to do instead", () => {
  it("resume at a manual gate points to promote", () => {
    const rollout = states["paused at a manual gate"]?.() as RolloutScenario;
    expect(() => rollout.when({ type: "ResumeRollout", actor: OPERATOR, now })).toThrow(
      "cannot resume rollout r-1: it is paused; wave 0 passed and waits at a manual gate: promote it",
    );
  });

  it("promote with nothing soaking says so", () => {
    const rollout = aRollout();
    expect(() => rollout.when({ type: "PromoteRollout", actor: OPERATOR, now })).toThrow(
      "cannot promote rollout r-1: it is running; no device of wave 0 is soaking and no manual gate is waiting",
    );
  });
});
