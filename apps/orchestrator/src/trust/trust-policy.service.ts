import { Inject, Injectable } from "@nestjs/common";
import type { TrustPolicyRequest, TrustPolicyView } from "@statecast/contract/http";
import { isEvent, PostgresEventStore, ValidationError } from "@statecast/events";
import { compileSigner, KeyError, type TrustPolicy } from "@statecast/state";
import { type CommandContext, metadataOf } from "../auth/command-context.js";
import { TrustPolicySet, trustStreamId } from "./trust.catalog.js";

interface StoredPolicy {
  policy: TrustPolicy;
  version: number;
}

/** A fleet's trust policy is the last TrustPolicySet of `trust:<fleet>`; strict, trusting nobody, before any. */
@Injectable()
export class TrustPolicyService {
  constructor(@Inject(PostgresEventStore) private readonly store: PostgresEventStore) {}

  async current(fleet: string): Promise<StoredPolicy> {
    const { events, version } = await this.store.readStream(trustStreamId(fleet));
    const last = events.at(-1);
    return {
      policy:
        last && isEvent(last, TrustPolicySet)
          ? { mode: last.data.mode, trusted: last.data.trusted }
          : { mode: "strict", trusted: [] },
      version,
    };
  }

  async view(fleet: string): Promise<TrustPolicyView> {
    const { policy, version } = await this.current(fleet);
    return { fleet, version, mode: policy.mode, trusted: policy.trusted.map(signerView) };
  }

  /** Replaces the policy; every PEM must parse, else nothing is written. */
  async set(fleet: string, dto: TrustPolicyRequest, ctx: CommandContext): Promise<TrustPolicyView> {
    dto.trusted.forEach((signer, index) => {
      try {
        compileSigner(signer, index);
      } catch (error) {
        if (!(error instanceof KeyError)) throw error;
        throw new ValidationError(`trusted signer ${signer.name} is unusable: ${error.message}`, {
          details: [{ path: `trusted.${index}.pem`, message: error.message }],
        });
      }
    });
    const { version } = await this.current(fleet);
    const data = { fleet, mode: dto.mode, trusted: dto.trusted.map(signerView) };
    const result = await this.store.append(
      trustStreamId(fleet),
      [{ type: "TrustPolicySet", data, metadata: metadataOf(ctx) }],
      { expectedVersion: version === 0 ? "no_stream" : version },
    );
    return { ...data, version: result.nextExpectedVersion };
  }
}

function signerView(signer: { name?: string; pem: string; keys?: string[] }) {
  return { name: signer.name ?? "", pem: signer.pem, keys: signer.keys ?? ["**"] };
}
