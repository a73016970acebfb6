import { Body, Controller, Delete, Get, Inject, Param, Post, Query } from "@nestjs/common";
import { ApiBody, ApiCreatedResponse, ApiOkResponse, ApiOperation, ApiTags } from "@nestjs/swagger";
import {
  type CreatedEnrollmentToken,
  type CreateEnrollmentTokenRequest,
  createdEnrollmentToken,
  createEnrollmentTokenRequest,
  type EnrollmentTokenParams,
  type EnrollmentTokenView,
  enrollmentTokenParams,
  enrollmentTokenView,
  type FleetParams,
  fleetParams,
  type RevokeEnrollmentTokenQuery,
  revokeEnrollmentTokenQuery,
} from "@statecast/contract/http";
import { z } from "zod";
import { Command, type CommandContext } from "../auth/command-context.js";
import { Roles } from "../auth/roles.decorator.js";
import { ApiPathParams, ApiQueryParams, openApiSchema, ZodPipe } from "../openapi/zod-contract.js";
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
  @ApiPathParams(fleetParams)
  @ApiBody({ schema: openApiSchema(createEnrollmentTokenRequest) })
  @ApiCreatedResponse({ schema: openApiSchema(createdEnrollmentToken) })
  create(
    @Param(new ZodPipe(fleetParams)) { fleet }: FleetParams,
    @Body(new ZodPipe(createEnrollmentTokenRequest)) body: CreateEnrollmentTokenRequest,
    @Command() ctx: CommandContext,
  ): Promise<CreatedEnrollmentToken> {
    return this.tokens.create(fleet, body, ctx);
  }

  @Get()
  @ApiOperation({ summary: "The fleet's enrollment tokens with their uses (never the secret)" })
  @ApiPathParams(fleetParams)
  @ApiOkResponse({ schema: openApiSchema(z.array(enrollmentTokenView)) })
  list(@Param(new ZodPipe(fleetParams)) { fleet }: FleetParams): Promise<EnrollmentTokenView[]> {
    return this.tokens.list(fleet);
  }

  @Delete(":tokenId")
  @Roles("operator")
  @ApiOperation({
    summary:
      "Revoke an enrollment token (EnrollmentTokenRevoked): it enrolls no more devices; enrolled ones keep their credentials",
  })
  @ApiPathParams(enrollmentTokenParams)
  @ApiQueryParams(revokeEnrollmentTokenQuery)
  @ApiOkResponse({ schema: openApiSchema(enrollmentTokenView) })
  revoke(
    @Param(new ZodPipe(enrollmentTokenParams)) { fleet, tokenId }: EnrollmentTokenParams,
    @Query(new ZodPipe(revokeEnrollmentTokenQuery)) query: RevokeEnrollmentTokenQuery,
    @Command() ctx: CommandContext,
  ): Promise<EnrollmentTokenView> {
    return this.tokens.revoke(fleet, tokenId, query.reason ?? "", ctx);
  }
}
