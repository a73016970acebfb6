import type { JsMsg } from "@nats-io/jetstream";
import { BaseRpcContext } from "@nestjs/microservices";

/** The context of a handler of the JetStream events transport: the message and its consumer. */
export class JetStreamEventContext extends BaseRpcContext<[JsMsg, string]> {
  getMessage(): JsMsg {
    return this.args[0];
  }

  getConsumer(): string {
    return this.args[1];
  }

  /** How many times this message was delivered (1 on the first attempt). */
  getDeliveryCount(): number {
    return this.args[0].info.deliveryCount;
  }
}
