/** Injection tokens for what the platform provides to feature modules. */
export const SERVICE_CONFIG = "statecast:service-config";
export const NATS_CONNECTION = "statecast:nats-connection";
export const JETSTREAM = "statecast:jetstream";
/** A Nest transport strategy the app runs as its microservice (see EventsTransportModule). */
export const MICROSERVICE_STRATEGY = "statecast:microservice-strategy";
