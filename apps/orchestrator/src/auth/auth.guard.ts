import { type CanActivate, type ExecutionContext, Inject, Injectable } from "@nestjs/common";
import { Reflector } from "@nestjs/core";
import { ForbiddenError, UnauthorizedError } from "@statecast/events";
import type { AuthenticatedRequest } from "./principal.js";
import { type Role, roleSatisfies } from "./role.js";
import { ROLES_KEY } from "./roles.decorator.js";
import { TokenAuthenticator } from "./token-authenticator.js";
import { bearerSecret } from "./token-secret.js";

/** Global guard: routes marked with @Roles need a bearer token of at least that role. */
@Injectable()
export class AuthGuard implements CanActivate {
  constructor(
    @Inject(Reflector) private readonly reflector: Reflector,
    @Inject(TokenAuthenticator) private readonly tokens: TokenAuthenticator,
  ) {}

  async canActivate(execution: ExecutionContext): Promise<boolean> {
    const required = this.reflector.getAllAndOverride<Role | undefined>(ROLES_KEY, [
      execution.getHandler(),
      execution.getClass(),
    ]);
    if (!required) return true;
    const request = execution.switchToHttp().getRequest<AuthenticatedRequest>();
    const authorization = request.headers.authorization;
    const secret = bearerSecret(typeof authorization === "string" ? authorization : undefined);
    if (!secret)
      throw new UnauthorizedError("missing bearer token (Authorization: Bearer <token>)");
    const principal = await this.tokens.authenticate(secret);
    if (!principal) throw new UnauthorizedError("unknown or revoked API token");
    if (!roleSatisfies(principal.role, required)) {
      throw new ForbiddenError(`role "${principal.role}" is too weak: this needs "${required}"`);
    }
    request.principal = principal;
    return true;
  }
}
