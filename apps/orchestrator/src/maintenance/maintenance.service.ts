import { Inject, Injectable } from "@nestjs/common";
import { maintenanceWindowProblem } from "@statecast/contract";
import type { MaintenancePolicyRequest, MaintenancePolicyView } from "@statecast/contract/http";
import { PostgresEventStore, ValidationError, type ValidationIssue } from "@statecast/events";
import { type CommandContext, metadataOf } from "../auth/command-context.js";
import { maintenanceStreamId } from "./maintenance.catalog.js";
import type { MaintenancePolicy } from "./maintenance-policy.js";
import { maintenancePolicyOf } from "./maintenance-windows.js";

/** A fleet's maintenance windows (issue 20): replaced whole, each change an event. */
@Injectable()
export class MaintenanceService {
  constructor(@Inject(PostgresEventStore) private readonly store: PostgresEventStore) {}

  async view(fleet: string): Promise<MaintenancePolicyView> {
    const { policy, version } = await maintenancePolicyOf(this.store, fleet);
    return {
      fleet,
      version,
      windows: viewOf(policy),
      consent: policy.consent ?? false,
      ...(policy.lockLimitSeconds ? { lockLimitSeconds: policy.lockLimitSeconds } : {}),
    };
  }

  /** Every window must parse (cron, zone, duration) and names must be unique; else nothing is written. */
  async set(
    fleet: string,
    dto: MaintenancePolicyRequest,
    ctx: CommandContext,
  ): Promise<MaintenancePolicyView> {
    const issues: ValidationIssue[] = [];
    const scopes: Record<string, string[]> = {};
    const windows = dto.windows.map(({ tags, ...window }, i) => {
      const problem = maintenanceWindowProblem(window);
      if (problem) issues.push({ path: `windows.${i}`, message: problem });
      if (Object.hasOwn(scopes, window.name))
        issues.push({ path: `windows.${i}.name`, message: `${window.name} is named twice` });
      scopes[window.name] = tags ?? [];
      return window;
    });
    if (issues.length > 0)
      throw new ValidationError(
        `invalid maintenance windows: ${issues.map((i) => `${i.path}: ${i.message}`).join("; ")}`,
        { details: issues },
      );
    const { version } = await maintenancePolicyOf(this.store, fleet);
    const data = {
      fleet,
      windows,
      scopes,
      ...(dto.consent ? { consent: true } : {}),
      ...(dto.lockLimitSeconds ? { lockLimitSeconds: dto.lockLimitSeconds } : {}),
    };
    const result = await this.store.append(
      maintenanceStreamId(fleet),
      [{ type: "MaintenancePolicySet", data, metadata: metadataOf(ctx) }],
      { expectedVersion: version === 0 ? "no_stream" : version },
    );
    return {
      fleet,
      version: result.nextExpectedVersion,
      windows: viewOf(data),
      consent: dto.consent ?? false,
      ...(dto.lockLimitSeconds ? { lockLimitSeconds: dto.lockLimitSeconds } : {}),
    };
  }
}

function viewOf(policy: MaintenancePolicy) {
  return policy.windows.map((w) => {
    const tags = policy.scopes[w.name] ?? [];
    return tags.length > 0 ? { ...w, tags } : w;
  });
}
