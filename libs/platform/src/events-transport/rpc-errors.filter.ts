import { Catch, type RpcExceptionFilter } from "@nestjs/common";
import { type Observable, throwError } from "rxjs";

/**
 * Hands a handler's error to the transport as it was thrown (Nest's default RPC filter would
 * turn anything but an RpcException into "Internal server error"): the events transport logs
 * and redelivers it, a request's reply keeps its code of the one error tree.
 */
@Catch()
export class RpcErrorsFilter implements RpcExceptionFilter<unknown> {
  catch(error: unknown): Observable<never> {
    return throwError(() => error);
  }
}
