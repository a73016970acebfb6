import { Body, Controller, Get, Inject, Param, Put } from "@nestjs/common";
import { ApiOkResponse, ApiOperation, ApiTags } from "@nestjs/swagger";
import { Command, type CommandContext } from "../auth/command-context.js";
import { Roles } from "../auth/roles.decorator.js";
import { FleetParams, TrustPolicyDto, TrustPolicyResponse } from "./trust-policy.dto.js";
import { TrustPolicyService } from "./trust-policy.service.js";

@ApiTags("trust")
@Roles("viewer")
@Controller("v1/fleets/:fleet/trust-policy")
export class TrustPolicyController {
  constructor(@Inject(TrustPolicyService) private readonly trust: TrustPolicyService) {}

  @Get()
  @ApiOkResponse({ type: TrustPolicyResponse })
  get(@Param() { fleet }: FleetParams): Promise<TrustPolicyResponse> {
    return this.trust.view(fleet);
  }

  @Put()
  @Roles("admin")
  @ApiOperation({ summary: "Replace the fleet's trust policy (event TrustPolicySet)" })
  @ApiOkResponse({ type: TrustPolicyResponse })
  set(
    @Param() { fleet }: FleetParams,
    @Body() body: TrustPolicyDto,
    @Command() ctx: CommandContext,
  ): Promise<TrustPolicyResponse> {
    return this.trust.set(fleet, body, ctx);
  }
}
