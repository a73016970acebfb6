import { Inject, Injectable } from "@nestjs/common";
import { BOOTSTRAP_ADMIN, type Principal } from "./principal.js";
import { TokenRepository } from "./token.repository.js";
import { hashTokenSecret, secretsEqual } from "./token-secret.js";

export const ADMIN_TOKEN = Symbol("STATECAST_ADMIN_TOKEN");

/** Resolves a bearer secret to a principal: the bootstrap admin token, else a live API token. */
@Injectable()
export class TokenAuthenticator {
  constructor(
    @Inject(ADMIN_TOKEN) private readonly adminToken: string | undefined,
    @Inject(TokenRepository) private readonly tokens: TokenRepository,
  ) {}

  async authenticate(secret: string): Promise<Principal | undefined> {
    if (this.adminToken && secretsEqual(secret, this.adminToken)) return BOOTSTRAP_ADMIN;
    return this.tokens.findActiveByHash(hashTokenSecret(secret));
  }
}
