import { Controller, Get, Inject, Param, Query } from "@nestjs/common";
import {
  ApiOkResponse,
  ApiOperation,
  ApiProperty,
  ApiPropertyOptional,
  ApiTags,
} from "@nestjs/swagger";
import { IsISO8601, IsOptional, Matches } from "class-validator";
import { Command, type CommandContext } from "../auth/command-context.js";
import { Roles } from "../auth/roles.decorator.js";
import { DeviceIdParams } from "../devices/device.dto.js";
import { DeviceLogsService } from "./device-logs.service.js";

export class DeviceLogsQuery {
  @ApiPropertyOptional({ description: "`agent` (default) or a part name" })
  @IsOptional()
  @Matches(/^[A-Za-z0-9][A-Za-z0-9_-]{0,62}$/, { message: "part must be a part name or agent" })
  part?: string;

  @ApiPropertyOptional({ description: "only lines from this instant on (ISO 8601)" })
  @IsOptional()
  @IsISO8601({ strict: true }, { message: "since must be an ISO-8601 instant" })
  since?: string;
}

export class DeviceLogsResponse {
  @ApiProperty() deviceId!: string;
  @ApiProperty() part!: string;
  @ApiProperty({ description: "the DeviceLogsRequested event's request id" }) requestId!: string;
  @ApiProperty() text!: string;
}

@ApiTags("devices")
@Controller("v1/devices")
export class DeviceLogsController {
  constructor(@Inject(DeviceLogsService) private readonly logs: DeviceLogsService) {}

  @Get(":id/logs")
  @Roles("operator")
  @ApiOperation({
    summary: "The device's agent log or a part's console output, asked of the device (an event)",
  })
  @ApiOkResponse({ type: DeviceLogsResponse })
  get(
    @Param() { id }: DeviceIdParams,
    @Query() query: DeviceLogsQuery,
    @Command() ctx: CommandContext,
  ): Promise<DeviceLogsResponse> {
    return this.logs.fetch(id, query, ctx);
  }
}
