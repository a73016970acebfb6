import { Body, Controller, Delete, Get, Inject, Param, Post, Query } from "@nestjs/common";
import { ApiCreatedResponse, ApiOkResponse, ApiOperation, ApiTags } from "@nestjs/swagger";
import {
  type CreatedEnrollmentToken,
  createdEnrollmentToken,
  type EnrollmentTokenView,
  enrollmentTokenView,
} from "@statecast/contract/http";
import { z } from "zod";
import { Command, type CommandContext } from "../auth/command-context.js";
import { Roles } from "../auth/roles.decorator.js";
import { openApiSchema } from "../openapi/zod-contract.js";
import { FleetParams } from "../trust/trust-policy.dto.js";
import {
  CreateEnrollmentTokenRequest,
  EnrollmentTokenParams,
  RevokeEnrollmentTokenQuery,
} from "./enrollment-token.dto.js";
import { EnrollmentTokensService } from "./enrollment-tokens.service.js";

/**
 * Operators (not only admins) manage enrollment tokens: a token pre-approves devices of one
 * fleet, the same power as `POST /v1/devices/:id/approve`. Listing is for viewers: no secret.
 */
@ApiTags("enrollment")
@Roles("viewer")
@Controller("v1/fleets/:fleet/enrollment-tokens")
export class EnrollmentTokensController {
  constructor(@Inject(EnrollmentTokensService) private readonly tokens: EnrollmentTokensService) {}

  @Post()
  @Roles("operator")
  @ApiOperation({
    summary:
      "Create a fleet enrollment token (EnrollmentTokenCreated); the secret is returned once, stored hashed",
    description:
      "A device saying hello on sc.dev.<id>.hello with this secret as `enrollmentToken` is enrolled and approved at once and gets its credentials.",
  })
  @ApiCreatedResponse({ schema: openApiSchema(createdEnrollmentToken) })
  create(
    @Param() { fleet }: FleetParams,
    @Body() body: CreateEnrollmentTokenRequest,
    @Command() ctx: CommandContext,
  ): Promise<CreatedEnrollmentToken> {
    return this.tokens.create(fleet, body, ctx);
  }

  @Get()
  @ApiOperation({ summary: "The fleet's enrollment tokens with their uses (never the secret)" })
  @ApiOkResponse({ schema: openApiSchema(z.array(enrollmentTokenView)) })
  list(@Param() { fleet }: FleetParams): Promise<EnrollmentTokenView[]> {
    return this.tokens.list(fleet);
  }

  @Delete(":tokenId")
  @Roles("operator")
  @ApiOperation({
    summary:
      "Revoke an enrollment token (EnrollmentTokenRevoked): it enrolls no more devices; enrolled ones keep their credentials",
  })
  @ApiOkResponse({ schema: openApiSchema(enrollmentTokenView) })
  revoke(
    @Param() { fleet, tokenId }: EnrollmentTokenParams,
    @Query() query: RevokeEnrollmentTokenQuery,
    @Command() ctx: CommandContext,
  ): Promise<EnrollmentTokenView> {
    return this.tokens.revoke(fleet, tokenId, query.reason ?? "", ctx);
  }
}
