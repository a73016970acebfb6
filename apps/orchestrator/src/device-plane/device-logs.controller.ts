import type { IncomingMessage, ServerResponse } from "node:http";
import { Controller, Get, Inject, Param, Query, Req, Res } from "@nestjs/common";
import { ApiOkResponse, ApiOperation, ApiProduces, ApiTags } from "@nestjs/swagger";
import {
  type DeviceIdParams,
  type DeviceLogs,
  type DeviceLogsQuery,
  deviceIdParams,
  deviceLogs,
  deviceLogsQuery,
} from "@statecast/contract/http";
import { Command, type CommandContext } from "../auth/command-context.js";
import type { AuthenticatedRequest } from "../auth/principal.js";
import { Roles } from "../auth/roles.decorator.js";
import { ApiPathParams, ApiQueryParams, openApiSchema, ZodPipe } from "../openapi/zod-contract.js";
import { DeviceLogFollows } from "./device-log-follows.service.js";
import { DeviceLogsService } from "./device-logs.service.js";
import { streamFollow } from "./log-follow-sse.js";

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
  @ApiPathParams(deviceIdParams)
  @ApiQueryParams(deviceLogsQuery)
  @ApiOkResponse({ schema: openApiSchema(deviceLogs) })
  async get(
    @Param(new ZodPipe(deviceIdParams)) { id }: DeviceIdParams,
    @Query(new ZodPipe(deviceLogsQuery)) query: DeviceLogsQuery,
    @Command() ctx: CommandContext,
    @Req() request: IncomingMessage & AuthenticatedRequest,
    @Res() response: ServerResponse,
  ): Promise<void> {
    const { follow, ...asked } = query;
    if (!wantsEvents(request, follow)) {
      const logs: DeviceLogs = await this.logs.fetch(id, asked, ctx);
      response.setHeader("Content-Type", "application/json; charset=utf-8");
      response.end(JSON.stringify(logs));
      return;
    }
    const tokenId = request.principal?.tokenId ?? "unknown";
    const live = await this.follows.follow(id, asked, ctx, tokenId);
    await streamFollow(live, response);
  }
}
