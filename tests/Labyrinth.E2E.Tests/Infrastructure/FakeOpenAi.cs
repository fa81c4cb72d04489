using System.Collections.Concurrent;
using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Labyrinth.E2E.Tests.Infrastructure;

/// <summary>One request the fake saw.</summary>
public sealed record FakeOpenAiRequest(string Method, string Path, string? Authorization, string Body);

/// <summary>
/// A tiny OpenAI-compatible server on 127.0.0.1 and a random port, in-process: `POST
/// /v1/chat/completions` (streamed as SSE one token at a time with a pause between tokens, or
/// one JSON answer) and `GET /v1/models`. It answers 401 unless the Authorization header is
/// `Bearer <key>`, and records every request so tests can check what the broker sent.
/// </summary>
public sealed class FakeOpenAi : IAsyncDisposable
{
    public static readonly string[] Tokens = ["Hello", " from", " the", " fake", " upstream."];

    private readonly WebApplication _app;
    private readonly ConcurrentQueue<FakeOpenAiRequest> _requests = new();

    private FakeOpenAi(WebApplication app, string key)
    {
        _app = app;
        Key = key;
    }

    public string Key { get; }

    /// <summary>`http://127.0.0.1:<port>/v1`: what the admin types as the service's base URL.</summary>
    public string BaseUrl { get; private set; } = "";

    public IReadOnlyCollection<FakeOpenAiRequest> Requests => _requests.ToArray();

    public static string FullReply => string.Concat(Tokens);

    public static async Task<FakeOpenAi> StartAsync(string key, TimeSpan? tokenDelay = null)
    {
        var delay = tokenDelay ?? TimeSpan.FromMilliseconds(250);
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        builder.Logging.ClearProviders();
        var app = builder.Build();
        var fake = new FakeOpenAi(app, key);

        app.MapPost("/v1/chat/completions", async (HttpContext ctx) =>
        {
            var body = await new StreamReader(ctx.Request.Body).ReadToEndAsync(ctx.RequestAborted);
            fake.Record(ctx, body);
            if (!fake.Authorized(ctx))
            {
                return Results.Json(new { error = new { message = "Incorrect API key provided.", type = "invalid_request_error" } }, statusCode: 401);
            }

            using var doc = JsonDocument.Parse(body);
            var stream = doc.RootElement.TryGetProperty("stream", out var s) && s.ValueKind == JsonValueKind.True;
            if (!stream)
            {
                return Results.Json(new { id = "chatcmpl-fake", @object = "chat.completion", choices = new[] { new { index = 0, message = new { role = "assistant", content = FullReply }, finish_reason = "stop" } } });
            }

            ctx.Response.ContentType = "text/event-stream";
            ctx.Response.Headers.CacheControl = "no-cache";
            ctx.Response.Headers["Set-Cookie"] = "upstream_session=leak; Path=/";
            foreach (var token in Tokens)
            {
                var chunk = JsonSerializer.Serialize(new { id = "chatcmpl-fake", @object = "chat.completion.chunk", choices = new[] { new { index = 0, delta = new { content = token } } } });
                await ctx.Response.WriteAsync($"data: {chunk}\n\n", ctx.RequestAborted);
                await ctx.Response.Body.FlushAsync(ctx.RequestAborted);
                await Task.Delay(delay, ctx.RequestAborted);
            }

            await ctx.Response.WriteAsync("data: [DONE]\n\n", ctx.RequestAborted);
            return Results.Empty;
        });
        app.MapGet("/v1/models", (HttpContext ctx) =>
        {
            fake.Record(ctx, "");
            return fake.Authorized(ctx)
                ? Results.Json(new { @object = "list", data = new[] { new { id = "gpt-4o-mini", @object = "model" } } })
                : Results.Json(new { error = new { message = "Incorrect API key provided." } }, statusCode: 401);
        });

        await app.StartAsync();
        var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        fake.BaseUrl = address.TrimEnd('/') + "/v1";
        return fake;
    }

    private bool Authorized(HttpContext ctx) => ctx.Request.Headers.Authorization.ToString() == "Bearer " + Key;

    private void Record(HttpContext ctx, string body) =>
        _requests.Enqueue(new(ctx.Request.Method, ctx.Request.Path.Value ?? "", ctx.Request.Headers.Authorization.FirstOrDefault(), body));

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
    }
}
