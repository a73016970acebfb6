import { type ArgumentsHost, Catch, type ExceptionFilter, Logger } from "@nestjs/common";
import { INTERNAL_ERROR, toErrorResponse } from "./error-response.js";

interface HttpResponse {
  headersSent: boolean;
  status(code: number): HttpResponse;
  setHeader(name: string, value: string): void;
  json(body: unknown): void;
}

/**
 * Maps the error tree of @statecast/events to HTTP (400/401/403/404/409/422/429/503); anything else is a
 * 500 whose body says nothing about internals (the log has the stack).
 */
@Catch()
export class ErrorFilter implements ExceptionFilter {
  private readonly logger = new Logger("Errors");

  catch(error: unknown, host: ArgumentsHost): void {
    if (host.getType() !== "http") throw error;
    const response = host.switchToHttp().getResponse<HttpResponse>();
    let mapped = toErrorResponse(error);
    if (!mapped) {
      const err = error instanceof Error ? error : new Error(String(error));
      this.logger.error(`unexpected error: ${err.message}`, err.stack);
      mapped = INTERNAL_ERROR;
    }
    if (response.headersSent) return;
    for (const [name, value] of Object.entries(mapped.headers ?? {}))
      response.setHeader(name, value);
    response.status(mapped.status).json(mapped.body);
  }
}
