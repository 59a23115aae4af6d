/* The OpenAPI page: Swagger UI (vendored) on this server's generated schema. */
"use strict";
window.ui = SwaggerUIBundle({ url: "/api/v1/openapi.json", dom_id: "#swagger-ui", deepLinking: true });
