// A bare Kestrel endpoint serving one file and its brotli variant from memory, with the headers the
// host sends for plugin files: what the runtime and Kestrel cost on their own for this request.
// Usage: BareServe <file> <url-path> --urls http://127.0.0.1:PORT (the .br beside the file).
var file = args[0];
var path = args[1];
var plain = File.ReadAllBytes(file);
var br = File.ReadAllBytes(file + ".br");
var etag = "\"" + Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(plain)) + "\"";
var builder = WebApplication.CreateBuilder(args[2..]);
builder.Logging.SetMinimumLevel(LogLevel.Warning); // as the host runs in the bench: no per-request log lines
// As the host ships (HostDefaults): with the hosting category enabled at any level, every request
// also starts a trace activity and a log scope (~900 bytes), which is not the runtime's floor.
builder.Logging.AddFilter("Microsoft.AspNetCore.Hosting.Diagnostics", LogLevel.None);
var app = builder.Build();
app.MapGet(path, (HttpContext http) =>
{
    var headers = http.Response.Headers;
    headers.AccessControlAllowOrigin = "*";
    headers.CacheControl = "public, max-age=31536000, immutable";
    headers.ETag = etag;
    headers.Vary = "Accept-Encoding";
    headers.XContentTypeOptions = "nosniff";
    var body = plain;
    if (http.Request.Headers.AcceptEncoding.ToString().Contains("br", StringComparison.OrdinalIgnoreCase))
    {
        headers.ContentEncoding = "br";
        body = br;
    }

    headers.ContentType = "text/javascript; charset=utf-8";
    headers.ContentLength = body.Length;
    return http.Response.Body.WriteAsync(body).AsTask();
});
app.Run();
