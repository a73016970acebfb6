import type { IncomingMessage, ServerResponse } from "node:http";
import { Controller, Get, Inject, Param, Query, Req, Res } from "@nestjs/common";
import {
  ApiOkResponse,
  ApiOperation,
  ApiProduces,
  ApiProperty,
  ApiPropertyOptional,
  ApiTags,
} from "@nestjs/swagger";
import { IsIn, IsISO8601, IsOptional, Matches } from "class-validator";
import { Command, type CommandContext } from "../auth/command-context.js";
import type { AuthenticatedRequest } from "../auth/principal.js";
import { Roles } from "../auth/roles.decorator.js";
import { DeviceIdParams } from "../devices/device.dto.js";
import { DeviceLogFollows } from "./device-log-follows.service.js";
import { DeviceLogsService } from "./device-logs.service.js";
import { streamFollow } from "./log-follow-sse.js";

export class DeviceLogsQuery {
  @ApiPropertyOptional({ description: "`agent` (default) or a part name" })
  @IsOptional()
  @Matches(/^[A-Za-z0-9][A-Za-z0-9_-]{0,62}$/, { message: "part must be a part name or agent" })
  part?: string;

  @ApiPropertyOptional({ description: "only lines from this instant on (ISO 8601)" })
  @IsOptional()
  @IsISO8601({ strict: true }, { message: "since must be an ISO-8601 instant" })
  since?: string;

  @ApiPropertyOptional({
    enum: ["true", "false"],
    description:
      "true (or Accept: text/event-stream): Server-Sent Events, the snapshot then each new line, until the client disconnects",
  })
  @IsOptional()
  @IsIn(["true", "false"], { message: "follow must be true or false" })
  follow?: "true" | "false";
}

export class DeviceLogsResponse {
  @ApiProperty() deviceId!: string;
  @ApiProperty() part!: string;
  @ApiProperty({ description: "the DeviceLogsRequested event's request id" }) requestId!: string;
  @ApiProperty() text!: string;
}

const wantsEvents = (request: IncomingMessage, follow?: string) =>
  follow === "true" ||
  (follow === undefined && /\btext\/event-stream\b/.test(request.headers.accept ?? ""));

@ApiTags("devices")
@Controller("v1/devices")
export class DeviceLogsController {
  constructor(
    @Inject(DeviceLogsService) private readonly logs: DeviceLogsService,
    @Inject(DeviceLogFollows) private readonly follows: DeviceLogFollows,
  ) {}

  @Get(":id/logs")
  @Roles("operator")
  @ApiOperation({
    summary:
      "The device's agent log or a part's console output, asked of the device (an event); follow=true streams new lines (SSE)",
  })
  @ApiProduces("application/json", "text/event-stream")
  @ApiOkResponse({ type: DeviceLogsResponse })
  async get(
    @Param() { id }: DeviceIdParams,
    @Query() query: DeviceLogsQuery,
    @Command() ctx: CommandContext,
    @Req() request: IncomingMessage & AuthenticatedRequest,
    @Res() response: ServerResponse,
  ): Promise<void> {
    const { follow, ...asked } = query;
    if (!wantsEvents(request, follow)) {
      const logs: DeviceLogsResponse = await this.logs.fetch(id, asked, ctx);
      response.setHeader("Content-Type", "application/json; charset=utf-8");
      response.end(JSON.stringify(logs));
      return;
    }
    const tokenId = request.principal?.tokenId ?? "unknown";
    const live = await this.follows.follow(id, asked, ctx, tokenId);
    await streamFollow(live, response);
  }
}
