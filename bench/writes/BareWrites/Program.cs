// The floor under the host's card-state PUT: the same route shape, the same body ({"payload": …},
// parsed and capped the same way) and the same upsert (WAL + synchronous=FULL, one transaction per
// write, RETURNING the version) on the same runtime, with nothing else: no auth, no CSRF, no card
// check, no EF. The host's cost over this is its own request path.
//
//   BareWrites --urls http://127.0.0.1:PORT --db <file>
using System.Text.Json;
using Microsoft.Data.Sqlite;

var builder = WebApplication.CreateSlimBuilder(args);
builder.Logging.ClearProviders();
var app = builder.Build();
var file = app.Configuration["db"] ?? throw new ArgumentException("--db <file>");

var connection = new SqliteConnection($"Data Source={file};Pooling=False");
connection.Open();
using (var setup = connection.CreateCommand())
{
    setup.CommandText = "PRAGMA journal_mode=WAL; PRAGMA synchronous=FULL; " +
                        "CREATE TABLE IF NOT EXISTS CardPayloads (BoardId TEXT NOT NULL, WindowId TEXT NOT NULL, PayloadJson TEXT NOT NULL, Version INTEGER NOT NULL, UpdatedAt TEXT NOT NULL, PRIMARY KEY (BoardId, WindowId));";
    setup.ExecuteNonQuery();
}

var upsert = connection.CreateCommand();
upsert.CommandText = "INSERT INTO CardPayloads VALUES ($b, $w, $p, 1, $t) ON CONFLICT (BoardId, WindowId) DO UPDATE SET PayloadJson = excluded.PayloadJson, Version = Version + 1, UpdatedAt = excluded.UpdatedAt RETURNING Version";
var b = upsert.Parameters.Add("$b", SqliteType.Text);
var w = upsert.Parameters.Add("$w", SqliteType.Text);
var p = upsert.Parameters.Add("$p", SqliteType.Text);
var t = upsert.Parameters.Add("$t", SqliteType.Text);
upsert.Prepare();
var select = connection.CreateCommand();
select.CommandText = "SELECT PayloadJson, Version FROM CardPayloads WHERE BoardId = $b AND WindowId = $w";
var sb = select.Parameters.Add("$b", SqliteType.Text);
var sw = select.Parameters.Add("$w", SqliteType.Text);
var gate = new Lock();

app.MapPut("/api/cards/{boardId:guid}/{windowId}/payload", async (Guid boardId, string windowId, HttpRequest request) =>
{
    using var buffer = new MemoryStream();
    await request.Body.CopyToAsync(buffer);
    if (buffer.Length > 64 * 1024 + 64)
    {
        return Results.StatusCode(413);
    }

    string payload;
    using (var doc = JsonDocument.Parse(buffer.GetBuffer().AsMemory(0, (int)buffer.Length), new JsonDocumentOptions { MaxDepth = 64 }))
    {
        if (!doc.RootElement.TryGetProperty("payload", out var element))
        {
            return Results.BadRequest();
        }

        payload = element.GetRawText();
    }

    long version;
    lock (gate)
    {
        using var tx = connection.BeginTransaction();
        upsert.Transaction = tx;
        b.Value = boardId.ToString();
        w.Value = windowId;
        p.Value = payload;
        t.Value = DateTime.UtcNow.ToString("yyyy-MM-dd HH:mm:ss.FFFFFFF");
        version = (long)upsert.ExecuteScalar()!;
        tx.Commit();
    }

    return Results.Json(new { version });
});

app.MapGet("/api/cards/{boardId:guid}/{windowId}/payload", (Guid boardId, string windowId) =>
{
    lock (gate)
    {
        select.Transaction = null;
        sb.Value = boardId.ToString();
        sw.Value = windowId;
        using var reader = select.ExecuteReader();
        if (!reader.Read())
        {
            return Results.Json(new { payload = (JsonElement?)null, version = 0L });
        }

        using var doc = JsonDocument.Parse(reader.GetString(0));
        return Results.Json(new { payload = doc.RootElement.Clone(), version = reader.GetInt64(1) });
    }
});

app.Run();
