import { Body, Controller, Get, HttpCode, Inject, Param, Post } from "@nestjs/common";
import { ApiCreatedResponse, ApiOkResponse, ApiOperation, ApiTags } from "@nestjs/swagger";
import { Command, type CommandContext } from "./command-context.js";
import { Roles } from "./roles.decorator.js";
import {
  CreatedTokenResponse,
  CreateTokenRequest,
  RevokeTokenRequest,
  TokenIdParams,
  TokenResponse,
} from "./token.dto.js";
import { TokenService } from "./token.service.js";

@ApiTags("tokens")
@Roles("admin")
@Controller("v1/tokens")
export class TokensController {
  constructor(@Inject(TokenService) private readonly tokens: TokenService) {}

  @Get()
  @ApiOkResponse({ type: [TokenResponse] })
  list(): Promise<TokenResponse[]> {
    return this.tokens.list();
  }

  @Post()
  @ApiOperation({ summary: "Create an API token; the secret is returned once" })
  @ApiCreatedResponse({ type: CreatedTokenResponse })
  create(
    @Body() body: CreateTokenRequest,
    @Command() ctx: CommandContext,
  ): Promise<CreatedTokenResponse> {
    return this.tokens.create(body.name, body.role, ctx);
  }

  @Post(":tokenId/revoke")
  @HttpCode(200)
  @ApiOkResponse({ type: TokenResponse })
  revoke(
    @Param() { tokenId }: TokenIdParams,
    @Body() body: RevokeTokenRequest,
    @Command() ctx: CommandContext,
  ): Promise<TokenResponse> {
    return this.tokens.revoke(tokenId, body.reason ?? "", ctx);
  }
}
