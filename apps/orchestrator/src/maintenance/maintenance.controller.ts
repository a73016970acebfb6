import { Body, Controller, Get, Inject, Param, Put } from "@nestjs/common";
import { ApiBody, ApiOkResponse, ApiOperation, ApiTags } from "@nestjs/swagger";
import {
  type FleetParams,
  fleetParams,
  type MaintenancePolicyRequest,
  type MaintenancePolicyView,
  maintenancePolicyRequest,
  maintenancePolicyView,
} from "@statecast/contract/http";
import { Command, type CommandContext } from "../auth/command-context.js";
import { Roles } from "../auth/roles.decorator.js";
import { ApiPathParams, openApiSchema, ZodPipe } from "../openapi/zod-contract.js";
import { MaintenanceService } from "./maintenance.service.js";

@ApiTags("maintenance")
@Roles("viewer")
@Controller("v1/fleets/:fleet/maintenance-windows")
export class MaintenanceController {
  constructor(@Inject(MaintenanceService) private readonly maintenance: MaintenanceService) {}

  @Get()
  @ApiPathParams(fleetParams)
  @ApiOkResponse({ schema: openApiSchema(maintenancePolicyView) })
  get(@Param(new ZodPipe(fleetParams)) { fleet }: FleetParams): Promise<MaintenancePolicyView> {
    return this.maintenance.view(fleet);
  }

  @Put()
  @Roles("operator")
  @ApiOperation({
    summary:
      "Replace the fleet's maintenance windows (event MaintenancePolicySet); targets assigned from now on carry them",
  })
  @ApiPathParams(fleetParams)
  @ApiBody({ schema: openApiSchema(maintenancePolicyRequest) })
  @ApiOkResponse({ schema: openApiSchema(maintenancePolicyView) })
  set(
    @Param(new ZodPipe(fleetParams)) { fleet }: FleetParams,
    @Body(new ZodPipe(maintenancePolicyRequest)) body: MaintenancePolicyRequest,
    @Command() ctx: CommandContext,
  ): Promise<MaintenancePolicyView> {
    return this.maintenance.set(fleet, body, ctx);
  }
}
