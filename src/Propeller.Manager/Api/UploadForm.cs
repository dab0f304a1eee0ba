using Microsoft.AspNetCore.Http;

namespace Propeller.Manager.Api;

/// <summary>The multipart form of <c>PUT /tasks/{id}/upload</c>, for the OpenAPI document: one <c>.wasm</c> file.</summary>
internal sealed record UploadForm(IFormFile File);
