import type { INestApplication } from "@nestjs/common";
import { DocumentBuilder, SwaggerModule } from "@nestjs/swagger";

/** Serves the OpenAPI document: UI at `/docs`, JSON at `/docs-json`. */
export function setupOpenApi(app: INestApplication): void {
  const config = new DocumentBuilder()
    .setTitle("Statecast orchestrator")
    .setDescription("Operator API: tokens, objects, revisions, trust policies, devices, audit")
    .setVersion("1")
    .addBearerAuth({ type: "http", scheme: "bearer", description: "Statecast API token" })
    .addSecurityRequirements("bearer")
    .build();
  const document = SwaggerModule.createDocument(app, config);
  SwaggerModule.setup("docs", app, document, { jsonDocumentUrl: "docs-json" });
}
