import type { PartSpec } from "../model/revision.js";

/** One thing the agent does; `planSteps` produces them, one executor per `action` runs them. */
export type Step =
  | { action: "beginTry"; revision: string }
  | { action: "stopContainer"; name: string }
  | { action: "prepareContainer"; revision: string; part: PartSpec }
  | { action: "startContainer"; revision: string; part: PartSpec }
  | { action: "awaitGroup"; group: string; parts: PartSpec[]; timeoutMs: number }
  | { action: "awaitCommitDelay"; revision: string; watch: string[] }
  | { action: "commit"; revision: string; outcome: UpdateOutcome };

export type UpdateOutcome = "DONE" | "UPDATED";
export type StepAction = Step["action"];
