import { Body, Controller, Get, Inject, Param, Put } from "@nestjs/common";
import { ApiBody, ApiOkResponse, ApiOperation, ApiTags } from "@nestjs/swagger";
import {
  type FleetParams,
  fleetParams,
  type TrustPolicyRequest,
  type TrustPolicyView,
  trustPolicyRequest,
  trustPolicyView,
} from "@statecast/contract/http";
import { Command, type CommandContext } from "../auth/command-context.js";
import { Roles } from "../auth/roles.decorator.js";
import { ApiPathParams, openApiSchema, ZodPipe } from "../openapi/zod-contract.js";
import { TrustPolicyService } from "./trust-policy.service.js";

@ApiTags("trust")
@Roles("viewer")
@Controller("v1/fleets/:fleet/trust-policy")
export class TrustPolicyController {
  constructor(@Inject(TrustPolicyService) private readonly trust: TrustPolicyService) {}

  @Get()
  @ApiPathParams(fleetParams)
  @ApiOkResponse({ schema: openApiSchema(trustPolicyView) })
  get(@Param(new ZodPipe(fleetParams)) { fleet }: FleetParams): Promise<TrustPolicyView> {
    return this.trust.view(fleet);
  }

  @Put()
  @Roles("admin")
  @ApiOperation({ summary: "Replace the fleet's trust policy (event TrustPolicySet)" })
  @ApiPathParams(fleetParams)
  @ApiBody({ schema: openApiSchema(trustPolicyRequest) })
  @ApiOkResponse({ schema: openApiSchema(trustPolicyView) })
  set(
    @Param(new ZodPipe(fleetParams)) { fleet }: FleetParams,
    @Body(new ZodPipe(trustPolicyRequest)) body: TrustPolicyRequest,
    @Command() ctx: CommandContext,
  ): Promise<TrustPolicyView> {
    return this.trust.set(fleet, body, ctx);
  }
}
