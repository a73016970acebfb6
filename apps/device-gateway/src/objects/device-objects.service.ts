import type { Readable } from "node:stream";
import { Inject, Injectable } from "@nestjs/common";
import { isDeviceId } from "@statecast/contract";
import { actingKey } from "@statecast/device-domain";
import {
  ForbiddenError,
  NotFoundError,
  UnauthorizedError,
  ValidationError,
} from "@statecast/events";
import { GatewayView } from "../view/gateway-view.js";
import { type ByteSpan, parseByteRange } from "./byte-range.js";
import { parseDeviceToken, verifyDeviceToken } from "./device-token.js";
import { NatsObjectSource } from "./nats-object-source.js";
import { ObjectAccess } from "./object-access.js";

export interface ObjectRead {
  size: number;
  span: ByteSpan | undefined;
  body: Readable;
}

/**
 * Objects for devices over HTTP, from `sc_objects` (NatsObjectSource): the device signs
 * a short-lived token with its key, and reads only what `ObjectAccess` allows it.
 */
@Injectable()
export class DeviceObjectsService {
  constructor(
    @Inject(GatewayView) private readonly view: GatewayView,
    @Inject(NatsObjectSource) private readonly objects: NatsObjectSource,
    @Inject(ObjectAccess) private readonly access: ObjectAccess,
  ) {}

  /** The device's enrolled key, unless its credentials were revoked or it was decommissioned. */
  private async devicePublicKey(deviceId: string): Promise<string> {
    const key = actingKey(await this.view.device(deviceId));
    if (!key) throw new UnauthorizedError("device token is not from an enrolled device");
    return key;
  }

  async read(
    sha: string,
    token: string | undefined,
    range: string | undefined,
  ): Promise<ObjectRead> {
    if (!/^[0-9a-f]{64}$/.test(sha))
      throw new ValidationError("object id must be a lowercase hex sha256");
    if (!token) throw new UnauthorizedError("a device token is required (Authorization: Bearer …)");
    const deviceId = parseDeviceToken(token).claims.sub;
    if (!isDeviceId(deviceId)) throw new UnauthorizedError("device token names no device id");
    verifyDeviceToken(token, await this.devicePublicKey(deviceId), deviceId, Date.now());
    const refusal = await this.access.refusal(deviceId, sha);
    if (refusal) throw new ForbiddenError(refusal);
    const stat = await this.objects.stat(sha);
    if (!stat) throw new NotFoundError(`object ${sha} not found`);
    const span = parseByteRange(range, stat.size);
    const body = await this.objects.openRead(sha, span);
    return { size: stat.size, span, body };
  }
}
