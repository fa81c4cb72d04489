namespace Labyrinth.Host.Features.Broker;

/// <summary>What a card asks the broker for (docs/api.md, "Broker").</summary>
internal sealed record BrokerRequest(
    string? Method,
    string? Path,
    Dictionary<string, string>? Query,
    Dictionary<string, string>? Headers,
    string? Body,
    bool? Stream);
