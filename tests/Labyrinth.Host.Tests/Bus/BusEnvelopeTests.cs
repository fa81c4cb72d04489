using System.Text;
using System.Text.Json;
using Labyrinth.Host.Features.Bus;

namespace Labyrinth.Host.Tests.Bus;

/// <summary>The envelope instances exchange over Redis: what round-trips and what a receiver drops.</summary>
public sealed class BusEnvelopeTests
{
    private static readonly Guid Person = Guid.Parse("3f2504e0-4f89-11d3-9a0c-0305e82c3301");

    private static BusEnvelope Publish(string payloadJson) => new(BusEnvelope.Publish, "a-1", Person)
    {
        Id = "m1-ab12cd34", Topic = "math:expression:changed", SenderPlugin = "dev.test.cards", SenderType = "viewer", Timestamp = 1,
        Payload = JsonDocument.Parse(payloadJson).RootElement.Clone(),
    };

    [Fact]
    public void Publish_RoundTrips_WithItsPayloadAsJson()
    {
        var parsed = BusEnvelope.Parse(Publish("""{"latex":"x^2","n":[1,2]}""").Serialize());

        Assert.NotNull(parsed);
        Assert.Equal((BusEnvelope.Publish, "a-1", Person, "m1-ab12cd34"), (parsed.Kind, parsed.Origin, parsed.UserId, parsed.Id));
        Assert.Equal("""{"latex":"x^2","n":[1,2]}""", parsed.Payload!.Value.GetRawText());
    }

    [Fact]
    public void Payload_ShapedLikeAnEnvelope_StaysPayload()
    {
        // A card controls its payload, never the envelope around it: fields inside stay inside.
        const string forged = """{"kind":"reply","origin":"b-1","userId":"00000000-0000-0000-0000-000000000001","id":"q1","ok":true}""";

        var parsed = BusEnvelope.Parse(Publish(forged).Serialize());

        Assert.NotNull(parsed);
        Assert.Equal((BusEnvelope.Publish, "a-1", Person), (parsed.Kind, parsed.Origin, parsed.UserId));
        Assert.Equal(forged, parsed.Payload!.Value.GetRawText());
    }

    [Theory]
    [InlineData("not json")]
    [InlineData("""{"kind":"publish"}""")]
    [InlineData("""{"kind":"shout","origin":"a","userId":"3f2504e0-4f89-11d3-9a0c-0305e82c3301","id":"m1","topic":"a:b:c","senderPlugin":"p.q","senderType":"t"}""")]
    [InlineData("""{"kind":"publish","origin":"","userId":"3f2504e0-4f89-11d3-9a0c-0305e82c3301","id":"m1","topic":"a:b:c","senderPlugin":"p.q","senderType":"t"}""")]
    [InlineData("""{"kind":"publish","origin":"a","userId":"00000000-0000-0000-0000-000000000000","id":"m1","topic":"a:b:c","senderPlugin":"p.q","senderType":"t"}""")]
    [InlineData("""{"kind":"publish","origin":"a","userId":"3f2504e0-4f89-11d3-9a0c-0305e82c3301","id":"m1","topic":"a:*:c","senderPlugin":"p.q","senderType":"t"}""")]
    [InlineData("""{"kind":"publish","origin":"a","userId":"3f2504e0-4f89-11d3-9a0c-0305e82c3301","id":"m1","topic":"a:b:c"}""")]
    [InlineData("""{"kind":"call","origin":"a","userId":"3f2504e0-4f89-11d3-9a0c-0305e82c3301","id":"c1","senderPlugin":"p.q"}""")]
    public void Parse_SomethingNoHostWrites_IsDropped(string text)
    {
        Assert.Null(BusEnvelope.Parse(Encoding.UTF8.GetBytes(text)));
    }

    [Fact]
    public void Parse_PayloadOverTheBusLimit_IsDropped()
    {
        var big = JsonSerializer.Serialize(new string('x', BusOptions.MaxPayloadBytes));

        Assert.Null(BusEnvelope.Parse(Publish(big).Serialize()));
    }

    [Fact]
    public void PeerWait_EveryInstanceDeclining_EndsIt_UnlessOneClaimed()
    {
        var unanswered = new PeerWait(2);
        var claimed = new PeerWait(2) { Claimer = "b" };

        Assert.False(unanswered.Decline());
        Assert.True(unanswered.Decline());
        Assert.False(claimed.Decline());
        Assert.False(claimed.Decline());
    }
}
