// Starts Swagger UI on the docs page (/api/docs). Kept out of the HTML because the server's
// Content-Security-Policy allows no inline script.
window.addEventListener('DOMContentLoaded', () => {
  window.ui = window.SwaggerUIBundle({
    url: '/api/openapi.json',
    dom_id: '#swagger-ui',
    deepLinking: true,
    // BaseLayout needs no standalone preset (no top bar that would let people load other specs).
    presets: [window.SwaggerUIBundle.presets.apis],
    layout: 'BaseLayout',
    // The online validator badge would load an image from another site.
    validatorUrl: null,
    displayOperationId: true,
    docExpansion: 'list',
    defaultModelsExpandDepth: 0,
    tryItOutEnabled: false,
    // Keep the bearer token only for this tab.
    persistAuthorization: false,
  });
});
