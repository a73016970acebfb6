import { Body, Controller, Get, Inject, Param, Put } from "@nestjs/common";
import { ApiOkResponse, ApiOperation, ApiTags } from "@nestjs/swagger";
import { Command, type CommandContext } from "../auth/command-context.js";
import { Roles } from "../auth/roles.decorator.js";
import { FleetParams } from "../trust/trust-policy.dto.js";
import { MaintenancePolicyDto, MaintenancePolicyResponse } from "./maintenance.dto.js";
import { MaintenanceService } from "./maintenance.service.js";

@ApiTags("maintenance")
@Roles("viewer")
@Controller("v1/fleets/:fleet/maintenance-windows")
export class MaintenanceController {
  constructor(@Inject(MaintenanceService) private readonly maintenance: MaintenanceService) {}

  @Get()
  @ApiOkResponse({ type: MaintenancePolicyResponse })
  get(@Param() { fleet }: FleetParams): Promise<MaintenancePolicyResponse> {
    return this.maintenance.view(fleet);
  }

  @Put()
  @Roles("operator")
  @ApiOperation({
    summary:
      "Replace the fleet's maintenance windows (event MaintenancePolicySet); targets assigned from now on carry them",
  })
  @ApiOkResponse({ type: MaintenancePolicyResponse })
  set(
    @Param() { fleet }: FleetParams,
    @Body() body: MaintenancePolicyDto,
    @Command() ctx: CommandContext,
  ): Promise<MaintenancePolicyResponse> {
    return this.maintenance.set(fleet, body, ctx);
  }
}
