import type { INestApplication } from "@nestjs/common";
import type { NestExpressApplication } from "@nestjs/platform-express";
import { DocumentBuilder, SwaggerModule } from "@nestjs/swagger";
import { checkJsonShape } from "@statecast/platform";
import { serveConsole } from "../console/serve-console.js";

// Posted states are JSON bodies; real ones reach a few hundred KiB (Express's default is 100 KiB).
export const JSON_BODY_LIMIT = "16mb";

/**
 * App-level HTTP setup of the operator API, run before listening: the JSON body limits (16 MiB,
 * nesting 32, 20,000 entries per object or array: JSON_SHAPE_LIMITS), the OpenAPI document (UI
 * at `/docs`, JSON at `/docs-json`), and the web console at `/console/`.
 */
export function configureOperatorApi(app: INestApplication): void {
  // Depth and width are checked on the raw bytes, before parsing and contract validation.
  (app as NestExpressApplication).useBodyParser("json", {
    limit: JSON_BODY_LIMIT,
    verify: (_req: unknown, _res: unknown, raw: Buffer) => checkJsonShape(raw),
  });
  const config = new DocumentBuilder()
    .setTitle("Statecast orchestrator")
    .setDescription("Operator API: tokens, objects, revisions, trust policies, devices, audit")
    .setVersion("1")
    .addBearerAuth({ type: "http", scheme: "bearer", description: "Statecast API token" })
    .addSecurityRequirements("bearer")
    .build();
  const document = SwaggerModule.createDocument(app, config);
  SwaggerModule.setup("docs", app, document, { jsonDocumentUrl: "docs-json" });
  serveConsole(app);
}
