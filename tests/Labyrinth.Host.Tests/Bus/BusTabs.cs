using System.Collections.Concurrent;
using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Labyrinth.Host.Tests.Cards;
using Labyrinth.Testing;
using Microsoft.AspNetCore.Http.Connections;
using Microsoft.AspNetCore.SignalR.Client;

namespace Labyrinth.Host.Tests.Bus;

/// <summary>A person for bus tests: a signed-in client and its session cookie (for hub connections as that person).</summary>
internal sealed class BusPerson(LabyrinthApp app, HttpClient client, BusPerson.CookieJar jar, Guid userId)
{
    public HttpClient Client { get; } = client;

    public Guid UserId { get; } = userId;

    public static async Task<BusPerson> CreateAsync(CardsApp shared)
    {
        var name = "u" + Guid.NewGuid().ToString("N")[..16];
        using (var created = await shared.Admin.PostAsJsonAsync("/api/admin/users", new { userName = name, password = LabyrinthApp.Password, role = "member" }))
        {
            await Expect.StatusAsync(HttpStatusCode.Created, created);
        }

        var jar = new CookieJar();
        var client = shared.App.CreateDefaultClient(jar);
        client.DefaultRequestHeaders.Add("X-Labyrinth-Request", "1");
        using (var login = await client.PostAsJsonAsync("/api/auth/login", new { userName = name, password = LabyrinthApp.Password }))
        {
            await Expect.StatusAsync(HttpStatusCode.OK, login);
        }

        var me = await client.GetJsonAsync("/api/auth/me");
        return new BusPerson(shared.App, client, jar, Guid.Parse(me.GetProperty("id").GetString()!));
    }

    /// <summary>A card of <paramref name="typeID"/> on a new board, with <c>crossCard:pubsub</c> granted unless told otherwise.</summary>
    public async Task<Card> CardAsync(string typeID = "viewer", bool granted = true)
    {
        var card = await CardsApp.CardAsync(Client, typeID);
        if (granted)
        {
            using var response = await card.GrantAsync("crossCard:pubsub");
            await Expect.StatusAsync(HttpStatusCode.OK, response);
        }

        return card;
    }

    /// <summary>A new connection to <c>/hubs/bus</c> as this person: one browser tab.</summary>
    public async Task<BusTab> OpenTabAsync()
    {
        var connection = new HubConnectionBuilder()
            .WithUrl(new Uri(app.Server.BaseAddress, "/hubs/bus"), o =>
            {
                o.Transports = HttpTransportType.LongPolling;
                o.HttpMessageHandlerFactory = _ => app.Server.CreateHandler();
                o.Headers["Cookie"] = jar.Cookie;
            })
            .Build();
        var tab = new BusTab(connection);
        await connection.StartAsync();
        return tab;
    }

    /// <summary>Keeps the session cookie the login set, and sends it with every later request.</summary>
    internal sealed class CookieJar : DelegatingHandler
    {
        private readonly ConcurrentDictionary<string, string> cookies = new(StringComparer.Ordinal);

        public string Cookie => string.Join("; ", cookies.Select(c => $"{c.Key}={c.Value}"));

        protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
        {
            if (!cookies.IsEmpty)
            {
                request.Headers.Add("Cookie", Cookie);
            }

            var response = await base.SendAsync(request, cancellationToken);
            if (response.Headers.TryGetValues("Set-Cookie", out var set))
            {
                foreach (var line in set)
                {
                    var pair = line.Split(';', 2)[0];
                    var eq = pair.IndexOf('=', StringComparison.Ordinal);
                    cookies[pair[..eq]] = pair[(eq + 1)..];
                }
            }

            return response;
        }
    }
}

/// <summary>One hub connection: what the host sent it (events, requests, replies), in arrival order.</summary>
internal sealed class BusTab : IAsyncDisposable
{
    private readonly HubConnection connection;

    public BusTab(HubConnection connection)
    {
        this.connection = connection;
        connection.On<JsonElement>("busEvent", e => Events.Enqueue(e));
        connection.On<JsonElement>("busRequest", e => Requests.Enqueue(e));
        connection.On<JsonElement>("busReply", e => Replies.Enqueue(e));
        connection.On<JsonElement>("apiCall", e => Calls.Enqueue(e));
        connection.On<JsonElement>("apiReply", e => CallReplies.Enqueue(e));
        connection.On<JsonElement>("serviceControl", e => Controls.Enqueue(e));
    }

    /// <summary>Connected until the host (or the test) closes the connection.</summary>
    public HubConnectionState State => connection.State;

    /// <summary>Plugin API calls for this tab's services.</summary>
    public ConcurrentQueue<JsonElement> Calls { get; } = new();

    /// <summary>Outcomes of calls this tab's members made.</summary>
    public ConcurrentQueue<JsonElement> CallReplies { get; } = new();

    public ConcurrentQueue<JsonElement> Controls { get; } = new();

    public Task<JsonElement> JoinServiceAsync(string handle, string pluginId, string version, string serviceId) =>
        connection.InvokeAsync<JsonElement>("Join", handle, new { kind = "service", pluginId, version, serviceId });

    public Task<JsonElement> JoinPageAsync(string handle, string pluginId, string version, string path) =>
        connection.InvokeAsync<JsonElement>("Join", handle, new { kind = "page", pluginId, version, path });

    public Task<JsonElement> CallAsync(string handle, string id, string pluginId, string method, object? input, int? timeoutMs = null) =>
        connection.InvokeAsync<JsonElement>("Call", handle, new { id, pluginId, method, input, timeoutMs });

    public Task<JsonElement> AnswerAsync(string handle, string cid, object? result) =>
        connection.InvokeAsync<JsonElement>("Answer", handle, new { cid, ok = true, result });

    public Task<JsonElement> FailAsync(string handle, string cid, string message) =>
        connection.InvokeAsync<JsonElement>("Answer", handle, new { cid, ok = false, error = new { code = "x", message } });

    public Task<JsonElement> LogAsync(string handle, string level, string message) =>
        connection.InvokeAsync<JsonElement>("Log", handle, level, message);

    public ConcurrentQueue<JsonElement> Events { get; } = new();

    public ConcurrentQueue<JsonElement> Requests { get; } = new();

    public ConcurrentQueue<JsonElement> Replies { get; } = new();

    public Task<JsonElement> JoinAsync(string handle, Card card) =>
        connection.InvokeAsync<JsonElement>("Join", handle, new { kind = "card", boardId = card.BoardId, windowId = card.WindowId });

    public Task<JsonElement> SubscribeAsync(string handle, string sub, string pattern, bool responds = false) =>
        connection.InvokeAsync<JsonElement>("Subscribe", handle, new { sub, pattern, responds });

    public Task<JsonElement> PublishAsync(string handle, string topic, object? payload, string? target = null) =>
        connection.InvokeAsync<JsonElement>("Publish", handle, new { topic, payload, target });

    public Task<JsonElement> RequestAsync(string handle, string id, string topic, object? payload, int? timeoutMs = null) =>
        connection.InvokeAsync<JsonElement>("Request", handle, new { id, topic, payload, timeoutMs });

    public Task<JsonElement> ReplyAsync(string handle, string rid, object? result) =>
        connection.InvokeAsync<JsonElement>("Reply", handle, new { rid, ok = true, result });

    public Task<JsonElement> HistoryAsync(string handle, string pattern, int? limit = null) =>
        connection.InvokeAsync<JsonElement>("History", handle, pattern, limit);

    public Task<JsonElement> ReportAsync(string handle, string reason, int count) =>
        connection.InvokeAsync<JsonElement>("Report", handle, reason, count);

    public Task<JsonElement> NextEventAsync(int count = 1) => NextAsync(Events, count, "bus events");

    public static async Task<JsonElement> NextAsync(ConcurrentQueue<JsonElement> queue, int count, string what)
    {
        await Eventually.ReachAsync(() => Task.FromResult(queue.Count), n => n >= count, $"{count} {what} arrived");
        return queue.ToArray()[count - 1];
    }

    public async ValueTask DisposeAsync() => await connection.DisposeAsync();
}

internal static class BusAcks
{
    public static void Ok(JsonElement ack) =>
        Assert.True(ack.GetProperty("ok").GetBoolean(), $"expected ok, got {ack}");

    public static void Refused(string code, JsonElement ack)
    {
        Assert.False(ack.GetProperty("ok").GetBoolean(), $"expected {code}, got {ack}");
        Assert.Equal(code, ack.GetProperty("code").GetString());
    }
}
