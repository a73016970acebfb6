import type { ServerResponse as Response } from "node:http";
import { pipeline } from "node:stream/promises";
import { Controller, Get, Headers, Inject, Param, Res } from "@nestjs/common";
import { RangeNotSatisfiable } from "./byte-range.js";
import { DeviceObjectsService } from "./device-objects.service.js";

@Controller("v1/device-objects")
export class DeviceObjectsController {
  constructor(@Inject(DeviceObjectsService) private readonly objects: DeviceObjectsService) {}

  /** The object, or the requested byte range of it (206): a cut download resumes from an offset. */
  @Get(":sha")
  async get(
    @Param("sha") sha: string,
    @Headers("authorization") authorization: string | undefined,
    @Headers("range") range: string | undefined,
    @Res() res: Response,
  ): Promise<void> {
    const token = authorization?.startsWith("Bearer ") ? authorization.slice(7).trim() : undefined;
    try {
      const { size, span, body } = await this.objects.read(sha, token, range);
      res.setHeader("Accept-Ranges", "bytes");
      res.setHeader("Content-Type", "application/octet-stream");
      if (span) {
        res.statusCode = 206;
        res.setHeader("Content-Range", `bytes ${span.start}-${span.end}/${size}`);
        res.setHeader("Content-Length", String(span.end - span.start + 1));
      } else {
        res.setHeader("Content-Length", String(size));
      }
      // pipeline, not pipe: a client that goes away mid-download destroys the file stream too
      // (pipe left it open: one file descriptor leaked per aborted download).
      await pipeline(body, res).catch(() => undefined);
    } catch (error) {
      if (!(error instanceof RangeNotSatisfiable)) throw error;
      res.statusCode = 416;
      res.setHeader("Content-Type", "application/json");
      const body = { statusCode: 416, error: "range_not_satisfiable", message: error.message };
      res.end(JSON.stringify(body));
    }
  }
}
