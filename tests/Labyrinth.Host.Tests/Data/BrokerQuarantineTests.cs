using System.Buffers.Binary;
using System.Text.Json;
using Labyrinth.Core.Audit;
using Labyrinth.Host.Data;
using Labyrinth.Host.Features.Audit;
using Labyrinth.Host.Features.Broker;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace Labyrinth.Host.Tests.Data;

/// <summary>
/// One broker call whose rows the database refuses must neither be lost nor hold the calls behind
/// it: the good rows of its batch are written in order, the refused one quarantined (escaped, the
/// originals in its audit entry), the chain verifies, and later calls are written. A failure the
/// database gets over is still retried with nothing lost. Rows are queued straight into the
/// recorder, past the broker's own checks, as a value that slipped through them would be. Here
/// rather than under Broker so the PostgreSQL pass of the suite runs them too: what each engine
/// refuses is the point. SQLite takes a NUL, so there a trigger plays the engine refusing a value.
/// </summary>
public sealed class BrokerQuarantineTests
{
    private static readonly Dictionary<string, string?> OneBatch = new()
    {
        ["Labyrinth:ExamplePluginsDir"] = "",
        ["Labyrinth:InstallTestPlugins"] = null,
        // Every row queued by a test joins the same batch.
        ["Labyrinth:Broker:BatchWindowMilliseconds"] = "1000",
    };

    [Fact]
    public async Task BrokerRecords_OnePoisonedRowInABatch_GoodRowsInOrderPoisonedQuarantinedLaterCallsWritten()
    {
        await using var app = new LabyrinthApp(OneBatch);
        var recorder = app.Services.GetRequiredService<BrokerRecorder>(); // started: the schema exists
        // PostgreSQL refuses a NUL in text; on SQLite a trigger refuses a control character.
        var poison = TestDatabase.IsPostgres ? "/p/4\0" : "/p/4\u0001";
        if (!TestDatabase.IsPostgres)
        {
            app.RunSql("CREATE TRIGGER poison BEFORE INSERT ON NetworkLog WHEN instr(NEW.Path, char(1)) > 0 BEGIN SELECT RAISE(ABORT, 'refused'); END");
        }

        var board = Guid.NewGuid();
        var secret = Guid.NewGuid();
        var paths = Enumerable.Range(0, 10).Select(i => i == 4 ? poison : "/p/" + i).ToList();
        await WrittenAsync(recorder, paths.Select(p => Row(board, p, secret)).ToArray());
        await WrittenAsync(recorder, Row(board, "/p/after", secret));

        var rows = await LogRowsAsync(app, board);
        var escaped = TestDatabase.IsPostgres ? "/p/4\\u0000" : "/p/4\\u0001";
        Assert.Equal([.. paths.Select(p => p == poison ? escaped : p), "/p/after"], rows.Select(r => r.Path));
        Assert.Equal(["broker.record_quarantined"], rows.Where(r => r.Error is not null).Select(r => r.Error));
        Assert.Equal(escaped, rows.Single(r => r.Error is not null).Path);

        var audit = await AuditAsync(app);
        var chain = AuditChain.Verify(audit);
        Assert.True(chain.IsValid, chain.Message);
        Assert.Equal(11, audit.Count(a => a.Action == "secret.use" && a.DetailJson.Contains(board.ToString(), StringComparison.Ordinal)));
        var quarantined = JsonDocument.Parse(Assert.Single(audit, a => a.Action == "broker.record_quarantined").DetailJson).RootElement;
        Assert.StartsWith(TestDatabase.IsPostgres ? "postgres:22" : "sqlite:", quarantined.GetProperty("reason").GetString(), StringComparison.Ordinal);
        Assert.Equal("escaped", quarantined.GetProperty("networkLogRow").GetString());
        Assert.Equal(poison, Decode(quarantined.GetProperty("originalUtf16Base64").GetProperty("path").GetString()!));

        // One log line, naming ids and the engine's code, never the refused value.
        var logged = app.Logs.Entries.Where(e => e.Message.Contains("written quarantined", StringComparison.Ordinal)).ToList();
        Assert.Contains(board.ToString(), Assert.Single(logged).Message, StringComparison.Ordinal);
        Assert.DoesNotContain("/p/4", logged[0].Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task BrokerRecords_RowRefusedEvenEscaped_AuditEntriesKeepTheCallAndLaterCallsWritten()
    {
        await using var app = new LabyrinthApp(OneBatch);
        var recorder = app.Services.GetRequiredService<BrokerRecorder>(); // started: the schema exists
        // A refusal escaping cannot cure: a rule on a number.
        app.RunSql(TestDatabase.IsPostgres
            ? "ALTER TABLE NetworkLog ADD CONSTRAINT status_not_599 CHECK (Status <> 599)"
            : "CREATE TRIGGER refuse599 BEFORE INSERT ON NetworkLog WHEN NEW.Status = 599 BEGIN SELECT RAISE(ABORT, 'refused'); END");

        var board = Guid.NewGuid();
        var secret = Guid.NewGuid();
        await WrittenAsync(recorder, Row(board, "/p/0", secret), Row(board, "/p/1", secret) with { Status = 599 }, Row(board, "/p/2", secret));
        await WrittenAsync(recorder, Row(board, "/p/after", secret));

        Assert.Equal(["/p/0", "/p/2", "/p/after"], (await LogRowsAsync(app, board)).Select(r => r.Path));
        var audit = await AuditAsync(app);
        var chain = AuditChain.Verify(audit);
        Assert.True(chain.IsValid, chain.Message);
        var quarantined = JsonDocument.Parse(Assert.Single(audit, a => a.Action == "broker.record_quarantined").DetailJson).RootElement;
        Assert.StartsWith("not written: ", quarantined.GetProperty("networkLogRow").GetString(), StringComparison.Ordinal);
        Assert.Equal(599, quarantined.GetProperty("status").GetInt32());
        Assert.Equal("/p/1", quarantined.GetProperty("path").GetString());
        var uses = audit.Where(a => a.Action == "secret.use" && a.DetailJson.Contains(board.ToString(), StringComparison.Ordinal)).ToList();
        Assert.Equal(4, uses.Count);
        Assert.True(JsonDocument.Parse(uses[1].DetailJson).RootElement.GetProperty("quarantined").GetBoolean());
        // The other calls' entries keep the shape they always had.
        Assert.All(uses.Where((_, i) => i != 1), u => Assert.False(JsonDocument.Parse(u.DetailJson).RootElement.TryGetProperty("quarantined", out _), u.DetailJson));
    }

    [Fact]
    public async Task BrokerRecords_DatabaseFailsForAWhile_BatchIsKeptRetriedAndWrittenWhole()
    {
        await using var app = new LabyrinthApp(OneBatch);
        var recorder = app.Services.GetRequiredService<BrokerRecorder>(); // started: the schema exists
        // Every insert into NetworkLog fails while the table its trigger reads is missing: not a
        // refusal of any row, so nothing may be split off or quarantined.
        app.RunSql("CREATE TABLE Jam (X INTEGER)");
        app.RunSql(TestDatabase.IsPostgres
            ? "CREATE FUNCTION jam() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN PERFORM X FROM Jam; RETURN NEW; END $$"
            : "CREATE TRIGGER jam BEFORE INSERT ON NetworkLog BEGIN SELECT X FROM Jam; END");
        if (TestDatabase.IsPostgres)
        {
            app.RunSql("CREATE TRIGGER jam BEFORE INSERT ON NetworkLog FOR EACH ROW EXECUTE FUNCTION jam()");
        }

        app.RunSql("DROP TABLE Jam");
        var board = Guid.NewGuid();
        var secret = Guid.NewGuid();
        Queue(recorder, Row(board, "/p/0", secret), Row(board, "/p/1", secret), Row(board, "/p/2", secret));

        await Eventually.TrueAsync(() => app.Logs.Entries.Any(e => e.Message.Contains("kept, retrying", StringComparison.Ordinal)), "the writer failed and kept the batch");
        Assert.Equal(3, recorder.Pending);

        app.RunSql("CREATE TABLE Jam (X INTEGER)");
        await Eventually.TrueAsync(() => recorder.Pending == 0, "the kept batch was written once the database took it");
        Assert.Equal(["/p/0", "/p/1", "/p/2"], (await LogRowsAsync(app, board)).Select(r => r.Path));
        Assert.All(await LogRowsAsync(app, board), r => Assert.Null(r.Error));
        var audit = await AuditAsync(app);
        Assert.DoesNotContain(audit, a => a.Action == "broker.record_quarantined");
        Assert.Equal(3, audit.Count(a => a.Action == "secret.use" && a.DetailJson.Contains(board.ToString(), StringComparison.Ordinal)));
        var chain = AuditChain.Verify(audit);
        Assert.True(chain.IsValid, chain.Message);
    }

    private static BrokerRecord Row(Guid board, string path, Guid secret) =>
        new(DateTime.UtcNow, board, "w1", Guid.NewGuid(), "member", "dev.test.netcard", "net", "fake", "GET", path, 200, 0, 12, 1.5, null, secret, "shared", "h1");

    private static void Queue(BrokerRecorder recorder, params BrokerRecord[] rows)
    {
        foreach (var row in rows)
        {
            Assert.True(recorder.TryAdmit());
            Assert.True(recorder.Record(row));
        }
    }

    private static async Task WrittenAsync(BrokerRecorder recorder, params BrokerRecord[] rows)
    {
        Queue(recorder, rows);
        await Eventually.TrueAsync(() => recorder.Pending == 0, "every queued call's rows were written");
    }

    private static async Task<List<NetworkLogEntity>> LogRowsAsync(LabyrinthApp app, Guid board)
    {
        await using var scope = app.Services.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<LabyrinthDb>();
        return await db.NetworkLog.AsNoTracking().Where(l => l.BoardId == board).OrderBy(l => l.Id).ToListAsync();
    }

    private static async Task<List<AuditEntry>> AuditAsync(LabyrinthApp app)
    {
        await using var scope = app.Services.CreateAsyncScope();
        return await scope.ServiceProvider.GetRequiredService<AuditLog>().ReadAllAsync(CancellationToken.None);
    }

    private static string Decode(string base64)
    {
        var bytes = Convert.FromBase64String(base64);
        var chars = new char[bytes.Length / 2];
        for (var i = 0; i < chars.Length; i++)
        {
            chars[i] = (char)BinaryPrimitives.ReadUInt16LittleEndian(bytes.AsSpan(i * 2));
        }

        return new string(chars);
    }
}
