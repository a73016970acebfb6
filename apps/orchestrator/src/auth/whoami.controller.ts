import { Controller, Get, Req } from "@nestjs/common";
import { ApiOkResponse, ApiOperation, ApiProperty, ApiTags } from "@nestjs/swagger";
import type { AuthenticatedRequest } from "./principal.js";
import { Roles } from "./roles.decorator.js";

export class WhoamiResponse {
  @ApiProperty() name!: string;
  @ApiProperty({ enum: ["viewer", "operator", "admin"] }) role!: string;
  @ApiProperty({ description: "the token's id (`bootstrap` for the admin token from config)" })
  tokenId!: string;
}

/** `GET /v1/whoami`: the name and role of the calling token (what `statecast whoami` shows). */
@ApiTags("tokens")
@Controller("v1/whoami")
export class WhoamiController {
  @Get()
  @Roles("viewer")
  @ApiOperation({ summary: "The calling token's name and role" })
  @ApiOkResponse({ type: WhoamiResponse })
  whoami(@Req() request: AuthenticatedRequest): WhoamiResponse {
    const principal = request.principal;
    // The guard sets the principal on every @Roles route; absent means the guard did not run.
    if (!principal) throw new Error("whoami reached without an authenticated principal");
    return { name: principal.name, role: principal.role, tokenId: principal.tokenId };
  }
}
