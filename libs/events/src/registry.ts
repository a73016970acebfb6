import type { z } from "zod";
import { ValidationError, type ValidationIssue } from "./errors.js";

/** One event type: its name, the version of its data schema, and that schema. */
export interface EventDefinition<
  TType extends string = string,
  TSchema extends z.ZodType = z.ZodType,
> {
  readonly type: TType;
  readonly schemaVersion: number;
  readonly schema: TSchema;
  /**
   * Optional: a cheap check that returns true only for data `schema` accepts unchanged (see
   * catalog/as-is.ts); such data is taken as it is, anything else is parsed by `schema`.
   */
  readonly asIs?: (data: unknown) => boolean;
}

/** The data type of an event definition. */
export type EventData<D> = D extends EventDefinition<string, infer S> ? z.output<S> : never;

/**
 * The `{ type, data }` of an event definition (a union of definitions gives the union of their
 * events): the one way to type events, derived from the catalog's schemas, never kept by hand.
 */
export type EventOf<D> =
  D extends EventDefinition<infer T, infer S> ? { type: T; data: z.output<S> } : never;

/**
 * Narrows an event to one definition: its data is that schema's output, checked when the event
 * was appended (every type is at schema version 1 today; a version 2 comes with an upcaster on
 * read, so that this stays true). The typed way to read `event.data`, instead of a cast.
 */
export function isEvent<D extends EventDefinition>(
  event: { type: string; data: unknown },
  definition: D,
): event is { type: D["type"]; data: EventData<D> } {
  return event.type === definition.type;
}

export function defineEvent<TType extends string, TSchema extends z.ZodType>(
  type: TType,
  schemaVersion: number,
  schema: TSchema,
  asIs?: (data: unknown) => boolean,
): EventDefinition<TType, TSchema> {
  if (!/^[A-Z][A-Za-z0-9]*$/.test(type)) {
    throw new ValidationError(`event type "${type}" must be PascalCase letters and digits`);
  }
  if (!Number.isInteger(schemaVersion) || schemaVersion < 1) {
    throw new ValidationError(`schema version of ${type} must be a positive integer`);
  }
  return asIs ? { type, schemaVersion, schema, asIs } : { type, schemaVersion, schema };
}

/** A catalog is a list of definitions, one file per aggregate (device, revision, rollout, ...). */
export type EventCatalog = readonly EventDefinition[];

export interface ValidatedEvent {
  type: string;
  schemaVersion: number;
  data: unknown;
}

export interface EventRegistry {
  has(type: string): boolean;
  get(type: string): EventDefinition | undefined;
  types(): string[];
  /** Parses `data` against the type's schema; throws ValidationError naming the type and fields. */
  validate(type: string, data: unknown): ValidatedEvent;
}

/** Composes catalogs; a type defined twice is a programming error and fails at start-up. */
export function createRegistry(...catalogs: EventCatalog[]): EventRegistry {
  const byType = new Map<string, EventDefinition>();
  for (const definition of catalogs.flat()) {
    if (byType.has(definition.type)) {
      throw new Error(`event type ${definition.type} is defined in more than one catalog`);
    }
    byType.set(definition.type, definition);
  }
  return {
    has: (type) => byType.has(type),
    get: (type) => byType.get(type),
    types: () => [...byType.keys()],
    validate(type, data) {
      const definition = byType.get(type);
      if (!definition) throw new ValidationError(`unknown event type "${type}"`);
      if (definition.asIs?.(data)) return { type, schemaVersion: definition.schemaVersion, data };
      const parsed = definition.schema.safeParse(data);
      if (!parsed.success) {
        const details: ValidationIssue[] = parsed.error.issues.map((issue) => ({
          path: issue.path.map(String).join(".") || "(root)",
          message: issue.message,
        }));
        const fields = details.map((d) => `${d.path}: ${d.message}`).join("; ");
        throw new ValidationError(`invalid ${type} event data: ${fields}`, { details });
      }
      return { type, schemaVersion: definition.schemaVersion, data: parsed.data };
    },
  };
}
