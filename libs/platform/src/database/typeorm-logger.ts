import { Logger } from "@nestjs/common";
import { AbstractLogger, type LogLevel, type LogMessage } from "typeorm";

/**
 * TypeORM's messages on the service's logger (context `TypeORM`), not the console. Only
 * migrations and warnings: a failed query already surfaces as the caller's error, and its SQL
 * parameters are not for logs.
 */
export class TypeormLogger extends AbstractLogger {
  private readonly logger = new Logger("TypeORM");

  constructor() {
    super(["migration", "warn"]);
  }

  protected writeLog(
    level: LogLevel,
    message: LogMessage | string | number | (LogMessage | string | number)[],
  ): void {
    for (const { message: text } of this.prepareLogMessages(message)) {
      if (level === "warn" || level === "error") this.logger.warn(String(text));
      else this.logger.log(String(text));
    }
  }
}
