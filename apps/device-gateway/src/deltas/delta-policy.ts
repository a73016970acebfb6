import type { DeltaAlgo } from "@statecast/state";

/** The encoder the gateway uses (chosen by bench:transfer; see the folder README). */
export const DEFAULT_DELTA_ALGO: DeltaAlgo = "xdelta3";

/** A delta is offered only when it is at most this share of the full object. */
export const DEFAULT_DELTA_MAX_RATIO = 0.5;
