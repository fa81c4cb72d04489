using Labyrinth.Core.Messaging;
using Labyrinth.Host.Features.Audit;
using Labyrinth.Host.Features.Broker;
using Labyrinth.Host.Features.Cards;
using Labyrinth.Host.Infrastructure;
using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Npgsql;

namespace Labyrinth.Host.Tests.Data;

/// <summary>
/// What the audit trail's writers take as storable, how they escape what is not, and which
/// database failures they treat as a refusal of a row (split it off) rather than a passing
/// failure (keep everything, retry).
/// </summary>
public sealed class AuditTextTests
{
    [Fact]
    public void Storable_CleanValue_IsTheSameString()
    {
        const string Clean = "/v1/models/gpt-4o é 😀";
        Assert.Same(Clean, AuditText.Storable(Clean));
    }

    [Fact]
    public void Storable_NulControlLoneSurrogateAndBackslash_AreEscaped()
    {
        Assert.Equal("a\\u0000b\\u0001c\\ud800d\\u005ce😀", AuditText.Storable("a\0b\u0001c\ud800d\\e😀"));
    }

    [Fact]
    public void Storable_TooLong_IsCutWithinTheLimitWithoutSplittingAPair()
    {
        var value = new string('a', 8) + "😀" + new string('b', 20);
        var stored = AuditText.Storable(value, maxLength: 10);
        Assert.Equal("aaaaaaaa…", stored);
        Assert.True(AuditText.IsStorable(stored, 10));
    }

    [Fact]
    public void Encode_LoneSurrogateAndNul_KeepsEveryCodeUnit()
    {
        var bytes = Convert.FromBase64String(AuditText.Encode("x\0\ud800"));
        Assert.Equal(new byte[] { (byte)'x', 0, 0, 0, 0x00, 0xD8 }, bytes);
    }

    [Fact]
    public void AuditDetailJson_NulAndLoneSurrogate_AreStoredAsEscapes()
    {
        // What lets the per-request audit writers take card-chosen values in a detail: the JSON
        // text itself never holds a NUL, a control character or an unpaired surrogate.
        var json = System.Text.Json.JsonSerializer.Serialize(new { method = "x\0\u0001\ud800" }, System.Text.Json.JsonSerializerOptions.Web);
        Assert.True(AuditText.IsStorable(json, int.MaxValue), json);
    }

    [Theory]
    [InlineData(19, true)] // constraint: CHECK, NOT NULL, UNIQUE, a trigger's RAISE(ABORT)
    [InlineData(18, true)] // too big
    [InlineData(5, false)] // busy
    [InlineData(6, false)] // locked
    [InlineData(10, false)] // I/O error
    [InlineData(13, false)] // full
    [InlineData(1, false)] // generic error: a missing table, a schema out of date
    public void IsDataRefused_SqliteCodes(int code, bool refused) =>
        Assert.Equal(refused, StorageErrors.IsDataRefused(new DbUpdateException("save", new SqliteException("x", code))));

    [Theory]
    [InlineData("22021", true)] // NUL / invalid byte sequence in text
    [InlineData("22001", true)] // value too long for a varchar
    [InlineData("23514", true)] // CHECK
    [InlineData("23505", true)] // unique
    [InlineData("P0001", true)] // a trigger's RAISE EXCEPTION
    [InlineData("54000", true)] // index row too large
    [InlineData("40001", false)] // serialization failure
    [InlineData("40P01", false)] // deadlock
    [InlineData("55P03", false)] // lock not available
    [InlineData("53100", false)] // disk full
    [InlineData("08006", false)] // connection failure
    [InlineData("57P01", false)] // admin shutdown
    [InlineData("42P01", false)] // undefined table
    public void IsDataRefused_PostgresStates(string state, bool refused)
    {
        var ex = new DbUpdateException("save", new PostgresException("x", "ERROR", "ERROR", state));
        Assert.Equal(refused, StorageErrors.IsDataRefused(ex));
        if (refused)
        {
            Assert.Equal("postgres:" + state, StorageErrors.DataRefusalKind(ex));
        }
    }

    [Fact]
    public void IsDataRefused_ClientSideEncodingFailureAndConnectionReset()
    {
        Assert.True(StorageErrors.IsDataRefused(new DbUpdateException("save", new System.Text.EncoderFallbackException("surrogate"))));
        Assert.False(StorageErrors.IsDataRefused(new DbUpdateException("save", new NpgsqlException("reset", new IOException("reset")))));
        Assert.False(StorageErrors.IsDataRefused(new TimeoutException()));
    }

    [Fact]
    public void BrokerExchange_HostTextsThatAreNotStorable_AreQueuedEscaped()
    {
        var recorder = new BrokerRecorder(Options.Create(new BrokerOptions()), new BrokerMetrics(), TimeProvider.System, NullLogger<BrokerRecorder>.Instance);
        var card = new CardInstance(Guid.NewGuid(), "w\0", Guid.NewGuid(), "dev.test\u0001", "1.0.0", "net\ud800", "Net", ["network:fake"], new CardTopics([], []));
        var exchange = new BrokerExchange(card, "member\0", "fake", serviceKnown: true, new BrokerMetrics(), recorder, TimeProvider.System)
        {
            Method = "GET",
            Path = "/models",
        };

        exchange.Finish(200, 0, null);

        Assert.True(recorder.Reader.TryRead(out var record));
        Assert.Equal(("w\\u0000", "member\\u0000", "dev.test\\u0001", "net\\ud800", "/models"), (record.WindowId, record.Actor, record.PluginId, record.TypeID, record.Path));
    }
}
