import { Module } from "@nestjs/common";
import { APP_GUARD } from "@nestjs/core";
import { TypeOrmModule } from "@nestjs/typeorm";
import { SERVICE_CONFIG } from "@statecast/platform";
import { ApiToken } from "./api-token.entity.js";
import { AuthGuard } from "./auth.guard.js";
import { TokenRepository } from "./token.repository.js";
import { TokenService } from "./token.service.js";
import { ADMIN_TOKEN, TokenAuthenticator } from "./token-authenticator.js";
import { TokensController } from "./tokens.controller.js";
import { WhoamiController } from "./whoami.controller.js";

/** Bearer-token auth for every `/v1` route (a global guard) and the token admin API. */
@Module({
  imports: [TypeOrmModule.forFeature([ApiToken])],
  controllers: [TokensController, WhoamiController],
  providers: [
    {
      provide: ADMIN_TOKEN,
      inject: [SERVICE_CONFIG],
      useFactory: (config: { adminToken?: string }) => config.adminToken,
    },
    TokenRepository,
    TokenAuthenticator,
    TokenService,
    { provide: APP_GUARD, useClass: AuthGuard },
  ],
})
export class AuthModule {}
