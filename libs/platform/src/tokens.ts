/** Injection tokens for what the platform provides to feature modules. */
export const SERVICE_CONFIG = "statecast:service-config";
export const PG_POOL = "statecast:pg-pool";
export const NATS_CONNECTION = "statecast:nats-connection";
export const JETSTREAM = "statecast:jetstream";
