import { Body, Controller, Get, HttpCode, Inject, Param, Post } from "@nestjs/common";
import { ApiBody, ApiCreatedResponse, ApiOkResponse, ApiOperation, ApiTags } from "@nestjs/swagger";
import {
  type CreatedToken,
  type CreateTokenRequest,
  createdToken,
  createTokenRequest,
  type RevokeTokenRequest,
  revokeTokenRequest,
  type TokenIdParams,
  type TokenView,
  tokenIdParams,
  tokenView,
} from "@statecast/contract/http";
import { z } from "zod";
import { ApiPathParams, openApiSchema, ZodPipe } from "../openapi/zod-contract.js";
import { Command, type CommandContext } from "./command-context.js";
import { Roles } from "./roles.decorator.js";
import { TokenService } from "./token.service.js";

@ApiTags("tokens")
@Roles("admin")
@Controller("v1/tokens")
export class TokensController {
  constructor(@Inject(TokenService) private readonly tokens: TokenService) {}

  @Get()
  @ApiOkResponse({ schema: openApiSchema(z.array(tokenView)) })
  list(): Promise<TokenView[]> {
    return this.tokens.list();
  }

  @Post()
  @ApiOperation({ summary: "Create an API token; the secret is returned once" })
  @ApiBody({ schema: openApiSchema(createTokenRequest) })
  @ApiCreatedResponse({ schema: openApiSchema(createdToken) })
  create(
    @Body(new ZodPipe(createTokenRequest)) body: CreateTokenRequest,
    @Command() ctx: CommandContext,
  ): Promise<CreatedToken> {
    return this.tokens.create(body.name, body.role, ctx);
  }

  @Post(":tokenId/revoke")
  @HttpCode(200)
  @ApiPathParams(tokenIdParams)
  @ApiBody({ schema: openApiSchema(revokeTokenRequest) })
  @ApiOkResponse({ schema: openApiSchema(tokenView) })
  revoke(
    @Param(new ZodPipe(tokenIdParams)) { tokenId }: TokenIdParams,
    @Body(new ZodPipe(revokeTokenRequest)) body: RevokeTokenRequest,
    @Command() ctx: CommandContext,
  ): Promise<TokenView> {
    return this.tokens.revoke(tokenId, body.reason ?? "", ctx);
  }
}
