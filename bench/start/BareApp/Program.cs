// The smallest ASP.NET Core app that answers /healthz: what the runtime and Kestrel cost on their own.
var app = WebApplication.CreateBuilder(args).Build();
app.MapGet("/healthz", () => "ok");
app.Run();
