import type { IncomingMessage as Request, ServerResponse as Response } from "node:http";
import { finished } from "node:stream/promises";
import {
  Body,
  Controller,
  Get,
  Head,
  HttpCode,
  Inject,
  Param,
  PayloadTooLargeException,
  Post,
  Put,
  Req,
  Res,
} from "@nestjs/common";
import { ApiBody, ApiHeader, ApiOkResponse, ApiOperation, ApiTags } from "@nestjs/swagger";
import {
  type MissingObjectsRequest,
  type MissingObjectsResponse,
  missingObjectsRequest,
  missingObjectsResponse,
  type ObjectGcRequest,
  type ObjectGcResult,
  type ObjectIdParams,
  type ObjectStats,
  type ObjectStored,
  objectGcRequest,
  objectGcResult,
  objectIdParams,
  objectStats,
  objectStored,
} from "@statecast/contract/http";
import { Command, type CommandContext, metadataOf } from "../auth/command-context.js";
import { Roles } from "../auth/roles.decorator.js";
import { ApiPathParams, openApiSchema, ZodPipe } from "../openapi/zod-contract.js";
import { parseByteRange } from "./byte-range.js";
import { ObjectGc } from "./object-gc.js";
import { ObjectsService, ObjectTooLargeError } from "./objects.service.js";

@ApiTags("objects")
@Roles("viewer")
@Controller("v1/objects")
export class ObjectsController {
  constructor(
    @Inject(ObjectsService) private readonly objects: ObjectsService,
    @Inject(ObjectGc) private readonly gc: ObjectGc,
  ) {}

  @Get("stats")
  @ApiOkResponse({ schema: openApiSchema(objectStats) })
  stats(): ObjectStats {
    return this.objects.statsView();
  }

  @Post("missing")
  @HttpCode(200)
  @ApiOperation({ summary: "Which of these objects does the server lack?" })
  @ApiBody({ schema: openApiSchema(missingObjectsRequest) })
  @ApiOkResponse({ schema: openApiSchema(missingObjectsResponse) })
  async missing(
    @Body(new ZodPipe(missingObjectsRequest)) body: MissingObjectsRequest,
  ): Promise<MissingObjectsResponse> {
    return { missing: await this.objects.missing(body.shas) };
  }

  @Post("gc")
  @HttpCode(200)
  @Roles("operator")
  @ApiOperation({
    summary:
      "Remove objects no revision references and older than the grace period (ObjectsCollected)",
  })
  @ApiBody({ schema: openApiSchema(objectGcRequest) })
  @ApiOkResponse({ schema: openApiSchema(objectGcResult) })
  collect(
    @Body(new ZodPipe(objectGcRequest)) body: ObjectGcRequest,
    @Command() ctx: CommandContext,
  ): Promise<ObjectGcResult> {
    return this.gc.collect({
      dryRun: body.dryRun ?? false,
      metadata: metadataOf(ctx),
      record: "always",
    });
  }

  @Put(":sha256")
  @Roles("operator")
  @ApiOperation({ summary: "Upload an object (raw body; 201 stored, 200 already present)" })
  @ApiBody({ schema: { type: "string", format: "binary" } })
  @ApiHeader({
    name: "x-object-size",
    required: false,
    description: "declared size (default: Content-Length)",
  })
  @ApiPathParams(objectIdParams)
  @ApiOkResponse({ schema: openApiSchema(objectStored) })
  async upload(
    @Param(new ZodPipe(objectIdParams)) { sha256 }: ObjectIdParams,
    @Req() request: Request,
    @Res({ passthrough: true }) response: Response,
  ): Promise<ObjectStored> {
    const declared = declaredSize(request);
    let size: number;
    try {
      size = this.objects.admit(sha256, declared);
    } catch (error) {
      if (!(error instanceof ObjectTooLargeError)) throw error;
      response.setHeader("Connection", "close");
      request.resume(); // discard what the client still sends
      throw new PayloadTooLargeException(error.message);
    }
    if (await this.objects.isPresent(sha256)) {
      await finished(request.resume()); // drain the body without storing a second copy
    }
    const result = await this.objects.upload(sha256, size, request);
    response.statusCode = result.created ? 201 : 200;
    return result;
  }

  @Head(":sha256")
  @ApiPathParams(objectIdParams)
  async head(
    @Param(new ZodPipe(objectIdParams)) { sha256 }: ObjectIdParams,
    @Res() response: Response,
  ): Promise<void> {
    const size = await this.objects.size(sha256);
    describeObject(response, sha256).setHeader("Content-Length", size);
    response.statusCode = 200;
    response.end();
  }

  @Get(":sha256")
  @ApiOperation({ summary: "Download an object; honours a single HTTP Range (206/416)" })
  @ApiPathParams(objectIdParams)
  async download(
    @Param(new ZodPipe(objectIdParams)) { sha256 }: ObjectIdParams,
    @Req() request: Request,
    @Res() response: Response,
  ): Promise<void> {
    const size = await this.objects.size(sha256);
    const range = parseByteRange(request.headers.range, size);
    describeObject(response, sha256);
    if (range === "unsatisfiable") {
      response.statusCode = 416;
      response.setHeader("Content-Range", `bytes */${size}`);
      response.end();
      return;
    }
    if (range) {
      response.statusCode = 206;
      response.setHeader("Content-Range", `bytes ${range.start}-${range.end}/${size}`);
      response.setHeader("Content-Length", range.end - range.start + 1);
    } else {
      response.statusCode = 200;
      response.setHeader("Content-Length", size);
    }
    await this.objects.send(sha256, range, response);
  }
}

/** `X-Object-Size` when given (e.g. with chunked bodies), else `Content-Length`. */
function declaredSize(request: Request): number | undefined {
  const given = request.headers["x-object-size"] ?? request.headers["content-length"];
  if (typeof given !== "string") return undefined;
  return /^\d{1,16}$/.test(given) ? Number(given) : undefined;
}

function describeObject(response: Response, sha256: string): Response {
  response.setHeader("Accept-Ranges", "bytes");
  response.setHeader("ETag", `"${sha256}"`);
  response.setHeader("Content-Type", "application/octet-stream");
  return response;
}
