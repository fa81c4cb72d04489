using System.Collections.Concurrent;
using System.Globalization;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Labyrinth.FakeUpstream;

/// <summary>What the fake saw, for assertions: the last request's headers and a few counters.</summary>
public sealed class FakeUpstreamState
{
    private volatile IReadOnlyDictionary<string, string> lastHeaders = new Dictionary<string, string>();
    private int requests;

    public FakeUpstreamState(string expectedKey)
    {
        ArgumentException.ThrowIfNullOrEmpty(expectedKey);
        ExpectedKey = expectedKey;
    }

    public string ExpectedKey { get; }

    /// <summary>Headers of the last request (names lower-case).</summary>
    public IReadOnlyDictionary<string, string> LastHeaders => lastHeaders;

    public string? LastPathAndQuery { get; private set; }

    public string? LastMethod { get; private set; }

    public int RequestCount => requests;

    /// <summary>Every path (with query) requested, in order.</summary>
    public ConcurrentQueue<string> Paths { get; } = new();

    /// <summary>Completes when a client abandons <c>/v1/test/endless</c> (the broker cancelled the upstream stream).</summary>
    public TaskCompletionSource EndlessAborted { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

    /// <summary>Per <c>?id=</c> of <c>/v1/test/endless</c>: completes when that stream was abandoned.</summary>
    public TaskCompletionSource EndlessAbortedFor(string id) =>
        endlessById.GetOrAdd(id, _ => new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously));

    private readonly ConcurrentDictionary<string, TaskCompletionSource> endlessById = new(StringComparer.Ordinal);

    /// <summary>Completes when <c>/v1/test/endless</c> has started streaming.</summary>
    public TaskCompletionSource EndlessStarted { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

    /// <summary>Delay between streamed chat chunks.</summary>
    public TimeSpan ChunkDelay { get; set; } = TimeSpan.FromMilliseconds(15);

    internal void Record(HttpRequest request)
    {
        lastHeaders = request.Headers.ToDictionary(h => h.Key.ToLowerInvariant(), h => h.Value.ToString(), StringComparer.Ordinal);
        LastMethod = request.Method;
        LastPathAndQuery = request.Path + request.QueryString;
        Paths.Enqueue(LastPathAndQuery);
        Interlocked.Increment(ref requests);
    }
}

/// <summary>A running fake; dispose to stop it.</summary>
public sealed class RunningFakeUpstream(WebApplication app, FakeUpstreamState state, Uri address) : IAsyncDisposable
{
    public FakeUpstreamState State { get; } = state;

    /// <summary>e.g. http://127.0.0.1:41234</summary>
    public Uri Address { get; } = address;

    /// <summary>The OpenAI-style base URL, e.g. http://127.0.0.1:41234/v1</summary>
    public string BaseUrl => Address.ToString().TrimEnd('/') + "/v1";

    public async ValueTask DisposeAsync()
    {
        await app.StopAsync();
        await app.DisposeAsync();
    }
}

/// <summary>
/// An OpenAI-compatible fake: <c>GET /v1/models</c>, <c>POST /v1/chat/completions</c> (JSON, or SSE
/// <c>data: {...}</c> chunks and <c>data: [DONE]</c> when <c>stream: true</c>). Every <c>/v1</c> route
/// requires <c>Authorization: Bearer &lt;key&gt;</c> (401 otherwise). <c>/v1/test/*</c> routes exist
/// for the broker's tests: redirects, cookies, large and endless bodies, slow answers, echoes.
/// </summary>
public static class FakeUpstreamServer
{
    /// <summary>Starts on 127.0.0.1 with a random port (for tests and the benchmark).</summary>
    public static async Task<RunningFakeUpstream> StartAsync(string key, string urls = "http://127.0.0.1:0")
    {
        var state = new FakeUpstreamState(key);
        var app = Build(["--urls", urls], state);
        await app.StartAsync();
        var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        return new RunningFakeUpstream(app, state, new Uri(address));
    }

    public static WebApplication Build(string[] args, FakeUpstreamState state)
    {
        ArgumentNullException.ThrowIfNull(state);
        var builder = WebApplication.CreateSlimBuilder(args);
        builder.Logging.ClearProviders();
        builder.Logging.AddSimpleConsole().SetMinimumLevel(LogLevel.Warning);
        builder.Services.AddSingleton(state);
        var app = builder.Build();

        app.Use(async (context, next) =>
        {
            state.Record(context.Request);
            if (context.Request.Path.StartsWithSegments("/v1") &&
                !string.Equals(context.Request.Headers.Authorization.ToString(), "Bearer " + state.ExpectedKey, StringComparison.Ordinal))
            {
                context.Response.StatusCode = StatusCodes.Status401Unauthorized;
                context.Response.Headers.WWWAuthenticate = "Bearer";
                await context.Response.WriteAsJsonAsync(new { error = new { message = "Incorrect API key provided.", type = "invalid_request_error", code = "invalid_api_key" } });
                return;
            }

            await next(context);
        });

        app.MapGet("/", () => Results.Text("Labyrinth fake upstream (OpenAI-compatible). Try GET /v1/models with Authorization: Bearer <key>.\n"));
        app.MapGet("/v1/models", () => Results.Json(new
        {
            @object = "list",
            data = new[] { new { id = "fake-gpt", @object = "model", created = 1_700_000_000, owned_by = "labyrinth" } },
        }));
        app.MapPost("/v1/chat/completions", ChatAsync);

        app.MapGet("/v1/test/redirect", (string to) => Results.Redirect(to));
        app.MapPost("/v1/test/redirect", (string to, int? code) =>
        {
            return Results.Redirect(to, permanent: code is 308, preserveMethod: code is 307 or 308);
        });
        app.MapGet("/v1/test/cookie", (HttpContext http) =>
        {
            http.Response.Headers.SetCookie = "session=upstream-cookie; Path=/; HttpOnly";
            http.Response.Headers.WWWAuthenticate = "Bearer realm=\"x\"";
            http.Response.Headers["X-Request-Id"] = "req-123";
            http.Response.Headers["Server"] = "fake";
            http.Response.Headers["openai-processing-ms"] = "7";
            return Results.Json(new { ok = true });
        });
        app.MapGet("/v1/test/bytes", (int n) => Results.Text(new string('a', n), "text/plain"));
        app.MapGet("/v1/test/stream-bytes", async (HttpContext http, int n, CancellationToken ct) =>
        {
            http.Response.ContentType = "text/plain";
            var chunk = Encoding.ASCII.GetBytes(new string('b', 1024));
            for (var sent = 0; sent < n; sent += chunk.Length)
            {
                await http.Response.Body.WriteAsync(chunk.AsMemory(0, Math.Min(chunk.Length, n - sent)), ct);
                await http.Response.Body.FlushAsync(ct);
            }
        });
        app.MapGet("/v1/test/endless", EndlessAsync);
        app.MapGet("/v1/test/slow", async (int ms, CancellationToken ct) =>
        {
            await Task.Delay(ms, ct);
            return Results.Json(new { ok = true });
        });
        app.MapMethods("/v1/test/echo", ["GET", "POST", "PUT", "PATCH", "DELETE"], (Delegate)EchoAsync);

        // Outside /v1, so no Authorization is required: for services that put the key in the query.
        app.MapMethods("/open/echo", ["GET", "POST"], (Delegate)EchoAsync);
        return app;
    }

    private static async Task<IResult> EchoAsync(HttpContext http)
    {
        using var reader = new StreamReader(http.Request.Body);
        var body = await reader.ReadToEndAsync();
        return Results.Json(new
        {
            method = http.Request.Method,
            path = http.Request.Path.Value,
            query = http.Request.QueryString.Value,
            headers = http.Request.Headers.ToDictionary(h => h.Key.ToLowerInvariant(), h => h.Value.ToString()),
            body,
        });
    }

    private static async Task EndlessAsync(HttpContext http, FakeUpstreamState state, string? id)
    {
        http.Response.ContentType = "text/event-stream";
        void Aborted()
        {
            state.EndlessAborted.TrySetResult();
            if (id is not null)
            {
                state.EndlessAbortedFor(id).TrySetResult();
            }
        }

        using var registration = http.RequestAborted.Register(Aborted);
        state.EndlessStarted.TrySetResult();
        try
        {
            for (var i = 0; !http.RequestAborted.IsCancellationRequested; i++)
            {
                await http.Response.WriteAsync($"data: tick {i}\n\n", http.RequestAborted);
                await http.Response.Body.FlushAsync(http.RequestAborted);
                await Task.Delay(20, http.RequestAborted);
            }
        }
        catch (OperationCanceledException)
        {
            Aborted();
        }
        catch (IOException)
        {
            Aborted();
        }
    }

    private static async Task ChatAsync(HttpContext http, FakeUpstreamState state)
    {
        JsonNode? body;
        try
        {
            body = await JsonNode.ParseAsync(http.Request.Body, cancellationToken: http.RequestAborted);
        }
        catch (JsonException)
        {
            body = null;
        }

        if (body is not JsonObject request || request["messages"] is not JsonArray messages)
        {
            http.Response.StatusCode = StatusCodes.Status400BadRequest;
            await http.Response.WriteAsJsonAsync(new { error = new { message = "messages is required.", type = "invalid_request_error" } });
            return;
        }

        var model = request["model"]?.GetValue<string>() ?? "fake-gpt";
        var lastUser = messages.OfType<JsonObject>().LastOrDefault(m => m["role"]?.GetValue<string>() == "user")?["content"]?.ToString() ?? "";
        var reply = $"Hello from the fake upstream! You said: {lastUser}";
        var created = DateTimeOffset.UtcNow.ToUnixTimeSeconds();
        var stream = request["stream"]?.GetValueKind() == JsonValueKind.True;
        if (!stream)
        {
            await http.Response.WriteAsJsonAsync(new
            {
                id = "chatcmpl-fake",
                @object = "chat.completion",
                created,
                model,
                choices = new[] { new { index = 0, message = new { role = "assistant", content = reply }, finish_reason = "stop" } },
                usage = new { prompt_tokens = lastUser.Length, completion_tokens = reply.Length, total_tokens = lastUser.Length + reply.Length },
            });
            return;
        }

        http.Response.ContentType = "text/event-stream";
        http.Response.Headers.CacheControl = "no-cache";
        var words = reply.Split(' ');
        for (var i = 0; i < words.Length; i++)
        {
            var delta = i == 0 ? new JsonObject { ["role"] = "assistant", ["content"] = words[i] } : new JsonObject { ["content"] = " " + words[i] };
            await WriteEventAsync(http, Chunk(model, created, delta, null));
            if (state.ChunkDelay > TimeSpan.Zero)
            {
                await Task.Delay(state.ChunkDelay, http.RequestAborted);
            }
        }

        await WriteEventAsync(http, Chunk(model, created, new JsonObject(), "stop"));
        await http.Response.WriteAsync("data: [DONE]\n\n", http.RequestAborted);
        await http.Response.Body.FlushAsync(http.RequestAborted);
    }

    private static JsonObject Chunk(string model, long created, JsonObject delta, string? finish) => new()
    {
        ["id"] = "chatcmpl-fake",
        ["object"] = "chat.completion.chunk",
        ["created"] = created,
        ["model"] = model,
        ["choices"] = new JsonArray(new JsonObject { ["index"] = 0, ["delta"] = delta, ["finish_reason"] = finish }),
    };

    private static async Task WriteEventAsync(HttpContext http, JsonObject chunk)
    {
        await http.Response.WriteAsync("data: " + chunk.ToJsonString() + "\n\n", http.RequestAborted);
        await http.Response.Body.FlushAsync(http.RequestAborted);
    }
}

/// <summary>
/// <c>dotnet run --project tests/Labyrinth.FakeUpstream -- --urls http://127.0.0.1:5099 --key sk-test</c>
/// (<c>--chunk-delay-ms 15</c> paces streamed replies).
/// </summary>
public static class FakeUpstreamProgram
{
    public static async Task Main(string[] args)
    {
        var key = Arg(args, "--key") ?? Environment.GetEnvironmentVariable("FAKE_UPSTREAM_KEY") ?? "sk-test";
        var state = new FakeUpstreamState(key);
        if (Arg(args, "--chunk-delay-ms") is { } delay)
        {
            state.ChunkDelay = TimeSpan.FromMilliseconds(int.Parse(delay, CultureInfo.InvariantCulture));
        }

        var app = FakeUpstreamServer.Build(args.Where((_, i) => !IsOwnArg(args, i)).ToArray(), state);
        app.Lifetime.ApplicationStarted.Register(() =>
            Console.WriteLine($"Fake upstream listening on {string.Join(", ", app.Urls)}; base URL <address>/v1; key set ({key.Length} characters)."));
        await app.RunAsync();
    }

    private static string? Arg(string[] args, string name)
    {
        var i = Array.IndexOf(args, name);
        return i >= 0 && i + 1 < args.Length ? args[i + 1] : null;
    }

    private static bool IsOwnArg(string[] args, int i) =>
        args[i] is "--key" or "--chunk-delay-ms" || (i > 0 && args[i - 1] is "--key" or "--chunk-delay-ms");
}
