using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Labyrinth.Cli.Tests.Infrastructure;

/// <summary>One request the fake server saw.</summary>
internal sealed record RecordedRequest(string Method, string Path, string Query, string? Authorization, string? ContentType, byte[] Body)
{
    public string BodyText => System.Text.Encoding.UTF8.GetString(Body);
}

/// <summary>A Kestrel server on a free loopback port that records requests and answers with one scripted reply.</summary>
internal sealed class FakeServer : IAsyncDisposable
{
    private readonly WebApplication _app;

    private FakeServer(WebApplication app) => _app = app;

    public List<RecordedRequest> Requests { get; } = [];

    public int Status { get; set; } = 200;

    public string Body { get; set; } = "{}";

    public string ContentType { get; set; } = "application/json";

    /// <summary>Replies for particular paths (status, JSON body); every other path gets <see cref="Status"/> and <see cref="Body"/>.</summary>
    public Dictionary<string, (int Status, string Body)> Routes { get; } = new(StringComparer.Ordinal);

    public Uri Url { get; private set; } = null!;

    public static async Task<FakeServer> StartAsync()
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        builder.Logging.ClearProviders();
        var app = builder.Build();
        var server = new FakeServer(app);
        app.Run(server.HandleAsync);
        await app.StartAsync();
        var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        server.Url = new Uri(address);
        return server;
    }

    private async Task HandleAsync(HttpContext context)
    {
        using var body = new MemoryStream();
        await context.Request.Body.CopyToAsync(body);
        lock (Requests)
        {
            Requests.Add(new RecordedRequest(context.Request.Method, context.Request.Path.Value ?? "", context.Request.QueryString.Value ?? "",
                context.Request.Headers.Authorization.ToString() is { Length: > 0 } auth ? auth : null, context.Request.ContentType, body.ToArray()));
        }

        var (status, reply) = Routes.TryGetValue(context.Request.Path.Value ?? "", out var route) ? route : (Status, Body);
        context.Response.StatusCode = status;
        if (status != 204)
        {
            context.Response.ContentType = ContentType;
            await context.Response.WriteAsync(reply);
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
    }
}
